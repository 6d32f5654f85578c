"""`journeymap check` / `diff` / `rules` end to end, against real temporary git
repositories: baseline, new, deleted and renamed specs, every format, exit codes."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
import yaml
from check_fixtures import (
    EXTERNAL_LINE,
    commit,
    git,
    line_of,
    make_repo,
    shop,
    shop_with_vendor,
    two_doors,
    write,
)
from click.testing import CliRunner
from conftest import ROOT

from journeymap.cli import cli
from journeymap.formats.check import markdown as md_format

SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
SPEC = "specs/shop.journey.yaml"


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose main branch has the complicated shop; the working tree then
    gets the pull request of the issue: checkout needs an external vendor."""
    root = make_repo(tmp_path / "repo", {SPEC: shop(), "specs/doors.journey.yaml": two_doors()})
    monkeypatch.chdir(root)
    return root


def pr(root: Path) -> str:
    """Commit the pull request on a feature branch (main stays the base)."""
    text = shop_with_vendor()
    git(root, "checkout", "-q", "-b", "feature")
    write(root, {SPEC: text})
    commit(root, "Add fraud check by Stripe")
    return text


# --- the scenario -------------------------------------------------------------------

def test_pull_request_adding_an_external_vendor_fails_at_the_line(repo):
    text = pr(repo)
    line = line_of(text, EXTERNAL_LINE.strip())
    result = run("check", "specs", "--baseline", "main")
    assert result.exit_code == 1, result.output
    out = result.output
    # Plain words first: the headline is the first thing after the title.
    assert out.splitlines()[2] == ("'shop' went from complicated to complex: 'stripe-api' "
                                   "(external) now takes the whole journey down alone.")
    assert f"{SPEC}:{line}:9: error[JM101 new-spof]:" in out
    assert f"{SPEC}:{line}:9: error[JM103 became-complex]:" in out
    assert "FAILED" in out.splitlines()[-1]


def test_github_format_annotates_the_line_and_prints_the_full_report(repo):
    text = pr(repo)
    line = line_of(text, EXTERNAL_LINE.strip())
    result = run("check", "--baseline", "main", "--format", "github")
    assert result.exit_code == 1
    annotations = [ln for ln in result.output.splitlines() if ln.startswith("::")]
    assert (f"::error file={SPEC},line={line},col=9,title=JM101 new-spof::'stripe-api' "
            "(external, outside your control) is a new single point of failure: if it fails "
            "alone, 100%25 of customers") in "\n".join(annotations)
    annotation = re.compile(
        r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,title=JM\d+ [a-z-]+::")
    assert all(annotation.match(a) for a in annotations)
    assert "journeymap check: 2 journey(s), compared with main" in result.output  # full report


def test_sarif_is_valid_and_points_at_the_line(repo, tmp_path):
    text = pr(repo)
    result = run("check", "--baseline", "main", "--format", "sarif")
    assert result.exit_code == 1
    doc = json.loads(result.output)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(doc)
    run0 = doc["runs"][0]
    rules = run0["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(r["id"] for r in rules)
    assert all(r["help"]["text"] and r["shortDescription"]["text"] for r in rules)
    [new_spof] = [r for r in run0["results"] if r["ruleId"] == "JM101"]
    loc = new_spof["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == SPEC  # repository-relative
    assert loc["region"]["startLine"] == line_of(text, EXTERNAL_LINE.strip())
    assert new_spof["level"] == "error"
    assert rules[new_spof["ruleIndex"]]["id"] == "JM101"


def test_sarif_uri_is_repository_relative_from_a_subfolder(repo, monkeypatch):
    pr(repo)
    monkeypatch.chdir(repo / "specs")
    result = run("check", ".", "--baseline", "main", "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(result.output)["runs"][0]["results"]}
    assert SPEC in uris


def test_junit_one_suite_per_spec_one_case_per_rule(repo):
    pr(repo)
    result = run("check", "--baseline", "main", "--format", "junit")
    assert result.exit_code == 1
    root = ET.fromstring(result.output)
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    assert set(suites) == {"specs/doors.journey.yaml", SPEC}
    cases = {c.get("name"): c for c in suites[SPEC].iter("testcase")}
    assert "JM101 new-spof" in cases and "JM108 spof" in cases
    failure = cases["JM101 new-spof"].find("failure")
    assert failure is not None and "stripe-api" in failure.text  # message in the text too
    assert cases["JM102 external-spof"].find("failure") is None  # warnings do not fail
    assert "warning[JM102" in cases["JM102 external-spof"].find("system-out").text
    assert root.get("failures") == "2"  # JM101 and JM103
    assert all(c.get("classname") == "shop" for c in cases.values())
    assert suites[SPEC].get("skipped") == "0"
    # Without a baseline the change rules did not run: skipped, not passed.
    plain = ET.fromstring(run("check", "--format", "junit").output)
    skipped = [c.get("name") for c in plain.iter("testcase") if c.find("skipped") is not None]
    assert "JM101 new-spof" in skipped and "JM108 spof" not in skipped


def test_markdown_comment_headline_table_and_folded_details(repo):
    pr(repo)
    result = run("check", "--baseline", "main", "--format", "markdown")
    lines = result.output.splitlines()
    assert lines[0].startswith("### :x: journeymap: 2 finding(s) fail the check")
    assert lines[2].startswith("**'shop' went from complicated to complex")
    assert "| `shop` | **complicated -&gt; complex** | 3 (+1, −0) | 2 |" in result.output
    assert "<details open><summary>Findings" in result.output
    assert "What the rules mean" in result.output


def test_markdown_stays_under_the_limit_with_an_n_more_footer(repo):
    pr(repo)
    from journeymap.check import gather, run_rules
    from journeymap.policy import DEFAULT_POLICY

    states, root, notes = gather(["specs"], "main")
    report = run_rules(states, DEFAULT_POLICY, baseline="main", root=root)
    many = report.findings * 400
    big = type(report)(report.journeys, many, report.rules, report.policy, report.fail_on,
                       report.today, report.baseline, report.root)
    out = md_format.render(big)
    assert len(out.encode("utf-8")) <= md_format.MAX_BYTES
    m = re.search(r"_(\d+) more finding\(s\) not shown here", out)
    assert m is not None
    shown = out.count("\n- :")
    assert shown + int(m.group(1)) == len(many)


def test_json_format(repo):
    pr(repo)
    result = run("check", "--baseline", "main", "--format", "json")
    data = json.loads(result.output)
    assert list(data)[:3] == ["schema_version", "tool", "baseline"]
    assert data["failed"] is True and data["summary"]["error"] == 2
    shop_j = next(j for j in data["journeys"] if j["id"] == "shop")
    assert shop_j["diff"]["verdict"] == {"old": "complicated", "new": "complex",
                                         "became_complex": True}
    assert shop_j["diff"]["spofs_added"][0]["control"] == "external"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "sarif", "junit", "github"])
def test_every_format_is_deterministic(repo, fmt):
    pr(repo)
    a = run("check", "--baseline", "main", "--format", fmt).output
    b = run("check", "--baseline", "main", "--format", fmt).output
    assert a == b and a.endswith("\n")


def test_output_file_and_extra_reports_are_written(repo):
    pr(repo)
    result = run("check", "--baseline", "main", "-o", "out/report.md", "--format", "markdown",
                 "--report", "sarif=out/j.sarif", "--report", "junit=out/j.xml")
    assert result.exit_code == 1 and result.output == ""
    assert (repo / "out/report.md").read_text().startswith("### :x:")
    json.loads((repo / "out/j.sarif").read_text())
    ET.fromstring((repo / "out/j.xml").read_text())


# --- baseline: new, deleted, renamed, uncommitted ---------------------------------------------

def test_new_journey_has_no_baseline_and_passes(repo):
    write(repo, {"specs/new.journey.yaml": shop_with_vendor().replace("id: shop,", "id: shop2,")})
    commit(repo)
    result = run("check", "--baseline", "HEAD~1", "--format", "json")
    data = json.loads(result.output)
    new = next(j for j in data["journeys"] if j["id"] == "shop2")
    assert new["diff"]["status"] == "added"
    assert result.exit_code == 0  # its risks are reported as warnings, not change errors
    assert {f["rule"] for f in new["findings"]} <= {"JM102", "JM109"}


def test_deleted_journey_is_reported(repo):
    git(repo, "rm", "-q", "specs/doors.journey.yaml")
    commit(repo)
    result = run("check", "specs", "--baseline", "HEAD~1")
    assert result.exit_code == 0
    assert ("specs/doors.journey.yaml:1:1: note[JM110 deleted-journey]: "
            "journey 'doors' (Two doors) was deleted") in result.output


def test_renamed_journey_is_compared_with_its_old_file(repo):
    git(repo, "mv", "specs/shop.journey.yaml", "specs/shop-renamed.journey.yaml")
    write(repo, {"specs/shop-renamed.journey.yaml": shop_with_vendor()})
    commit(repo)
    result = run("check", "--baseline", "HEAD~1", "--format", "json")
    data = json.loads(result.output)
    j = next(j for j in data["journeys"] if j["id"] == "shop")
    assert j["path"] == "specs/shop-renamed.journey.yaml"
    assert j["diff"]["old_path"] == "specs/shop.journey.yaml"
    assert j["diff"]["status"] == "changed"
    assert not any(f["rule"] == "JM110" for f in data["findings"])  # not reported as deleted
    assert result.exit_code == 1


def test_uncommitted_change_is_checked_like_a_pre_commit_hook(repo):
    write(repo, {SPEC: shop_with_vendor()})  # not committed
    result = run("check", "--baseline", "HEAD")
    assert result.exit_code == 1 and "JM101" in result.output


def test_unchanged_repository_passes(repo):
    result = run("check", "--baseline", "HEAD")
    assert result.exit_code == 0, result.output
    assert "No journey became more fragile compared with HEAD." in result.output


# --- exit codes and input errors -------------------------------------------------------------

def test_fail_on_note_turns_existing_notes_into_failures(repo):
    pr(repo)
    assert run("check", "specs/doors.journey.yaml").exit_code == 0
    assert run("check", SPEC).exit_code == 0  # warnings only without a baseline
    assert run("check", SPEC, "--fail-on", "warning").exit_code == 1


def test_unknown_ref_is_a_clear_input_error(repo):
    result = run("check", "--baseline", "origin/nope")
    assert result.exit_code == 2
    assert "unknown git ref 'origin/nope'" in result.output and "fetch-depth: 0" in result.output
    assert "Traceback" not in result.output


def test_not_a_git_repository(tmp_path, monkeypatch):
    write(tmp_path, {SPEC: shop()})
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    result = run("check", "--baseline", "main")
    assert result.exit_code == 2 and "is not inside a git repository" in result.output


def test_invalid_spec_exits_2_with_positions(repo):
    write(repo, {SPEC: shop().replace("owner: web-team}", "owner: nobody}", 1)})
    result = run("check", "--baseline", "HEAD")
    assert result.exit_code == 2
    assert re.search(r"specs/shop.journey.yaml:\d+:\d+: error\[JM027\]", result.output)


def test_invalid_policy_exits_2_with_file_line_column(repo):
    write(repo, {"journeymap.yaml": "rules:\n  JM101: loud\n"})
    result = run("check")
    assert result.exit_code == 2
    assert "journeymap.yaml:2:10: error[JM014]: severity of JM101 must be one of" in result.output


def test_policy_file_is_found_and_waives_with_injectable_today(repo):
    pr(repo)
    write(repo, {"journeymap.yaml": (
        "journeys: specs\n"
        "waivers:\n"
        "  - {rule: JM101, journey: shop, reason: fraud check required by the bank,"
        " expires: 2026-12-31}\n"
        "  - {rule: JM103, journey: shop, reason: same, expires: 2026-12-31}\n")})
    ok = run("check", "--baseline", "HEAD~1", "--today", "2026-12-31")
    assert ok.exit_code == 0, ok.output
    assert "[waived until 2026-12-31: fraud check required by the bank]" in ok.output
    late = run("check", "--baseline", "HEAD~1", "--today", "2027-01-01")
    assert late.exit_code == 1
    assert "journeymap.yaml:3:5: warning[JM100 expired-waiver]" in late.output
    sarif = json.loads(run("check", "--baseline", "HEAD~1", "--today", "2026-06-01",
                           "--format", "sarif").output)
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    waived = [r for r in sarif["runs"][0]["results"] if "suppressions" in r]
    assert {r["ruleId"] for r in waived} == {"JM101", "JM103"}


def test_missing_path_and_bad_report_option(repo):
    assert run("check", "nowhere").exit_code == 2
    result = run("check", "--report", "pdf=x.pdf")
    assert result.exit_code == 2 and "FORMAT=FILE" in result.output


# --- diff and rules commands -----------------------------------------------------------------

def test_diff_two_files(tmp_path):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(shop())
    new.write_text(shop_with_vendor())
    result = run("diff", str(old), str(new))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == f"{old} -> {new}"
    assert "went from complicated to complex" in lines[1]
    assert "+ new single point of failure 'stripe-api' (external)" in result.output
    assert ("+ new hand-off checkout -> stripe-api [needs (technology)] to stripe (external)"
            in result.output)
    data = json.loads(run("diff", str(old), str(new), "--format", "json").output)
    assert data["journeys"][0]["spofs_added"][0]["id"] == "stripe-api"


def test_diff_with_baseline(repo):
    pr(repo)
    result = run("diff", "--baseline", "HEAD~1", "specs")
    assert result.exit_code == 0
    assert "'doors': no change in resilience." in result.output
    assert "'shop' went from complicated to complex" in result.output


def test_baseline_check_makes_risk_numbers_only_for_the_changed_journey(repo, monkeypatch):
    """The risk rules (JM114, JM115) compare a journey's two versions; an unchanged one
    has the same numbers on both sides, so a pull request touching one journey of many
    pays for that one's risk numbers, not every journey's."""
    import journeymap.batch as batch

    made: list[tuple[str, bool]] = []
    analyze_one = batch.analyze_one

    def counted(spec, risk=batch.AUTO):  # type: ignore[no-untyped-def]
        out = analyze_one(spec, risk)
        made.append((spec.journey.id, out.risk is not None))
        return out

    monkeypatch.setattr(batch, "analyze_one", counted)
    pr(repo)
    result = run("check", "specs", "--baseline", "main")
    assert result.exit_code == 1, result.output
    assert "'stripe-api'" in result.output  # the change is still found
    with_risk = sorted(j for j, r in made if r)
    assert with_risk == ["shop", "shop"]  # its current and its baseline version
    assert ("doors", False) in made and ("doors", True) not in made


def test_diff_usage_errors(tmp_path):
    assert run("diff", "only-one.yaml").exit_code == 2
    assert run("diff", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")).exit_code == 2


def test_rules_command_lists_and_explains():
    listing = run("rules").output
    assert re.search(r"^JM101  new-spof\s+error\s+change", listing, re.M)
    explained = run("rules", "JM102").output
    assert explained.startswith("JM102 external-spof (default: warning; state rule)")
    assert "What to do:" in explained
    assert run("rules", "JM999").exit_code == 2


# --- shipped CI files and the dogfood step ---------------------------------------------------

def test_example_specs_pass_the_default_policy(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = run("check", "specs", "--fail-on", "error")
    assert result.exit_code == 0, result.output
    assert "0 errors" in result.output.splitlines()[-1]


def test_action_is_a_composite_with_shell_on_every_run_step():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step.get("shell"), step
            assert "${{ inputs." not in step["run"], "inputs go through env:, not into scripts"
    uses = [s["uses"] for s in steps if "uses" in s]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    text = (ROOT / "action.yml").read_text()
    assert "$GITHUB_ACTION_PATH" in text and "GITHUB_STEP_SUMMARY" in text and "graphviz" in text


def test_pre_commit_hooks_file():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    ids = {h["id"]: h for h in hooks}
    assert {"journeymap-check", "journeymap-validate"} <= set(ids)
    for h in hooks:
        assert h["entry"].startswith("journeymap ") and h["language"] == "python"
        assert re.search(h["files"], "specs/shop.journey.yaml")
    # check reads whole journeys against HEAD: it must not get single file names
    assert ids["journeymap-check"]["pass_filenames"] is False
    assert "--baseline HEAD" in ids["journeymap-check"]["entry"]


def test_policy_sets_default_paths_and_fail_on(repo):
    pr(repo)
    write(repo, {"pyproject.toml": "[tool.journeymap]\njourneys = 'specs/doors.journey.yaml'\n"
                                   "fail_on = 'note'\n"})
    result = run("check", "--format", "json")
    data = json.loads(result.output)
    assert [j["id"] for j in data["journeys"]] == ["doors"]  # only the configured path
    assert data["fail_on"] == "note"
    # doors carries no note-level risk; the CLI's --fail-on overrides the policy's.
    assert result.exit_code == 0
    assert run("check", SPEC, "--fail-on", "error").exit_code == 0
    assert run("check", SPEC).exit_code == 1  # policy: fail on notes (JM109 complex-journey)


def test_rewritten_and_renamed_journey_is_paired_by_journey_id(repo):
    # Move the spec and rewrite it beyond git's rename detection (different layout).
    git(repo, "rm", "-q", SPEC)
    flow_style = json.dumps(yaml.safe_load(shop_with_vendor()), indent=1)  # JSON is YAML
    write(repo, {"specs/checkout/flow.yaml": flow_style})
    commit(repo)
    result = run("check", "--baseline", "HEAD~1", "--format", "json")
    data = json.loads(result.output)
    j = next(j for j in data["journeys"] if j["id"] == "shop")
    assert j["diff"]["status"] == "changed" and j["diff"]["old_path"] == SPEC
    assert "compared with specs/shop.journey.yaml at HEAD~1 (same journey id)" in data["notes"][0]
    assert {f["rule"] for f in data["findings"]} >= {"JM101", "JM103"}
    assert result.exit_code == 1


def test_action_check_step_runs_and_feeds_summary_outputs_and_sarif(repo, tmp_path):
    """Run the action's own 'Check journeys' script as GitHub would (bash -e, env only)."""
    import os
    import subprocess

    pr(repo)
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("id") == "check"]
    runner_temp, summary, outputs = tmp_path / "rt", tmp_path / "summary.md", tmp_path / "out.txt"
    runner_temp.mkdir()
    env = {**os.environ, "PATHS": "specs", "BASELINE": "main", "BASE_REF": "", "FAIL_ON": "error",
           "POLICY": "", "RUNNER_TEMP": str(runner_temp), "GITHUB_STEP_SUMMARY": str(summary),
           "GITHUB_OUTPUT": str(outputs)}
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr  # the step records the status; a later step fails
    assert "::error file=specs/shop.journey.yaml,line=" in proc.stdout
    recorded = dict(ln.split("=", 1) for ln in outputs.read_text().splitlines())
    assert recorded["exit-code"] == "1"
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(json.loads(Path(recorded["sarif"]).read_text()))
    assert "went from complicated to complex" in summary.read_text()
