"""Review dates (JM112), waiver glob patterns and waivers that match nothing (JM113)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from journeymap.analysis import analyze
from journeymap.check import run_rules
from journeymap.policy import Policy, Waiver
from journeymap.rules import JourneyState
from journeymap.spec import load_spec
from journeymap.spec.diagnostics import Location

JOURNEY = """\
journeymap: 1
journey: {{id: {id}, name: Journey {id}, owner: web{review}}}
parties:
  - {{id: web, name: Web team, control: internal}}
  - {{id: host, name: Video host, control: external}}
touchpoints:
  - {{id: page, name: Page, entry: true, owner: web, review_by: 2026-03-01}}
  - {{id: video, name: Video, goal: true, owner: host}}
supports:
  - {{id: orphan, name: Nobody's, review_by: 2026-05-31}}
flow: [page -> video]
"""


def states(*ids: str, review: str = "") -> list[JourneyState]:
    out = []
    for jid in ids:
        path = f"specs/{jid}.journey.yaml"
        a = analyze(load_spec(path, text=JOURNEY.format(id=jid, review=review)), samples=0)
        out.append(JourneyState(path, jid, a))
    return out


def findings(report, rule: str) -> list[str]:
    return [f"{f.location.line}:{f.journey}:{f.element}:{f.message}"
            for f in report.findings if f.rule == rule]


def waiver(rule: str, journey: str | None = None, element: str | None = None) -> Waiver:
    return Waiver(rule, "accepted", dt.date(2027, 1, 1), Location("journeymap.yaml", 3, 5),
                  journey, element)


def test_review_dates_warn_after_the_day_and_name_the_owner():
    report = run_rules(states("shop", review=", review_by: 2026-05-31"), Policy(),
                       today=dt.date(2026, 6, 1))
    assert findings(report, "JM112") == [
        "2:shop:None:journey 'shop' was due for review on 2026-05-31 (1 day ago); owner: "
        "Web team ('web', internal).",
        "7:shop:page:touch-point 'page' (Page) was due for review on 2026-03-01 (92 days "
        "ago); owner: Web team ('web', internal).",
        "10:shop:orphan:support 'orphan' (Nobody's) was due for review on 2026-05-31 (1 day "
        "ago); owner: Web team ('web', internal) (the journey owner: the element names none).",
    ]
    assert all(f.severity == "warning" for f in report.findings if f.rule == "JM112")


def test_review_date_on_the_day_itself_is_not_overdue():
    report = run_rules(states("shop"), Policy(), today=dt.date(2026, 5, 31))
    assert [f.split(":")[2] for f in findings(report, "JM112")] == ["page"]
    report = run_rules(states("shop"), Policy(), today=dt.date(2026, 2, 1))
    assert findings(report, "JM112") == []


@pytest.mark.parametrize("journey, element, covered", [
    (None, "*", {"a-shop", "b-shop", "a-other"}),
    ("*-shop", None, {"a-shop", "b-shop"}),
    ("a-*", "vid?o", {"a-shop", "a-other"}),
    ("a-shop", "video", {"a-shop"}),
    ("A-SHOP", None, set()),  # ids are lowercase; patterns match case-sensitively
])
def test_waiver_globs(journey, element, covered):
    w = waiver("JM102", journey, element)
    report = run_rules(states("a-shop", "b-shop", "a-other"), Policy(waivers=(w,)),
                       today=dt.date(2026, 1, 1))
    hits = [f for f in report.findings if f.rule == "JM102"]
    assert {f.journey for f in hits if f.waiver is w} == covered
    assert {f.journey for f in hits if f.waiver is None} == {"a-shop", "b-shop",
                                                               "a-other"} - covered
    unused = findings(report, "JM113")
    assert bool(unused) == (not covered)


def test_star_element_also_covers_findings_about_the_whole_journey():
    w = waiver("JM112", None, "*")
    report = run_rules(states("shop", review=", review_by: 2026-05-31"), Policy(waivers=(w,)),
                       today=dt.date(2026, 6, 1))
    hits = [f for f in report.findings if f.rule == "JM112"]
    assert [f.element for f in hits] == [None, "page", "orphan"]
    assert all(f.waiver is w for f in hits)


def test_unused_waivers_say_why():
    ws = (waiver("JM102", "checkout"), waiver("JM108", "shop", "nothing-*"),
          waiver("JM106", None, None), waiver("JM102", "shop", "video"))
    report = run_rules(states("shop"), Policy(waivers=ws), today=dt.date(2026, 1, 1))
    messages = [f.message for f in report.findings if f.rule == "JM113"]
    assert len(messages) == 2
    assert "journey 'checkout' matches none of the 1 journey(s) checked" in messages[0]
    assert "element 'nothing-*' matches no JM108 finding in 1 journey(s)" in messages[1]
    assert all(f.location.path == "journeymap.yaml" for f in report.findings
               if f.rule == "JM113")


def test_waivers_of_rules_that_did_not_run_are_not_judged():
    ws = (waiver("JM101"), waiver("JM108", "shop"))  # JM101 needs --baseline; JM108 is off
    report = run_rules(states("shop"), Policy(waivers=ws, severities={"JM108": "off"}),
                       today=dt.date(2026, 1, 1))
    assert findings(report, "JM113") == []


def test_review_of_a_catalog_element_is_reported_once(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "p.catalog.yaml").write_text("""\
journeymap: 1
catalog: {id: p, name: P}
parties:
  - {id: vendor, name: Vendor, control: partner}
supports:
  - {id: cloud, name: Cloud, owner: vendor, review_by: 2026-01-01}
""", encoding="utf-8")
    sts = []
    for jid in ("a", "b"):
        text = (JOURNEY.format(id=jid, review="").replace("journeymap: 1\n",
                "journeymap: 1\nuses: [p.catalog.yaml]\n")
                .replace("{id: page, name: Page,", "{id: page, name: Page, needs: [cloud],"))
        path = tmp_path / f"{jid}.journey.yaml"
        path.write_text(text, encoding="utf-8")
        sts.append(JourneyState(path.name, jid, analyze(load_spec(path.name), samples=0)))
    report = run_rules(sts, Policy(), today=dt.date(2026, 6, 1))
    cloud = [f for f in report.findings if f.rule == "JM112" and f.element == "cloud"]
    assert len(cloud) == 1 and cloud[0].location.path == "p.catalog.yaml"
    assert "owner: Vendor ('vendor', partner)" in cloud[0].message
    # Findings about what the element does to each journey are still per journey.
    assert len([f for f in report.findings if f.rule == "JM108" and f.element == "cloud"]) == 2


def test_cli_today_option_and_policy_section(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    (specs / "shop.journey.yaml").write_text(JOURNEY.format(id="shop", review=""),
                                            encoding="utf-8")
    (tmp_path / "journeymap.yaml").write_text(
        "waivers:\n  - {rule: JM102, journey: chekout, reason: typo, expires: 2027-01-01}\n",
        encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "journeymap", "check", *args],
                              cwd=tmp_path, capture_output=True, text=True, timeout=60,
                              check=False, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin",
                                                "NO_COLOR": "1"})

    early = run("specs", "--today", "2026-01-01")
    late = run("specs", "--today", "2026-06-01")
    assert "JM112" not in early.stdout and late.stdout.count("JM112") == 2
    assert "journeymap.yaml:2:5: warning[JM113 unused-waiver]" in late.stdout
    assert run("specs", "--today", "2026-06-01", "--fail-on", "warning").returncode == 1
    assert Path(tmp_path / "specs").is_dir()
