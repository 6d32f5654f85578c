"""Every example in the package's docstrings runs (the Python API's first of all), from
the repository root so the example paths resolve."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from pathlib import Path

import pytest

import journeymap

ROOT = Path(__file__).resolve().parent.parent


def modules() -> list[str]:
    names = [m.name for m in pkgutil.walk_packages(journeymap.__path__, "journeymap.")]
    return sorted(n for n in names if not n.endswith("__main__"))


@pytest.mark.parametrize("name", modules())
def test_docstring_examples_run(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {name}"


def test_the_api_has_runnable_examples() -> None:
    # The API module's examples are the documentation of the API: they must exist.
    from journeymap import api

    assert doctest.DocTestFinder().find(api)[0].examples
