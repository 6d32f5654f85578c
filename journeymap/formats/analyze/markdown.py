"""``--format markdown``: the same report as text, as GitHub-flavoured Markdown
(for PR comments and ``$GITHUB_STEP_SUMMARY``). Never coloured."""

from __future__ import annotations

from collections.abc import Sequence

from journeymap.analysis.result import COMPLEX, Cascade, JourneyAnalysis
from journeymap.analysis.risk import Probability
from journeymap.escape import markdown, markdown_code
from journeymap.formats.analyze.text import (
    TOP_CUTS,
    TOP_FIXES,
    cut_set_groups,
    cut_set_title,
    fix_sentence,
    given_sentence,
    importance_rows,
    label,
    path_text,
    probability_sentences,
)
from journeymap.spec.model import Spec
from journeymap.words import chance, percent  # the one way to say a share in every output

MAX_ROWS = 50


class _Md(str):
    """A table cell that is Markdown already (a code span we built); other cells are
    text and get escaped."""


def _code(text: str) -> _Md:
    return _Md(markdown_code(text, table=True))


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(c if isinstance(c, _Md) else markdown(c) for c in r) + " |"
            for r in rows[:MAX_ROWS]]
    if len(rows) > MAX_ROWS:
        out.append(f"\n_… and {len(rows) - MAX_ROWS} more rows (see `--format json`)._")
    return out


def journey_md(a: JourneyAnalysis) -> list[str]:
    spec = a.spec
    cx = a.complexity
    n = len(spec.elements)
    verdict = "**complex**" if a.verdict == COMPLEX else "**complicated**"
    out = [f"## {markdown(spec.journey.name)}", "",
           f"{markdown_code(spec.journey.id)} · {markdown_code(spec.source)} · {n} elements", "",
           f"Verdict: {verdict} — {cx.non_endpoint_spofs} single point(s) of failure other "
           f"than the journey's sole entry or goal. With nothing failed, "
           f"{percent(a.baseline_completion)} of customers reach a goal.", "",
           f"### Single points of failure ({len(a.spofs)} of {n})", ""]
    if a.spofs:
        out += _table(["What fails", "Type", "Control", "Cause", "Lost", "Collapse path"],
                      [[label(spec, s.id), s.type, s.control,
                        s.cause + (" (endpoint)" if s.endpoint else ""),
                        percent(s.customers_lost), _code(path_text(spec, a.cascades[s.id]))]
                       for s in a.spofs])
    else:
        out.append("None.")
    out.append("")
    if cx.critical_lines:
        out += ["### Lines that made it complex", ""]
        out += _table(["Line", "Kind", "SPOFs", "Fix"],
                      [[_Md(f"{_code(c.line.source)} needs {_code(c.line.target)}"), c.line.kind,
                        ", ".join(c.spofs), c.fix] for c in cx.critical_lines])
        out.append("")
    out += risk_md(a)
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
        out += ["", "Mutual dependencies: "
                + markdown("; ".join(" ↔ ".join(c) for c in a.dependency_cycles))]
    return out


def risk_md(a: JourneyAnalysis) -> list[str]:
    """The risk-in-numbers section: probability, cut sets, importance, verified fixes."""
    r = a.risk
    if r is None:
        return []
    out = ["### Risk in numbers", ""]
    out += [" ".join(markdown(x) for x in probability_sentences(a)), ""]
    for order, cuts in cut_set_groups(a):
        shown = cuts[:TOP_CUTS]
        out += [markdown(cut_set_title(order, len(cuts), len(shown), r.max_order)), ""]
        out += _table(["Fail together", "Control", "Chance all fail"],
                      [[_Md(" + ".join(_code(i) for i in c.ids)),  # type: ignore[attr-defined]
                        ", ".join(c.control), chance(c.probability)]  # type: ignore[attr-defined]
                       for c in shown])
        out.append("")
    rows = importance_rows(a)
    if rows:
        out += ["What matters most (importance over the collapse probability):", ""]
        out += _table(["Element", "Availability", "Birnbaum", "Criticality", "RAW", "F-V"],
                      rows)
        out.append("")
    if r.fixes:
        out += ["Fixes ranked by what they buy (each re-analysed on a copy of the journey):", ""]
        for n, f in enumerate(r.fixes[:TOP_FIXES], 1):
            out.append(f"{n}. **{markdown(f.title)}** ({_code(f.element)}, "  # type: ignore[attr-defined]
                       f"{f.kind}): {markdown(fix_sentence(f))}. "  # type: ignore[attr-defined]
                       f"_Assumes {markdown(f.assumption)}._")  # type: ignore[attr-defined]
        out.append("")
    return out


def render(analyses: list[JourneyAnalysis], color: bool = False) -> str:
    lines = ["# journeymap analysis", ""]
    for a in analyses:
        lines += journey_md(a) + [""]
    return "\n".join(lines).rstrip() + "\n"


def render_simulation(spec: Spec, c: Cascade, color: bool = False,
                      probability: tuple[Probability, Probability] | None = None) -> str:
    state = "collapses" if c.collapses else "survives"
    out = [f"## What if {', '.join(markdown_code(f) for f in c.failed)} fail?", "",
           f"The journey **{state}**: {percent(c.customers_lost)} of customers lost.", "",
           f"- Down with it: {markdown(', '.join(c.down) or 'none')}",
           f"- Stranded: {markdown(', '.join(c.stranded) or 'none')}",
           f"- Degraded: {markdown(', '.join(c.degraded) or 'none')}",
           f"- Path: {markdown_code(path_text(spec, c))}"]
    given = given_sentence(probability)
    if given:
        out += ["", markdown(given)]
    return "\n".join(out) + "\n"


__all__ = ["render", "render_simulation"]
