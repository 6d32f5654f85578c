"""The CI gate's core: resilience diff, rules, policy files and waivers (no git, no CLI)."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest
from check_fixtures import EXTERNAL_LINE, line_of, shop, shop_with_vendor, two_doors

from journeymap.analysis import analyze
from journeymap.check import run_rules
from journeymap.diff import ADDED, CHANGED, DELETED, UNCHANGED, diff_journeys
from journeymap.policy import DEFAULT_POLICY, Policy, PolicyError, find_policy, load_policy
from journeymap.rules import REGISTRY, JourneyState, Thresholds, all_rules, find_rule
from journeymap.spec import load_spec

TODAY = dt.date(2026, 6, 1)
PATH = "specs/shop.journey.yaml"


def analysis(text: str, path: str = PATH):
    return analyze(load_spec(path, text=text))


def state(old_text: str | None, new_text: str | None, path: str = PATH) -> JourneyState:
    old = analysis(old_text, path) if old_text else None
    new = analysis(new_text, path) if new_text else None
    jid = (new or old).spec.journey.id
    return JourneyState(path, jid, new, old, diff_journeys(old, new, path=path))


def by_rule(report, rule: str):
    return [f for f in report.findings if f.rule == rule]


# --- diff -------------------------------------------------------------------------------------

def test_diff_points_new_external_spof_at_the_line_that_added_it():
    new_text = shop_with_vendor()
    d = diff_journeys(analysis(shop()), analysis(new_text))
    assert d.status == CHANGED
    assert (d.old_verdict, d.new_verdict) == ("complicated", "complex")
    assert d.became_complex and d.worse
    [s] = d.spofs_added
    assert (s.id, s.control, s.endpoint) == ("stripe-api", "external", False)
    assert s.line is not None and (s.line.source, s.line.target) == ("checkout", "stripe-api")
    assert s.where.line == line_of(new_text, "id: stripe-api, kind: technology")
    assert [h.target for h in d.handoffs_added] == ["stripe-api"]
    assert "complicated to complex" in d.headline and "'stripe-api' (external)" in d.headline


def test_diff_reverse_change_removes_the_spof_and_reads_as_an_improvement():
    d = diff_journeys(analysis(shop_with_vendor()), analysis(shop()))
    assert [s.id for s in d.spofs_removed] == ["stripe-api"]
    assert not d.spofs_added and d.became_complicated and not d.worse
    assert "back to complicated" in d.headline


def test_diff_of_identical_journeys_is_unchanged():
    d = diff_journeys(analysis(shop()), analysis(shop()))
    assert d.status == UNCHANGED and not d.worse
    assert d.headline == "'shop': no change in resilience."


def test_diff_new_and_deleted_journeys():
    added = diff_journeys(None, analysis(shop()))
    assert added.status == ADDED and added.old_verdict is None and "no baseline" in added.headline
    deleted = diff_journeys(analysis(shop()), None)
    assert deleted.status == DELETED and deleted.new_verdict is None
    with pytest.raises(ValueError):
        diff_journeys(None, None)


def test_diff_cascade_growth_and_customers_lost():
    d = diff_journeys(analysis(two_doors()), analysis(two_doors(wide=True)))
    [c] = d.cascades
    assert c.id == "shared-lib" and c.grew
    assert (c.old_spread, c.new_spread) == (0, 5)
    assert c.new_lost == pytest.approx(0.5) and c.old_lost == 0
    assert not d.spofs_added and d.worse


def test_soft_need_added_is_not_a_new_dependency():
    soft = shop("      - {id: stripe-api, strength: soft}")
    d = diff_journeys(analysis(shop()), analysis(soft))
    assert not d.spofs_added and not d.lines_added


# --- rules ------------------------------------------------------------------------------------

def test_rule_ids_are_stable_and_documented():
    expected = {"JM100": "expired-waiver", "JM101": "new-spof", "JM102": "external-spof",
                "JM103": "became-complex", "JM104": "blast-radius", "JM105": "customers-lost",
                "JM106": "missing-owner", "JM107": "new-external-handoff", "JM108": "spof",
                "JM109": "complex-journey", "JM110": "deleted-journey", "JM111": "dependency-cycle",
                "JM112": "review-overdue", "JM113": "unused-waiver",
                "JM114": "collapse-probability", "JM115": "new-external-pair"}
    assert {r.id: r.name for r in all_rules()} == expected
    for r in all_rules():
        assert r.severity in ("error", "warning", "note")
        assert len(r.explanation) > 80 and r.what_to_do, r.id
    assert find_rule("new-spof") is REGISTRY["JM101"] and find_rule("jm101") is REGISTRY["JM101"]


def test_default_policy_fails_on_what_the_change_made_worse():
    new_text = shop_with_vendor()
    report = run_rules([state(shop(), new_text)], DEFAULT_POLICY, today=TODAY)
    assert report.failed
    line = line_of(new_text, "id: stripe-api, kind: technology")
    [jm101] = by_rule(report, "JM101")
    [jm103] = by_rule(report, "JM103")
    assert jm101.severity == jm103.severity == "error"
    assert jm101.location.line == jm103.location.line == line
    assert ("'stripe-api' (external, outside your control) is a new single point of failure"
            in jm101.message)
    assert "'checkout' needs 'stripe-api'" in jm101.message
    assert "went from complicated to complex" in jm103.message
    [jm107] = by_rule(report, "JM107")
    assert jm107.severity == "warning" and jm107.location.line == line
    # The existing external risk is also reported, as a warning, at the element.
    [jm102] = by_rule(report, "JM102")
    assert jm102.severity == "warning"
    assert jm102.location.line == line_of(new_text, "id: stripe-api, name")


def test_existing_risks_are_warnings_without_a_baseline():
    report = run_rules([JourneyState(PATH, "shop", analysis(shop_with_vendor()))], DEFAULT_POLICY,
                       today=TODAY)
    assert not report.failed
    assert {f.rule for f in report.findings} == {"JM102", "JM109"}
    assert not by_rule(report, "JM101")  # change rules need a baseline


def test_new_journey_has_no_baseline_so_change_rules_stay_quiet():
    report = run_rules([state(None, shop_with_vendor())], DEFAULT_POLICY, today=TODAY)
    assert not report.failed
    assert not [f for f in report.findings if REGISTRY[f.rule].scope == "change"]


def test_deleted_journey_is_reported_as_a_note():
    report = run_rules([state(shop(), None)], DEFAULT_POLICY, today=TODAY)
    [f] = report.findings
    assert (f.rule, f.severity, f.location.path) == ("JM110", "note", PATH)
    assert "deleted" in f.message and not report.failed


def test_blast_radius_and_customers_lost_jump_point_at_the_new_line():
    new_text = two_doors(wide=True)
    report = run_rules([state(two_doors(), new_text, "doors.yaml")], DEFAULT_POLICY, today=TODAY)
    [jm104] = by_rule(report, "JM104")
    [jm105] = by_rule(report, "JM105")
    first_new = line_of(new_text, "needs: [shared-lib]")
    assert jm104.location.line == jm105.location.line == first_new
    assert "takes out 5 of the journey's 10 other elements (50%)" in jm104.message
    assert "now stops 50% of customers, up from 0%" in jm105.message
    assert not by_rule(report, "JM101") and report.failed


def test_thresholds_from_the_policy_decide_blast_radius_and_jump():
    relaxed = Policy(thresholds=Thresholds(blast_radius=0.6, customers_lost_jump=0.6))
    report = run_rules([state(two_doors(), two_doors(wide=True), "doors.yaml")], relaxed,
                       today=TODAY)
    assert not by_rule(report, "JM104") and not by_rule(report, "JM105") and not report.failed


def test_missing_owner_and_fail_on_warning():
    text = shop().replace("  - {id: cms-b, name: CMS B, kind: system, owner: web-team}",
                          "  - {id: cms-b, name: CMS B, kind: system}")
    report = run_rules([JourneyState(PATH, "shop", analysis(text))], DEFAULT_POLICY,
                       fail_on="warning", today=TODAY)
    [f] = by_rule(report, "JM106")
    assert f.element == "cms-b" and f.location.line == line_of(text, "id: cms-b")
    assert report.failed  # a warning fails at --fail-on warning


# --- policy files -------------------------------------------------------------------------------

def write_policy(tmp_path: Path, text: str, name: str = "journeymap.yaml") -> str:
    p = tmp_path / name
    p.write_text(textwrap.dedent(text), encoding="utf-8")
    return str(p)


def test_policy_yaml_severities_thresholds_waivers(tmp_path):
    path = write_policy(tmp_path, """\
        journeys: specs/
        fail_on: warning
        thresholds: {blast_radius: 0.3, customers_lost_jump: 0.1}
        rules:
          JM106: error
          dependency-cycle: off
          complex-journey: note
        waivers:
          - rule: new-spof
            journey: shop
            element: stripe-api
            reason: Fraud check is contractually required until the in-house model ships
            expires: 2027-01-31
        """)
    policy = load_policy(path)
    assert policy.fail_on == "warning"
    assert policy.thresholds.blast_radius == 0.3 and policy.thresholds.customers_lost_jump == 0.1
    assert policy.severities == {"JM106": "error", "JM111": "off", "JM109": "note"}
    [w] = policy.waivers
    assert (w.rule, w.journey, w.element, w.expires) == ("JM101", "shop", "stripe-api",
                                                         dt.date(2027, 1, 31))
    assert w.location.line == 9  # the waiver's '- rule:' line
    # Relative to the policy file's folder, not to where journeymap runs.
    assert [Path(p).resolve() for p in policy.journeys] == [(tmp_path / "specs").resolve()]


def test_policy_from_pyproject(tmp_path, monkeypatch):
    write_policy(tmp_path, """\
        [project]
        name = "x"

        [tool.journeymap]
        journeys = "journeys"

        [tool.journeymap.rules]
        JM102 = "error"

        [[tool.journeymap.waivers]]
        rule = "JM108"
        reason = "accepted"
        expires = 2027-01-31
        """, "pyproject.toml")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    found = find_policy(".")
    assert found is not None and found.endswith("pyproject.toml")
    policy = load_policy(found)
    assert policy.severities == {"JM102": "error"}
    assert policy.waivers[0].expires == dt.date(2027, 1, 31)
    assert policy.waivers[0].location.line == 10  # its [[tool.journeymap.waivers]] header


def test_pyproject_without_tool_table_is_not_a_policy(tmp_path, monkeypatch):
    write_policy(tmp_path, "[project]\nname = 'x'\n", "pyproject.toml")
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    assert find_policy(".") is None


@pytest.mark.parametrize("text, line, col, words", [
    ("thresholds: {blast_radius: 2}\n", 1, 28, "at most 1"),
    ("rules:\n  JM999: error\n", 2, 3, "unknown rule 'JM999'"),
    ("rules:\n  new-spot: error\n", 2, 3, "did you mean 'new-spof'"),
    ("rules:\n  JM101: fatal\n", 2, 10, "error, warning, note, off"),
    ("waivers:\n  - rule: JM101\n    reason: r\n    expires: someday\n", 4, 14, "must be a date"),
    ("waivers:\n  - rule: JM101\n    expires: 2027-01-01\n", 2, 5, "missing 'reason'"),
    ("fail-on: error\n", 1, 1, "did you mean 'fail_on'"),
    ("rules: [\n", 2, 1, "invalid YAML"),
])
def test_invalid_policy_names_file_line_and_column(tmp_path, text, line, col, words):
    path = write_policy(tmp_path, text)
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    first = exc.value.problems[0]
    assert (first.location.path, first.location.line, first.location.column) == (path, line, col)
    assert words in first.message


def test_invalid_toml_policy_points_at_the_key(tmp_path):
    path = write_policy(tmp_path, "[tool.journeymap]\nfail_on = \"loud\"\n", "pyproject.toml")
    with pytest.raises(PolicyError) as exc:
        load_policy(path)
    assert str(exc.value.problems[0]).startswith(
        f"{path}:2:1: error[JM014]: 'fail_on' must be one of")


# --- waivers --------------------------------------------------------------------------------------

def waiver_policy(tmp_path: Path, expires: str) -> str:
    return write_policy(tmp_path, f"""\
        waivers:
          - rule: JM101
            journey: shop
            element: stripe-api
            reason: Accepted until the in-house fraud model ships
            expires: {expires}
          - rule: JM103
            journey: shop
            reason: Same change
            expires: {expires}
        """)


def test_valid_waiver_keeps_the_finding_visible_but_not_failing(tmp_path):
    policy = load_policy(waiver_policy(tmp_path, "2026-06-01"))  # works through its last day
    report = run_rules([state(shop(), shop_with_vendor())], policy, today=TODAY)
    assert not report.failed
    waived = {f.rule for f in report.waived}
    assert waived == {"JM101", "JM103"}
    assert not by_rule(report, "JM100")


def test_expired_waiver_stops_waiving_and_says_so(tmp_path):
    path = waiver_policy(tmp_path, "2026-05-31")
    policy = load_policy(path)
    report = run_rules([state(shop(), shop_with_vendor())], policy, today=TODAY)
    assert report.failed and not report.waived
    [jm101] = by_rule(report, "JM101")
    assert "waiver for this expired on 2026-05-31" in jm101.message
    expired = by_rule(report, "JM100")
    assert len(expired) == 2 and {f.location.path for f in expired} == {path}
    assert expired[0].location.line == 2 and "expired on 2026-05-31" in expired[0].message


def test_waiver_for_another_element_does_not_waive(tmp_path):
    path = write_policy(tmp_path, """\
        waivers:
          - {rule: JM101, element: other, reason: not this one, expires: 2099-01-01}
        """)
    report = run_rules([state(shop(), shop_with_vendor())], load_policy(path), today=TODAY)
    assert report.failed and not report.waived


def test_rule_turned_off_does_not_run(tmp_path):
    path = write_policy(tmp_path, "rules: {JM101: off, JM103: warning}\n")
    report = run_rules([state(shop(), shop_with_vendor())], load_policy(path), today=TODAY)
    assert not by_rule(report, "JM101")
    assert [f.severity for f in by_rule(report, "JM103")] == ["warning"]
    assert not report.failed


def test_external_line_fixture_is_in_the_changed_spec():
    assert EXTERNAL_LINE in shop_with_vendor() and EXTERNAL_LINE not in shop()


# --- properties over the example journeys ------------------------------------------------------

def _without_need(spec, element_id: str):
    import dataclasses

    elements = tuple(dataclasses.replace(e, needs=e.needs[1:]) if e.id == element_id else e
                     for e in spec.elements)
    return dataclasses.replace(spec, elements=elements)


@pytest.mark.parametrize("name", ["newsletter-video", "bank-account-opening", "telco-support"])
def test_diff_is_symmetric_and_points_into_the_file(name):
    from conftest import SPECS

    path = SPECS / f"{name}.journey.yaml"
    if not path.exists():
        pytest.skip(f"{path} not in this checkout")
    spec = load_spec(str(path))
    full = analyze(spec)
    n_lines = len(path.read_text().splitlines())
    same = diff_journeys(full, analyze(spec))
    assert same.status == UNCHANGED and not same.worse
    for element in [e for e in spec.elements if e.needs][:6]:
        fewer = analyze(_without_need(spec, element.id))
        forward = diff_journeys(fewer, full)  # the change adds the element's first need back
        back = diff_journeys(full, fewer)
        assert {s.id for s in forward.spofs_added} == {s.id for s in back.spofs_removed}
        assert {s.id for s in forward.spofs_removed} == {s.id for s in back.spofs_added}
        assert forward.became_complex == back.became_complicated
        for s in forward.spofs_added:
            assert 1 <= s.where.line <= n_lines
            if s.line is not None:  # the blamed line is the one the change added
                assert s.line.source == element.id and s.line.location == element.needs[0].location
