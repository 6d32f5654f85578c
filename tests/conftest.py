import os
from pathlib import Path

import pytest
from hypothesis import settings

# CI explores the same examples every run (a red CI must mean a change broke something);
# locally every run explores new ones.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

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
