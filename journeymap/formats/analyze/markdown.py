"""``--format markdown``: the same report as text, as GitHub-flavoured Markdown
(for PR comments and ``$GITHUB_STEP_SUMMARY``). Never coloured."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.result import COMPLEX, Cascade, JourneyAnalysis
from journeymap.formats.analyze.text import label, path_text
from journeymap.spec.model import Spec
from journeymap.words import percent  # the one way to say a share in every output

MAX_ROWS = 50


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(_esc(str(c)) for c in r) + " |" for r in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        out.append(f"\n_… and {len(rows) - MAX_ROWS} more rows (see `--format json`)._")
    return out


def journey_md(a: JourneyAnalysis) -> list[str]:
    spec = a.spec
    cx = a.complexity
    n = len(spec.elements)
    verdict = "**complex**" if a.verdict == COMPLEX else "**complicated**"
    out = [f"## {_esc(spec.journey.name)}", "",
           f"`{spec.journey.id}` · `{spec.source}` · {n} elements", "",
           f"Verdict: {verdict} — {cx.non_endpoint_spofs} single point(s) of failure other "
           f"than the journey's sole entry or goal. With nothing failed, "
           f"{percent(a.baseline_completion)} of customers reach a goal.", "",
           f"### Single points of failure ({len(a.spofs)} of {n})", ""]
    if a.spofs:
        out += _table(["What fails", "Type", "Control", "Cause", "Lost", "Collapse path"],
                      [[label(spec, s.id), s.type, s.control,
                        s.cause + (" (endpoint)" if s.endpoint else ""),
                        percent(s.customers_lost), f"`{path_text(spec, a.cascades[s.id])}`"]
                       for s in a.spofs])
    else:
        out.append("None.")
    out.append("")
    if cx.critical_lines:
        out += ["### Lines that made it complex", ""]
        out += _table(["Line", "Kind", "SPOFs", "Fix"],
                      [[f"`{c.line.source}` needs `{c.line.target}`", c.line.kind,
                        ", ".join(c.spofs), c.fix] for c in cx.critical_lines])
        out.append("")
    out += ["### Where the risk sits", "",
            f"A single failure takes out {percent(cx.mean_spread)} of the other elements on "
            f"average, {percent(cx.max_spread)} at worst.", ""]
    out += _table(["Stage", "Elements", "SPOFs", "Worst loss", "Mean spread"],
                  [[x.name, str(x.elements), ", ".join(x.spofs) or "—",
                    percent(x.customers_at_risk), percent(x.mean_spread)] for x in cx.by_stage])
    out.append("")
    out += _table(["Party", "Elements", "SPOFs", "Worst loss", "Mean spread"],
                  [[x.name, str(x.elements), ", ".join(x.spofs) or "—",
                    percent(x.customers_at_risk), percent(x.mean_spread)] for x in cx.by_party])
    out += ["", "### Control", ""]
    out += _table(["Control", "Elements", "SPOFs", "Share of risk"],
                  [[r.control, str(r.elements), str(r.spofs), percent(r.risk_share)]
                   for r in a.control_risk])
    r = a.robustness
    out += ["", f"**Block-tower count:** the journey collapses after "
                f"{r.expected_removals_to_collapse:.1f} random removals on average "
                f"({r.samples} seeded samples)."]
    if a.dependency_cycles:
        out += ["", "Mutual dependencies: " + "; ".join(" ↔ ".join(c) for c in a.dependency_cycles)]
    return out


def render(analyses: list[JourneyAnalysis], color: bool = False) -> str:
    lines = ["# journeymap analysis", ""]
    for a in analyses:
        lines += journey_md(a) + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_simulation(spec: Spec, c: Cascade, color: bool = False) -> str:
    state = "collapses" if c.collapses else "survives"
    out = [f"## What if {', '.join(f'`{f}`' for f in c.failed)} fail?", "",
           f"The journey **{state}**: {percent(c.customers_lost)} of customers lost.", "",
           f"- Down with it: {', '.join(c.down) or 'none'}",
           f"- Stranded: {', '.join(c.stranded) or 'none'}",
           f"- Degraded: {', '.join(c.degraded) or 'none'}",
           f"- Path: `{path_text(spec, c)}`"]
    return "\n".join(out) + "\n"


__all__ = ["render", "render_simulation"]
