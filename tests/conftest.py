import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def example_specs() -> list[Path]:
    return sorted(SPECS.glob("*.yaml"))


@pytest.fixture(autouse=True)
def _no_color(monkeypatch):
    # Tests read plain text; colour is tested explicitly where it matters.
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
