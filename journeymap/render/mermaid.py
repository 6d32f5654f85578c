"""Journey diagrams as Mermaid flowcharts, for Markdown (GitHub, GitLab, wikis).

Mermaid lays out by itself, so the blueprint is approximated: one subgraph per stage
(left to right), each with a frontstage and a backstage box. Styles follow the DOT
diagram: fill by control, thick red border for SPOFs, thick flow lines, dotted soft
needs, a junction node for redundancy groups, the collapse path in red.
"""

from __future__ import annotations

import json
import re

from journeymap.analysis.result import Cascade, JourneyAnalysis
from journeymap.escape import mermaid as text  # the one Mermaid escaper
from journeymap.render import style as S
from journeymap.render.view import (
    DEGRADED,
    DOWN,
    FAILED,
    STRANDED,
    View,
    build_view,
    flow_percentages,
)
from journeymap.spec.model import Control, Spec
from journeymap.words import percent


class _Ids:
    """Mermaid-safe node ids (``n_`` + id, '-' as '_'), unique, stable."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, key: str, prefix: str = "n_") -> str:
        if key not in self.ids:
            base = prefix + re.sub(r"[^A-Za-z0-9_]", "_", key)
            cand, n = base, 2
            while cand in self.used:
                cand, n = f"{base}_{n}", n + 1
            self.used.add(cand)
            self.ids[key] = cand
        return self.ids[key]


def view_mermaid(v: View) -> str:
    spec = v.spec
    ids = _Ids()
    highlighting = v.cascade is not None
    lines: list[str] = []
    title = spec.journey.name
    if v.cascade is not None:
        title += " — " + _cascade_sentence(spec, v.cascade)
    elif v.verdict:
        title += f" — verdict: {v.verdict} ({len(v.spofs)} SPOFs)"
    if v.scope:
        title += f" — showing {v.scope}"
    lines += ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---", "flowchart LR"]

    def label(i: str) -> str:
        e = spec.by_id[i]
        tag = (e.channel or "touch-point") if e.is_touchpoint else (e.kind or "support")
        tags = [tag.upper()] + (["ENTRY"] if e.entry else []) + (["GOAL"] if e.goal else [])
        control = spec.control_of(i)
        parts = [text(" · ".join(tags)), f"<b>{text(e.name)}</b>",
                 text(f"{i} · {spec.party_name(i)} ({control})")]
        state = v.state.get(i)
        if state in S.STATE_MARK:
            parts.append(f"<b>{text(S.STATE_MARK[state])}</b>")
        elif i in v.spofs and not highlighting:
            parts.append(f"<b>{text('⚠ SPOF')}</b>")
        return "<br/>".join(parts)

    for col in v.columns:
        key = col.id or "_nostage"
        name = f"{col.index} · {col.name}" if col.index else (col.name or "Journey")
        lines.append(f'  subgraph {ids(key, "s_")}["{text(name)}"]')
        lines.append("    direction TB")
        for part, members in (("front", col.touchpoints), ("back", col.supports)):
            gates = [g for g in v.gates if g.column == col.id] if part == "back" else []
            if not members and not gates:
                continue
            caption = "frontstage" if part == "front" else "backstage"
            lines.append(f'    subgraph {ids(key + "~" + part, "s_")}["{caption}"]')
            for i in members:
                e = spec.by_id[i]
                shape = ('("', '")') if e.is_touchpoint else ('["', '"]')
                lines.append(f"      {ids(i)}{shape[0]}{label(i)}{shape[1]}")
            for g in gates:
                lines.append(f'      {ids(g.id, "g_")}(("{text(g.label)}"))')
            lines.append("    end")
        lines.append("  end")

    links: list[str] = []  # linkStyle lines, by link index
    n_links = 0
    steps = {(b, a) for a, b in v.path_steps}  # (needer, needed) pairs on the collapse path
    pct = flow_percentages(spec)
    for f in spec.flows:
        if not v.draws(f.source, f.target):
            continue
        lab = f'|"{percent(pct[(f.source, f.target)])}"|' if (f.source, f.target) in pct else ""
        lines.append(f"  {ids(f.source)} ==>{lab} {ids(f.target)}")
        colour = S.ALERT if (f.source, f.target) in set(v.path_steps) else S.FLOW
        links.append(f"  linkStyle {n_links} stroke:{colour},stroke-width:3px")
        n_links += 1
    gate_of = {(g.source, g.need): g for g in v.gates}
    for e in spec.elements:
        for need in e.needs:
            arrow = "-->" if need.hard else "-.->"
            colour = S.NEEDS_STYLE[need.kind].colour
            gate = gate_of.get((e.id, need))
            pairs = []
            if need.form != "id" and gate is None:
                continue  # the group's owner is not in this view
            if gate is None:
                (t,) = need.targets
                if v.draws(e.id, t):
                    pairs.append((ids(e.id), ids(t), (e.id, t) in steps))
            else:
                drawn = [t for t in need.targets if v.draws(e.id, t)]
                on_path = any((e.id, t) in steps for t in need.targets)
                pairs.append((ids(e.id), ids(gate.id, "g_"), on_path))
                pairs += [(ids(gate.id, "g_"), ids(t), (e.id, t) in steps) for t in drawn]
            for a, b, on_path in pairs:
                lines.append(f"  {a} {arrow}|{need.kind}| {b}")
                width = "4px" if on_path else "1.5px"
                links.append(f"  linkStyle {n_links} stroke:{S.ALERT if on_path else colour},"
                             f"stroke-width:{width}")
                n_links += 1

    lines += [f"  classDef {c} fill:{S.CONTROL_FILL[c]},stroke:{S.CONTROL_BORDER[c]},color:{S.INK}"
              for c in Control]
    lines.append(f"  classDef spof stroke:{S.ALERT},stroke-width:4px")
    lines.append(f"  classDef faded fill:#FFFFFF,stroke:{S.FADED},color:{S.FADED}")
    for st in (FAILED, DOWN, STRANDED, DEGRADED):
        border = S.ALERT if st in (FAILED, DOWN) else S.MUTED
        ink = "#FFFFFF" if st == FAILED else S.INK
        lines.append(f"  classDef {st} fill:{S.STATE_FILL[st]},stroke:{border},"
                     f"stroke-width:3px,color:{ink}")
    classes: dict[str, list[str]] = {}
    for i in sorted(v.visible, key=[e.id for e in spec.elements].index):
        if i in v.context:
            cls = "faded"
        elif highlighting:
            cls = v.state.get(i, "faded")
            cls = cls if cls in S.STATE_MARK else "faded"
        else:
            cls = str(spec.control_of(i))
        classes.setdefault(cls, []).append(ids(i))
        if i in v.spofs and not highlighting and i not in v.context:
            classes.setdefault("spof", []).append(ids(i))
    for cls in sorted(classes):
        lines.append(f"  class {','.join(classes[cls])} {cls}")
    lines += links
    return "\n".join(lines) + "\n"


def _cascade_sentence(spec: Spec, c: Cascade) -> str:
    who = ", ".join(c.failed)
    end = ", the journey collapses" if c.collapses else ""
    return (f"if {who} fails: {len(c.down)} down, {len(c.stranded)} stranded, "
            f"{percent(c.customers_lost)} of customers lost{end}")


def diagram_mermaid(spec: Spec, analysis: JourneyAnalysis | None = None, *,
                    highlight: str | Cascade | None = None, focus: str | None = None,
                    depth: int = 2, stage: str | None = None) -> str:
    """The journey as a Mermaid flowchart (same options as :func:`diagram_dot`)."""
    return view_mermaid(build_view(spec, analysis, highlight=highlight, focus=focus,
                                   depth=depth, stage=stage))
