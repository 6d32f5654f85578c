"""``--format text`` (the default): a readable terminal report, plain words first.

Names come first and ids second (``Salesforce CRM [crm]``) so a CX architect can read
it aloud; colour only when the caller allows it (``--color``, ``NO_COLOR``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import click

from journeymap.analysis.result import COMPLEX, DEPENDENCY, Cascade, JourneyAnalysis
from journeymap.spec.model import Control, Spec
from journeymap.words import count, percent  # the one way to say a share in every output

MAX_NAME = 38
MAX_OTHERS = 10


def label(spec: Spec, element_id: str) -> str:
    """``Salesforce CRM [crm]``: the name first, the id second."""
    return f"{spec.by_id[element_id].name} [{element_id}]"


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


def journey_lines(a: JourneyAnalysis, color: bool = False) -> list[str]:
    spec = a.spec
    s = _styler(color)
    cx = a.complexity
    n = len(spec.elements)
    tps = len(spec.touchpoints)
    out = [s(spec.journey.name, bold=True),
           f"  {spec.journey.id} · {spec.source} · {n} elements "
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
            out.append(f"  {label(spec, ln.source)} needs {label(spec, ln.target)} "
                       f"({ln.kind}, line {ln.location.line}); carries the collapse of: "
                       f"{', '.join(cl.spofs)}")
            out.append(f"    fix: {cl.fix}")
        out.append("")

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
    return ("\n\n" + "=" * 72 + "\n\n").join(blocks) + "\n"


def render_simulation(spec: Spec, c: Cascade, color: bool = False) -> str:
    s = _styler(color)
    what = ", ".join(label(spec, f) for f in c.failed)
    out = [s(f"What if {what} fail{'s' if len(c.failed) == 1 else ''}?", bold=True),
           f"  {spec.journey.name} ({spec.journey.id})"]
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
    out.append(f"  Path: {path_text(spec, c)}")
    return "\n".join(out) + "\n"


__all__ = ["collapse_words", "label", "path_text", "percent", "render",
           "render_simulation", "table"]
