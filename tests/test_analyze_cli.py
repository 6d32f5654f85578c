"""`journeymap analyze` and `journeymap simulate` end to end: formats, contract, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import ROOT, SPECS

from journeymap.cli import cli

NEWSLETTER = str(SPECS / "newsletter-video.journey.yaml")
STARTER = str(ROOT / "journeymap" / "spec" / "starter.journey.yaml")


def run(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_json_follows_the_contract_and_is_byte_stable() -> None:
    first = run("analyze", "--format", "json", STARTER)
    assert first.exit_code == 0
    assert first.output == run("analyze", "--format", "json", STARTER).output
    doc = json.loads(first.output)
    assert list(doc)[:5] == ["schema_version", "journey", "verdict", "spofs", "elements"]
    assert doc["schema_version"] == 1
    assert doc["journey"] == {"id": "newsletter-video",
                              "name": "Newsletter reader watches the product video",
                              "source": STARTER}
    assert doc["verdict"] == "complex"
    spof = next(s for s in doc["spofs"] if s["id"] == "email-platform")
    assert list(spof)[:8] == ["id", "type", "control", "cause", "endpoint", "path",
                              "customers_lost", "location"]
    assert spof == {**spof, "type": "support", "control": "partner", "cause": "dependency",
                    "endpoint": False, "path": ["email-platform", "newsletter"],
                    "customers_lost": 1.0, "location": {"line": 50, "column": 5}}
    ids = [e["id"] for e in doc["elements"]]
    assert ids == sorted(ids) and len(ids) == 9
    esp = next(e for e in doc["elements"] if e["id"] == "email-platform")
    assert esp["down"] == ["newsletter"]
    assert esp["stranded"] == ["hosted-video", "short-link", "website-video"]


def test_several_specs_give_one_result_per_journey() -> None:
    out = run("analyze", "--format", "json", NEWSLETTER, STARTER)
    assert out.exit_code == 0
    docs = json.loads(out.output)
    assert [d["journey"]["source"] for d in docs] == [NEWSLETTER, STARTER]


def test_text_report_reads_plain_words_first() -> None:
    out = run("analyze", NEWSLETTER).output
    assert "Verdict: COMPLEX" in out
    assert "Salesforce CRM [crm]" in out
    assert ("bitly-service (external) -> short-link -> "
            "[no path from linkedin-post or newsletter to trial-signup]") in out
    assert "\x1b[" not in out  # NO_COLOR is set by conftest
    colored = run("analyze", "--color", "always", NEWSLETTER).output
    assert "\x1b[" in colored


def test_markdown_report(tmp_path) -> None:
    target = tmp_path / "out" / "analysis.md"
    assert run("analyze", "--format", "markdown", "-o", str(target), STARTER).exit_code == 0
    text = target.read_text()
    assert text.startswith("# journeymap analysis")
    assert "| What fails | Type | Control | Cause | Lost | Collapse path |" in text


def test_fail_on_complex_exits_1() -> None:
    assert run("analyze", "--fail-on", "complex", STARTER).exit_code == 1
    assert run("analyze", "--fail-on", "never", STARTER).exit_code == 0


def test_bad_input_exits_2_without_traceback(tmp_path) -> None:
    bad = tmp_path / "bad.journey.yaml"
    bad.write_text("journeymap: 1\njourney: {id: x}\n")
    out = CliRunner().invoke(cli, ["analyze", str(bad)])
    assert out.exit_code == 2
    assert "Traceback" not in out.output


def test_simulate_reports_what_goes_down() -> None:
    out = run("simulate", NEWSLETTER, "--fail", "web-origin")
    assert out.exit_code == 0
    assert "The journey COLLAPSES" in out.output
    assert "Marketing website CMS [web-cms]" in out.output
    doc = json.loads(run("simulate", STARTER, "--fail", "cdn-a", "--fail", "cdn-b",
                         "--format", "json").output)
    assert doc["survives"] is True and doc["down"] == ["website-video"]
    assert doc["customers_lost"] == 0.0  # the hosted video still takes everyone


def test_simulate_unknown_id_suggests_the_closest() -> None:
    out = CliRunner().invoke(cli, ["simulate", STARTER, "--fail", "cdn-c"])
    assert out.exit_code == 2
    assert "no element with id 'cdn-c' (did you mean 'cdn-" in out.output


@pytest.mark.parametrize("path", sorted(str(p) for p in SPECS.glob("*.journey.yaml")))
def test_every_example_spec_analyses(path: str) -> None:
    doc = json.loads(run("analyze", "--format", "json", path).output)
    assert doc["verdict"] in ("complex", "complicated")
    for s in doc["spofs"]:
        assert s["path"] and s["path"][0] == s["id"]


def test_whole_process_analyze_runs() -> None:
    # The real entry point, as users run it (lazy imports, exit code).
    proc = subprocess.run([sys.executable, "-m", "journeymap", "analyze", "--format", "json",
                           NEWSLETTER], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["journey"]["id"] == "newsletter-video"
