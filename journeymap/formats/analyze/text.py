"""``--format text`` (the default): a readable terminal report, plain words first.

Names come first and ids second (``Salesforce CRM [crm]``) so a CX architect can read
it aloud; colour only when the caller allows it (``--color``, ``NO_COLOR``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from journeymap.analysis.probability import EXACT, MONTE_CARLO
from journeymap.analysis.result import COMPLEX, DEPENDENCY, Cascade, JourneyAnalysis
from journeymap.analysis.risk import Probability
from journeymap.escape import log_lines, terminal
from journeymap.spec.model import Control, Spec
from journeymap.words import chance, count, percent  # one way to say a share everywhere

MAX_NAME = 38
MAX_OTHERS = 10
TOP_CUTS = 5  # cut sets of each order shown in text and Markdown (all are in JSON)
TOP_IMPORTANT = 10
TOP_FIXES = 5


def label(spec: Spec, element_id: str) -> str:
    """``Salesforce CRM [crm]``: the name first, the id second."""
    return terminal(f"{spec.by_id[element_id].name} [{element_id}]")


def collapse_words(spec: Spec, c: Cascade) -> str:
    """What is at the end of a collapse path: ``[no path from a, b to c]`` or the loss."""
    if c.collapses:
        return f"[no path from {_some(spec.entries, 'entries')} to {_some(spec.goals, 'goals')}]"
    if c.customers_lost > 0:
        return f"[{percent(c.customers_lost)} of customers lost]"
    if c.path:
        return "[customers reroute]"
    return "[no customer affected]"


def _some(elements: Sequence[object], word: str) -> str:
    ids = sorted(e.id for e in elements)  # type: ignore[attr-defined]
    return " or ".join(ids) if len(ids) <= 2 else f"any of the {len(ids)} {word}"


def path_text(spec: Spec, c: Cascade) -> str:
    """The readable chain of a failure, e.g.
    ``bitly-service (external) -> short-link -> [no path from newsletter to video]``."""
    if not c.path:
        first = ", ".join(f"{f} ({spec.control_of(f)})" for f in c.failed)
        return f"{first} -> {collapse_words(spec, c)}"
    head, *rest = c.path
    return " -> ".join([f"{head} ({spec.control_of(head)})", *rest, collapse_words(spec, c)])


def _cut(text: str, width: int = MAX_NAME) -> str:
    text = terminal(text)
    return text if len(text) <= width else text[: width - 1] + "…"


def short_label(spec: Spec, element_id: str) -> str:
    """Like :func:`label` for table cells: a long name is shortened, the id never is."""
    return f"{_cut(spec.by_id[element_id].name, MAX_NAME - 10)} [{element_id}]"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], indent: str = "  ") -> list[str]:
    """Left-aligned columns; the last column is never padded."""
    widths = [max(len(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]
    out = []
    for r in [headers, *rows]:
        cells = [str(x).ljust(widths[i]) if i < len(r) - 1 else str(x) for i, x in enumerate(r)]
        out.append((indent + "  ".join(cells)).rstrip())
    return out


def _styler(color: bool) -> Callable[..., str]:
    def style(text: str, **kw: object) -> str:
        return click.style(text, **kw) if color else text  # type: ignore[arg-type]
    return style


# --- risk in numbers (shared with the Markdown format) -------------------------------------

def probability_sentences(a: JourneyAnalysis) -> list[str]:
    """The probability lines: Q, hours a year, expected completion, how computed."""
    r = a.risk
    if r is None or r.probability is None:
        return []
    p = r.probability
    if p.collapse == 0:
        first = ("No element can fail by itself (every availability is 1), so the journey "
                 "never collapses: set `availability` on elements, parties or `defaults` "
                 "to rank the risks.")
    else:
        first = (f"The journey collapses {chance(p.collapse)} of the time: about "
                 f"{_hours(p.hours_per_year)} a year with no way through.")
    out = [first, f"Expected completion: {chance(p.completion)} of customers reach a goal "
                  f"(with nothing failed: {percent(a.baseline_completion)})."]
    if p.ci95_collapse is not None and p.method != EXACT:
        lo, hi = p.ci95_collapse
        out.append(f"95% interval of the collapse probability: {chance(lo)} to {chance(hi)}.")
    if p.ci95_completion is not None and p.completion_method != EXACT:
        lo, hi = p.ci95_completion
        out.append(f"95% interval of expected completion: {chance(lo)} to {chance(hi)}.")
    out.append(f"How: {p.note}.")
    return out


def _hours(h: float) -> str:
    if h >= 10:
        return f"{h:.0f} hours"
    if h >= 1:
        return f"{h:.1f} hours"
    return f"{h * 60:.0f} minutes"


def cut_set_groups(a: JourneyAnalysis) -> list[tuple[int, list[object]]]:
    """(order, cut sets of that order, most likely first) for every order found."""
    r = a.risk
    if r is None:
        return []
    by: dict[int, list[object]] = {}
    for c in r.cut_sets or ():
        by.setdefault(len(c.ids), []).append(c)
    return [(k, sorted(v, key=lambda c: (-c.probability, c.ids)))  # type: ignore[attr-defined]
            for k, v in sorted(by.items())]


def cut_set_title(order: int, count: int, shown: int, max_order: int) -> str:
    what = "pairs" if order == 2 else f"sets of {order}"
    one = "pair" if order == 2 else f"set of {order}"
    lead = f"{count} {what if count != 1 else one}"
    tail = f"; the {shown} most likely" if count > shown else ""
    return (f"{lead} of failures, none a single point of failure alone, that collapse the "
            f"journey together{tail} (each loses every customer who could finish):")


def importance_rows(a: JourneyAnalysis, k: int = TOP_IMPORTANT) -> list[list[str]]:
    """The elements that matter most: by criticality (their share of the collapse risk),
    then Birnbaum."""
    r = a.risk
    if r is None or r.importance is None or r.probability is None or r.probability.collapse == 0:
        return []
    imp = r.importance
    ranked = sorted(imp, key=lambda i: (-(imp[i].criticality or 0.0), -(imp[i].birnbaum or 0.0),
                                        i))
    rows = []
    for i in ranked[:k]:
        x = imp[i]
        if not (x.criticality or x.birnbaum):
            break
        rows.append([short_label(a.spec, i), f"{r.availability[i]:g}", _num(x.birnbaum),
                     _num(x.criticality), _num(x.raw), _num(x.fussell_vesely)])
    return rows


def _num(x: float | None) -> str:
    if x is None:
        return "—"
    return f"{x:,.0f}" if abs(x) >= 1000 else f"{x:.3g}"


def fix_sentence(f: object) -> str:
    """What the re-run of a fix showed, in one sentence."""
    e = f.effect  # type: ignore[attr-defined]
    parts = []
    if e.collapse_change is not None:
        saved = e.hours_per_year_saved or 0.0
        parts.append(f"collapse {chance(e.collapse_before)} -> {chance(e.collapse_after)}"
                     + (f" ({_hours(saved)} a year less)" if saved * 60 >= 1 else ""))
    if e.completion_change:
        parts.append(f"completion {e.completion_change * 100:+.3g} points")
    if e.spofs_removed:
        parts.append("no longer single points of failure: " + ", ".join(e.spofs_removed))
    if e.spofs_added:
        parts.append("new single points of failure: " + ", ".join(e.spofs_added))
    if e.lost_after < e.lost_before and f.element not in e.spofs_removed:  # type: ignore[attr-defined]
        parts.append(f"its failure stops {chance(e.lost_after)} instead of "
                     f"{chance(e.lost_before)}")
    if e.outcomes_protected and f.element not in e.spofs_removed:  # type: ignore[attr-defined]
        parts.append("outcomes no longer cut off: " + ", ".join(e.outcomes_protected))
    if e.pairs_removed or e.pairs_added:
        parts.append(f"pairs -{e.pairs_removed} +{e.pairs_added}")
    return "; ".join(parts)


def risk_lines(a: JourneyAnalysis, s: Callable[..., str]) -> list[str]:
    r = a.risk
    if r is None:
        return []
    out = [s("Risk in numbers", bold=True)]
    out += ["  " + x for x in probability_sentences(a)]
    for order, cuts in cut_set_groups(a):
        shown = cuts[:TOP_CUTS]
        out.append("  " + cut_set_title(order, len(cuts), len(shown), r.max_order))
        out += table(["Fail together", "Control", "Chance all fail"],
                     [[" + ".join(c.ids), ", ".join(c.control),  # type: ignore[attr-defined]
                       chance(c.probability)] for c in shown], indent="    ")  # type: ignore[attr-defined]
    if r.cut_sets is None:
        out.append("  Pairs of failures are not computed by default for journeys over 3,000 "
                   "elements (each element costs one more analysis); pass --max-order 2.")
    elif r.max_order >= 2 and not r.cut_sets:
        out.append(f"  No set of 2 to {r.max_order} failures collapses the journey unless it "
                   "holds a single point of failure.")
    rows = importance_rows(a)
    if rows:
        out.append("  What matters most (importance over the collapse probability):")
        out += table(["Element", "Availability", "Birnbaum", "Criticality", "RAW", "F-V"],
                     rows, indent="    ")
    if r.fixes is None:
        out.append("  Fixes are not verified for journeys over 3,000 elements (each candidate "
                   "is one more analysis of the whole journey).")
    elif r.fixes:
        out.append("  Fixes ranked by what they buy (each re-analysed on a copy of the "
                   "journey):")
        for n, f in enumerate(r.fixes[:TOP_FIXES], 1):
            out.append(f"    {n}. {f.title} [{f.kind} {f.element}]: "  # type: ignore[attr-defined]
                       f"{fix_sentence(f)}")
            out.append(f"       assumes {f.assumption}")  # type: ignore[attr-defined]
    out.append("")
    return out


def journey_lines(a: JourneyAnalysis, color: bool = False) -> list[str]:
    spec = a.spec
    s = _styler(color)
    cx = a.complexity
    n = len(spec.elements)
    tps = len(spec.touchpoints)
    out = [s(terminal(spec.journey.name), bold=True),
           f"  {terminal(spec.journey.id)} · {terminal(spec.source)} · {n} elements "
           f"({tps} touch-points, {n - tps} supports)", ""]
    ne = cx.non_endpoint_spofs
    if a.verdict == COMPLEX:
        verdict = s("COMPLEX", fg="red", bold=True)
        why = (f"{count(ne, 'element')} other than the journey's own sole entry "
               f"or goal can stop every customer on {'their' if ne != 1 else 'its'} own.")
    else:
        verdict = s("COMPLICATED", fg="green", bold=True)
        why = ("no single failure other than the journey's own sole entry or goal stops "
               "every customer; other failures lose some customers, never all.")
    out.append(f"Verdict: {verdict} — {why}")
    out.append(f"With nothing failed, {percent(a.baseline_completion)} of customers reach a goal.")
    out.append("")

    out.append(s(f"Single points of failure: {len(a.spofs)} of {n} elements "
                 f"({percent(cx.spof_share)})", bold=True))
    if a.spofs:
        rows = []
        for sp in sorted(a.spofs, key=lambda x: (x.endpoint, x.cause != DEPENDENCY, x.id)):
            control = str(sp.control)
            if sp.control == Control.EXTERNAL:
                control = s(control, fg="yellow")
            cause = sp.cause + (" (endpoint)" if sp.endpoint else "")
            rows.append([short_label(spec, sp.id), sp.type, control, cause,
                         percent(sp.customers_lost), path_text(spec, a.cascades[sp.id])])
        out += table(["What fails", "Type", "Control", "Cause", "Lost",
                      "How the journey collapses"], rows)
    else:
        out.append("  none: every single failure leaves some customers a way to a goal.")
    out.append("")

    others = sorted((c for i, c in a.cascades.items() if i not in a.spof_ids
                     and (c.customers_lost > 0 or c.spread > 0)),
                    key=lambda c: (-c.customers_lost, -c.spread, c.failed))
    if others:
        out.append(s("Failures that hurt without collapsing the journey", bold=True))
        rows = [[short_label(spec, c.failed[0]), str(spec.control_of(c.failed[0])),
                 str(len(c.down)), str(len(c.stranded)), percent(c.customers_lost),
                 path_text(spec, c)] for c in others[:MAX_OTHERS]]
        out += table(["What fails", "Control", "Down", "Stranded", "Lost", "Path"], rows)
        if len(others) > MAX_OTHERS:
            out.append(f"  … and {len(others) - MAX_OTHERS} more (see --format json)")
        out.append("")

    if cx.critical_lines:
        out.append(s("Lines that made it complex", bold=True))
        for cl in cx.critical_lines:
            ln = cl.line
            # A line written in a catalog (uses:) is named with its file.
            where = (f"line {ln.location.line}" if ln.location.path == spec.source
                     else f"{ln.location.path}:{ln.location.line}")
            out.append(f"  {label(spec, ln.source)} needs {label(spec, ln.target)} "
                       f"({ln.kind}, {where}); carries the collapse of: "
                       f"{', '.join(cl.spofs)}")
            out.append(f"    fix: {cl.fix}")
        out.append("")

    out += risk_lines(a, s)

    out.append(s("Where the risk sits", bold=True))
    out.append(f"  A single failure takes out {percent(cx.mean_spread)} of the other elements "
               f"on average, {percent(cx.max_spread)} at worst.")
    rows = [[_cut(x.name), str(x.elements), str(len(x.spofs)), percent(x.customers_at_risk),
             percent(x.mean_spread), ", ".join(x.spofs) or "—"] for x in cx.by_stage]
    out += table(["Stage", "Elements", "SPOFs", "Worst loss", "Mean spread", "SPOF ids"], rows)
    out.append("")
    rows = [[_cut(x.name), str(x.elements), str(len(x.spofs)), percent(x.customers_at_risk),
             percent(x.mean_spread), ", ".join(x.spofs) or "—"] for x in cx.by_party]
    out += table(["Party", "Elements", "SPOFs", "Worst loss", "Mean spread", "SPOF ids"], rows)
    out.append("")

    out.append(s("Control", bold=True))
    rows = [[r.control, str(r.elements), str(r.spofs), percent(r.risk_share)]
            for r in a.control_risk]
    out += table(["Control", "Elements", "SPOFs", "Share of risk"], rows)
    ext = next((r for r in a.control_risk if r.control == Control.EXTERNAL), None)
    if ext and ext.elements:
        out.append(f"  {percent(ext.risk_share)} of the journey's single-failure risk "
                   f"(customers lost, summed over every element) sits with external parties; "
                   f"{ext.spofs} external single point(s) of failure you cannot fix by yourself.")
    flow_h = sum(1 for h in a.handoffs if h.layer == "flow")
    needs_h = len(a.handoffs) - flow_h
    to_ext = sum(1 for h in a.handoffs if h.to_control == Control.EXTERNAL)
    out.append(f"  Hand-offs: {len(a.handoffs)} lines cross from one party to another "
               f"({flow_h} flow, {needs_h} needs); {to_ext} hand over to external parties.")
    out.append("")

    r = a.robustness
    out.append(s("Robustness (block-tower count)", bold=True))
    out.append(f"  Removing elements at random, the journey collapses after "
               f"{r.expected_removals_to_collapse:.1f} removals on average (of {n}; "
               f"{r.samples} seeded samples, seed {r.seed}).")
    pts = ", ".join(f"{k}: {percent(c)}" for k, c in zip(r.removed, r.completion)
                    if k <= 10)
    out.append(f"  Chance some customer can still finish after k removals — {pts}")
    if a.dependency_cycles:
        out.append("")
        out.append(s("Mutual dependencies (need each other)", bold=True))
        for cyc in a.dependency_cycles:
            out.append("  " + " <-> ".join(cyc))
    return out


def render(analyses: list[JourneyAnalysis], color: bool = False) -> str:
    blocks = ["\n".join(journey_lines(a, color)) for a in analyses]
    return log_lines(("\n\n" + "=" * 72 + "\n\n").join(blocks) + "\n")


def given_sentence(probability: tuple[Probability, Probability] | None) -> str | None:
    """``simulate``: the collapse probability given the failures, next to the usual one."""
    if probability is None:
        return None
    after, before = probability
    how = EXACT if after.method == EXACT else f"{MONTE_CARLO}, {after.trials} trials"
    if after.collapse >= 1:
        return (f"Given these failures the journey collapses for sure (usually "
                f"{chance(before.collapse)} of the time); {how}.")
    return (f"Given these failures, the journey collapses {chance(after.collapse)} of the time "
            f"({_hours(after.hours_per_year)} a year; usually {chance(before.collapse)}), and "
            f"{chance(after.completion)} of customers complete on average ({how}).")


def render_simulation(spec: Spec, c: Cascade, color: bool = False,
                      probability: tuple[Probability, Probability] | None = None) -> str:
    s = _styler(color)
    what = ", ".join(label(spec, f) for f in c.failed)
    out = [s(f"What if {what} fail{'s' if len(c.failed) == 1 else ''}?", bold=True),
           f"  {terminal(spec.journey.name)} ({terminal(spec.journey.id)})"]
    if c.collapses:
        out.append("  The journey " + s("COLLAPSES", fg="red", bold=True)
                   + f": no customer can reach a goal ({percent(c.customers_lost)} of "
                     "customers lost).")
    else:
        out.append("  The journey " + s("SURVIVES", fg="green", bold=True)
                   + f": {percent(c.customers_lost)} of customers lost.")

    def listing(title: str, ids: Sequence[str]) -> None:
        out.append(f"  {title} ({len(ids)}):" + ("" if ids else " none"))
        out.extend(f"    - {label(spec, i)} ({spec.control_of(i)})" for i in ids)

    listing("Down with it", c.down)
    listing("Stranded: up, but customers can no longer reach it", c.stranded)
    listing("Degraded: a soft need is down", c.degraded)
    out.append(f"  Path: {terminal(path_text(spec, c))}")
    given = given_sentence(probability)
    if given:
        out.append(f"  {given}")
    return log_lines("\n".join(out) + "\n")


__all__ = ["collapse_words", "label", "path_text", "percent", "render",
           "render_simulation", "table"]
