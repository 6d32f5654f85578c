"""docs/ matches the code: generated pages are current, every field a user can write and
every JSON key journeymap prints is documented, the Python API page runs, and nothing a
user reads points outside the repository."""

from __future__ import annotations

import doctest
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from journeymap import docs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
EXAMPLE = "specs/newsletter-video.journey.yaml"


def test_generated_pages_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for path, text in docs.generated().items():
        assert path.read_text(encoding="utf-8") == text, \
            f"{path} is stale: run python -m journeymap.docs"


def test_the_check_mode_fails_on_a_stale_page(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert docs.main([]) == 0 and docs.main(["--check"]) == 0
    (tmp_path / docs.RULES_DOC).write_text("old\n", encoding="utf-8")
    assert docs.main(["--check"]) == 1


def _schema_fields(node: object, out: set[str]) -> set[str]:
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            out.add(key)
            _schema_fields(value, out)
        for value in node.values():
            if isinstance(value, (dict, list)):
                _schema_fields(value, out)
    elif isinstance(node, list):
        for value in node:
            _schema_fields(value, out)
    return out


def test_every_spec_field_is_in_the_language_reference() -> None:
    schema = json.loads((ROOT / "journeymap" / "spec" / "journeymap.schema.json").read_text())
    page = (DOCS / "spec-language.md").read_text(encoding="utf-8")
    missing = sorted(f for f in _schema_fields(schema, set()) if f"`{f}`" not in page)
    assert not missing, f"docs/spec-language.md does not describe: {missing}"


def test_every_policy_field_is_in_the_policy_reference() -> None:
    schema = json.loads((ROOT / "journeymap" / "spec" / "policy.schema.json").read_text())
    page = (DOCS / "policy.md").read_text(encoding="utf-8")
    missing = sorted(f for f in _schema_fields(schema, set()) if f"`{f}`" not in page)
    assert not missing, f"docs/policy.md does not describe: {missing}"


def _keys(doc: object, out: set[str]) -> set[str]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            out.add(key)
            _keys(value, out)
    elif isinstance(doc, list):
        for value in doc:
            _keys(value, out)
    return out


@pytest.mark.parametrize("args", [
    ["analyze", EXAMPLE, "--format", "json"],
    ["simulate", EXAMPLE, "--fail", "crm", "--format", "json"],
    ["check", "specs/", "--format", "json"],
], ids=["analyze", "simulate", "check"])
def test_every_json_key_is_in_the_output_reference(args: list[str]) -> None:
    out = subprocess.run([sys.executable, "-m", "journeymap", *args], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.stdout, out.stderr[-2000:]
    page = (DOCS / "json-output.md").read_text(encoding="utf-8")
    missing = sorted(k for k in _keys(json.loads(out.stdout), set())
                     if not re.search(rf"\b{re.escape(k)}\b", page))
    assert not missing, f"docs/json-output.md does not describe: {missing}"


def test_the_python_api_page_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = doctest.testfile(str(DOCS / "python-api.md"), module_relative=False)
    assert result.attempted and not result.failed


OUTSIDE = re.compile(r"shared/design|shared/research|research notes|the issue\b|"
                     r"round2-notes|/work/", re.I)


def test_nothing_a_user_reads_points_outside_the_repository() -> None:
    pages = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted((ROOT / "specs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert not OUTSIDE.search(text), f"{page.name}: {OUTSIDE.search(text)[0]!r}"
        for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
