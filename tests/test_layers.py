"""The layers stay visible: spec -> analysis -> outputs -> cli. Core never imports
click, the CLI or output code (checked on the source, so a lazy import counts too)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "journeymap"
CORE = ["spec", "analysis", "graph.py", "diff.py"]
OUTPUTS = ("journeymap.cli", "journeymap.formats", "journeymap.render", "journeymap.report",
           "click")


def imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def core_files() -> list[Path]:
    out: list[Path] = []
    for part in CORE:
        p = PACKAGE / part
        out.extend(sorted(p.rglob("*.py")) if p.is_dir() else [p])
    return out


@pytest.mark.parametrize("path", core_files(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_core_does_not_import_cli_or_outputs(path: Path) -> None:
    bad = sorted(n for n in imports(path) if n.startswith(OUTPUTS))
    assert not bad, f"{path.name} imports {bad}"


def test_outputs_do_not_import_the_cli() -> None:
    # Outputs may use click.style for terminal colour; they never reach into commands.
    for part in ("formats", "render", "report"):
        for path in sorted((PACKAGE / part).rglob("*.py")):
            bad = sorted(n for n in imports(path) if n.startswith("journeymap.cli"))
            assert not bad, f"{path} imports {bad}"
