"""``--format junit``: JUnit XML (the Jenkins/GitLab shape) for test-report dashboards.

One ``<testsuite>`` per spec file, one ``<testcase>`` per rule for that journey. A
testcase fails when the rule found something at or above ``--fail-on`` that no waiver
covers; its findings are in the ``<failure>`` text too (GitLab ignores the message
attribute). Findings below the bar, and waived ones, go to ``<system-out>``. A rule that
cannot judge the journey (a change rule without a baseline, or on a new journey) is a
``<skipped>`` testcase, so a green dashboard never claims a check that did not run.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from journeymap.diff import ADDED
from journeymap.escape import log_lines, terminal, xml_chars
from journeymap.formats.check.text import finding_line
from journeymap.rules import CHANGE, POLICY, STATE, severity_rank

if TYPE_CHECKING:
    from journeymap.check import CheckReport, Finding, JourneyResult
    from journeymap.rules import Rule


def _skip_reason(rule: Rule, journey: JourneyResult) -> str | None:
    """Why ``rule`` could not judge ``journey`` (a skipped testcase), or ``None``."""
    if rule.scope == STATE and journey.verdict is None:
        return "the journey was deleted"
    if rule.scope == CHANGE:
        if journey.diff is None:
            return "no --baseline: change rules need one"
        if journey.diff.status == ADDED:
            return "a new journey has no baseline"
    return None


def _suite(parent: ET.Element, name: str, journey: str,
           cases: list[tuple[str, list[Finding], str | None]], bar: int) -> tuple[int, int]:
    suite = ET.SubElement(parent, "testsuite", name=name, tests=str(len(cases)))
    failures = skipped = 0
    for case_name, findings, skip in cases:
        case = ET.SubElement(suite, "testcase", classname=journey or "policy", name=case_name,
                             file=name)
        if skip is not None:
            skipped += 1
            ET.SubElement(case, "skipped", message=skip)
            continue
        failing = [f for f in findings if f.counts and severity_rank(f.severity) >= bar]
        other = [f for f in findings if f not in failing]
        if failing:
            failures += 1
            fail = ET.SubElement(case, "failure", type=failing[0].rule,
                                 message=terminal(failing[0].message))
            fail.text = "\n".join(terminal(finding_line(f)) for f in failing)
        if other:
            ET.SubElement(case, "system-out").text = "\n".join(terminal(finding_line(f))
                                                               for f in other)
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", str(skipped))
    return len(cases), failures


def render(report: CheckReport) -> str:
    bar = severity_rank(report.fail_on)
    root = ET.Element("testsuites", name="journeymap check")
    tests = failures = 0
    journey_rules = [r for r in report.rules if r.scope in (CHANGE, STATE)]
    for j in report.journeys:
        by_rule = {r.id: [f for f in j.findings if f.rule == r.id] for r in journey_rules}
        cases = [(f"{r.id} {r.name}", by_rule[r.id], _skip_reason(r, j)) for r in journey_rules]
        t, fl = _suite(root, j.path, j.journey_id, cases, bar)
        tests, failures = tests + t, failures + fl
    policy_rules = [r for r in report.rules if r.scope == POLICY]
    if report.policy.source and policy_rules:
        cases = [(f"{r.id} {r.name}", [f for f in report.findings if f.rule == r.id], None)
                 for r in policy_rules]
        t, fl = _suite(root, report.policy.source, "", cases, bar)
        tests, failures = tests + t, failures + fl
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", "0")
    ET.indent(root)
    doc = ET.tostring(root, encoding="unicode")
    # Finding lines in <failure> text start lines of the file: keep them log-safe too.
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + log_lines(xml_chars(doc)) + "\n"
