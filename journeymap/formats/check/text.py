"""``--format text`` (the default): plain words first, then one line per finding.

Finding lines read ``path:line:column: severity[JM101 new-spof]: message`` so editors
and terminals can jump to them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.diff import ADDED, DELETED, UNCHANGED, JourneyDiff
from journeymap.escape import terminal_lines
from journeymap.rules import ERROR, NOTE, WARNING
from journeymap.words import count, percent  # the one way to say a share in every output

if TYPE_CHECKING:
    from journeymap.check import CheckReport, Finding


def verdict_change(d: JourneyDiff) -> str:
    """``complicated -> complex``, ``complex`` (unchanged), ``new: complex``, ``deleted``."""
    if d.status == ADDED:
        return f"new: {d.new_verdict}"
    if d.status == DELETED:
        return f"deleted (was {d.old_verdict})"
    if d.old_verdict != d.new_verdict:
        return f"{d.old_verdict} -> {d.new_verdict}"
    return str(d.new_verdict)


def diff_lines(d: JourneyDiff) -> list[str]:
    """The resilience diff of one journey in plain words, headline first.

    Lines start with ``+`` (new risk), ``-`` (risk gone), ``~`` (changed).
    """
    out = [d.headline]
    if d.status in (ADDED, DELETED, UNCHANGED):
        return out
    for s in d.spofs_added:
        via = ""
        if s.line:
            loc = s.line.location  # a line written in a catalog is named with its file
            via = (f", via the new line at line {loc.line}" if loc.path == d.path
                   else f", via the new line at {loc.path}:{loc.line}")
        end = " (the journey's sole entry or goal)" if s.endpoint else ""
        out.append(f"  + new single point of failure '{s.id}' ({s.control}){end}: "
                   f"{percent(s.customers_lost)} of customers lost if it fails{via}")
    for s in d.spofs_removed:
        out.append(f"  - no longer a single point of failure: '{s.id}' ({s.control})")
    for c in d.cascades:
        parts = []
        if c.new_spread != c.old_spread:
            parts.append(f"takes out {c.new_spread} other element(s), was {c.old_spread}")
        if abs(c.lost_delta) > 1e-9:
            parts.append(f"loses {percent(c.new_lost)} of customers, was {percent(c.old_lost)}")
        if parts:
            out.append(f"  ~ a failure of '{c.id}' ({c.control}) " + "; ".join(parts))
    for h in d.handoffs_added:
        what = "flow" if h.layer == "flow" else f"needs ({h.kind})"
        out.append(f"  + new hand-off {h.source} -> {h.target} [{what}] to "
                   f"{h.to_party or 'no owner'} ({h.to_control})")
    for h in d.handoffs_removed:
        out.append(f"  - hand-off removed: {h.source} -> {h.target} [{h.layer}]")
    if d.old_completion is not None and d.new_completion is not None \
            and abs(d.old_completion - d.new_completion) > 1e-9:
        out.append(f"  ~ customers reaching a goal with nothing failed: "
                   f"{percent(d.new_completion)}, was {percent(d.old_completion)}")
    return out


def finding_line(f: Finding) -> str:
    tag = f"{f.severity}[{f.rule} {f.name}]"
    waived = ""
    if f.waiver is not None:
        waived = f" [waived until {f.waiver.expires.isoformat()}: {f.waiver.reason}]"
    return f"{f.location}: {tag}: {f.message}{waived}"


def summary_line(report: CheckReport) -> str:
    counts = [count(report.count(s), str(s)) for s in (ERROR, WARNING, NOTE)]
    waived = f", {len(report.waived)} waived" if report.waived else ""
    verdict = (f"FAILED: {len(report.failing)} finding(s) at or above '{report.fail_on}'"
               if report.failed else f"passed: nothing at or above '{report.fail_on}'")
    return f"{', '.join(counts)}{waived}. {verdict}."


def render(report: CheckReport) -> str:
    lines = []
    against = f", compared with {report.baseline}" if report.baseline else ""
    lines.append(f"journeymap check: {len(report.journeys)} journey(s){against}")
    lines.append("")
    lines.append(report.headline)
    for note in report.notes:
        lines.append(f"note: {note}")
    for j in report.journeys:
        lines.append("")
        verdict = verdict_change(j.diff) if j.diff else str(j.verdict)
        lines.append(f"{j.path} — {j.journey_id}: {j.name} [{verdict}]")
        if j.diff is not None:
            lines.extend("  " + x for x in diff_lines(j.diff))
        for f in j.findings:
            lines.append("  " + finding_line(f))
        if not j.findings:
            lines.append("  no findings")
    policy_findings = report.policy_findings
    if policy_findings:
        lines.append("")
        lines.append(f"policy {report.policy.source}:")
        lines.extend("  " + finding_line(f) for f in policy_findings)
    lines.append("")
    lines.append(summary_line(report))
    return terminal_lines("\n".join(lines) + "\n")  # spec text: no controls, no "::" lines
