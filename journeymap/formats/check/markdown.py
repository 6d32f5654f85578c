"""``--format markdown``: a pull-request comment / job summary.

The headline comes first, then a summary table (one row per journey), then the
details folded in ``<details>``. The comment stays under :data:`MAX_BYTES` (GitHub caps
comments near 64 KB): findings that do not fit are counted in an "N more" footer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.diff import CHANGED
from journeymap.escape import markdown as esc
from journeymap.escape import markdown_code
from journeymap.formats.check.text import diff_lines, verdict_change
from journeymap.rules import ERROR, NOTE, WARNING

if TYPE_CHECKING:
    from journeymap.check import CheckReport, Finding

MAX_BYTES = 60 * 1024
_ICON = {"error": ":x:", "warning": ":warning:", "note": ":information_source:"}


def _size(parts: list[str]) -> int:
    return sum(len(p.encode("utf-8")) + 1 for p in parts)


def _finding(f: Finding) -> str:
    waived = ""
    if f.waiver is not None:
        waived = f" _(waived until {f.waiver.expires.isoformat()}: {esc(f.waiver.reason)})_"
    where = markdown_code(f"{f.location.path}:{f.location.line}")
    return (f"- {_ICON.get(f.severity, '')} **{f.rule} {f.name}** {where}: "
            f"{esc(f.message)}{waived}")


def render(report: CheckReport, max_bytes: int = MAX_BYTES) -> str:
    head: list[str] = []
    if report.failed:
        head.append(f"### :x: journeymap: {len(report.failing)} finding(s) fail the check")
    else:
        head.append(f"### :white_check_mark: journeymap: nothing at or above `{report.fail_on}`")
    head.append("")
    head.append(f"**{esc(report.headline)}**")
    head.append("")
    if report.baseline:
        head.append(f"Compared with {markdown_code(report.baseline)}. "
                    + (f"Policy: {markdown_code(report.policy.source)}." if report.policy.source
                       else "Default policy."))
        head.append("")
    for note in report.notes:
        head.append(f"> {esc(note)}")
    if report.notes:
        head.append("")
    head.append("| journey | verdict | single points of failure | errors | warnings | notes |")
    head.append("|---|---|---|---:|---:|---:|")
    for j in report.journeys:
        verdict = esc(verdict_change(j.diff) if j.diff else str(j.verdict))
        if j.diff is not None and j.diff.became_complex:
            verdict = f"**{verdict}**"
        spofs = str(j.spofs)
        if j.diff is not None and j.diff.status == CHANGED:
            spofs += f" (+{len(j.diff.spofs_added)}, −{len(j.diff.spofs_removed)})"
        counted = [f for f in j.findings if f.counts]
        n = {s: sum(1 for f in counted if f.severity == s) for s in (ERROR, WARNING, NOTE)}
        head.append(f"| {markdown_code(j.journey_id, table=True)} | {verdict} | {spofs} | "
                    f"{n[ERROR]} | {n[WARNING]} | {n[NOTE]} |")
    head.append("")
    waived = f", {len(report.waived)} waived" if report.waived else ""
    head.append(f"{report.count('error')} error(s), {report.count('warning')} warning(s), "
                f"{report.count('note')} note(s){waived}; the check fails at "
                f"`--fail-on {report.fail_on}`.")
    head.append("")

    # Sections in priority order: failing findings, what changed, the rest, rule help.
    body: list[list[str]] = []
    failing = set(report.failing)
    findings = sorted(report.findings, key=lambda f: (f not in failing, f.sort_key()))
    changed = [j for j in report.journeys if j.diff is not None and j.diff.status == CHANGED]
    if changed:
        sec = ["<details><summary>What changed, journey by journey</summary>", ""]
        for j in changed:
            assert j.diff is not None
            lines = diff_lines(j.diff)
            sec.append(f"- **{esc(lines[0])}**")
            sec.extend(f"  - {esc(x.strip())}" for x in lines[1:])
        sec += ["", "</details>", ""]
        body.append(sec)

    fired = sorted({f.rule for f in report.findings})
    help_sec = ["<details><summary>What the rules mean</summary>", ""]
    for r in report.rules:
        if r.id in fired:
            # Our own help text: its `code` spans are meant as Markdown.
            help_sec.append(f"- **{r.id} {r.name}** ({r.severity}): {r.explanation} "
                            f"_What to do:_ {r.what_to_do}")
    help_sec += ["", "</details>", ""]

    footer_room = 200
    out = head[:]
    shown = 0
    if findings:
        opener = [f"<details{' open' if report.failed else ''}><summary>Findings "
                  f"({len(findings)})</summary>", ""]
        closer = ["", "</details>", ""]
        budget = max_bytes - _size(out) - _size(opener) - _size(closer) - footer_room
        lines = []
        for f in findings:
            line = _finding(f)
            if _size(lines) + _size([line]) > budget:
                break
            lines.append(line)
        shown = len(lines)
        out += opener + lines + closer
    for sec in body + [help_sec]:
        if _size(out) + _size(sec) + footer_room <= max_bytes:
            out += sec
    if shown < len(findings):
        out.append(f"_{len(findings) - shown} more finding(s) not shown here; run "
                   "`journeymap check` for the full list._")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"
