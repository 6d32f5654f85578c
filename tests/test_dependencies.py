"""Every library the package imports is one it declares: a fresh ``pip install`` of
journeymap must bring everything its commands import (numpy was once imported by the
Monte Carlo code and installed only because another package happened to pull it in)."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parent.parent


def _imported_top_level_modules() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "journeymap").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    # tomllib: the standard library from 3.11; before, the declared tomli stands in.
    return found - set(sys.stdlib_module_names) - {"journeymap", "__future__", "tomllib"}


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    names = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0] for d in project["dependencies"]}
    return {n.lower().replace("_", "-") for n in names}


def test_every_imported_library_is_a_declared_dependency() -> None:
    dists = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(_imported_top_level_modules()):
        providers = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not providers & _declared():
            missing[module] = sorted(providers)
    assert not missing, f"imported but not in [project] dependencies: {missing}"
