"""Journey diagrams as Graphviz DOT text, in the layout of a service blueprint.

Stages are columns left to right; touch-points (frontstage) stand above a dashed "line
of visibility", the supports they need (backstage) below it. Built as plain text, not
through a graph library, so every byte is ours: the same spec gives the same DOT.

>>> from journeymap.spec import load_spec  # doctest: +SKIP
>>> print(diagram_dot(load_spec("specs/newsletter-video.journey.yaml")))  # doctest: +SKIP
digraph "newsletter-video" { ...
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass

from journeymap.analysis.result import COMPLEX, Cascade, JourneyAnalysis
from journeymap.escape import dot_html as html  # the one DOT escaper (strings, labels)
from journeymap.escape import dot_string as quote
from journeymap.render import style as S
from journeymap.render.grid import stage_grids
from journeymap.render.scale import SPLINES, choose_routing
from journeymap.render.view import (
    DEGRADED,
    DOWN,
    FAILED,
    STRANDED,
    UNAFFECTED,
    Column,
    View,
    build_view,
    flow_percentages,
)
from journeymap.spec.model import Control, Element, Need, Spec
from journeymap.words import (
    CONTROL_LEGEND,
    DIAGRAM_LABELS,
    LEADER,
    PLAIN,
    Style,
    control_label,
    count,
    fails,
    people,
    percent,
    singular,
)

WRAP = 24  # characters per line of an element name: keeps columns narrow


def wrapped(text: str, width: int = WRAP) -> str:
    """``text`` wrapped to lines of about ``width`` characters, HTML-escaped."""
    lines = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, width, break_long_words=True,
                                   break_on_hyphens=True) or [""])
    return "<BR/>".join(html(line) for line in lines)


def _font(text: str, size: int | None = None, colour: str | None = None,
          bold: bool = False) -> str:
    attrs = (f' POINT-SIZE="{size}"' if size else "") + (f' COLOR="{colour}"' if colour else "")
    body = f"<B>{text}</B>" if bold else text
    return f"<FONT{attrs}>{body}</FONT>" if attrs else body


class _Writer:
    def __init__(self, view: View, routing: str = "auto", anchors: bool = False,
                 words: Style = PLAIN):
        self.v = view
        self.spec = view.spec
        self.label = DIAGRAM_LABELS[words]  # the audience's words for the diagram's marks
        self.leader = words == LEADER  # names only: no ids, no file names, no engine words
        self.out: list[str] = []
        self.highlighting = view.cascade is not None
        self.routing = routing
        self.anchors = anchors  # SVG ids and classes on every element and line (explorer)
        self.lines = 0

    # ---- helpers -------------------------------------------------------------------
    def emit(self, line: str, indent: int = 1) -> None:
        self.out.append("  " * indent + line)

    def state(self, element_id: str) -> str:
        return self.v.state.get(element_id, UNAFFECTED)

    def faded(self, element_id: str) -> bool:
        """Drawn in grey: context nodes, and what a highlighted failure leaves alone."""
        if element_id in self.v.context:
            return True
        return self.highlighting and self.state(element_id) == UNAFFECTED

    # ---- nodes ---------------------------------------------------------------------
    def node_rows(self, e: Element) -> list[_Row]:
        """The label of an element, row by row: kind/channel, name, id and owner, mark."""
        spec, v = self.spec, self.v
        control = str(spec.control_of(e.id))
        faded = self.faded(e.id)
        state = self.state(e.id)
        ink = S.FADED if faded else ("#FFFFFF" if state == FAILED else S.INK)
        small = S.FADED if faded else ("#FFFFFF" if state == FAILED else S.MUTED)
        tags = [(e.channel or "touch-point").upper()] if e.is_touchpoint \
            else [(e.kind or "support").upper()]
        if e.entry:
            tags.append("▶ ENTRY")
        if e.goal:
            tags.append("★ GOAL")
        party = spec.party_name(e.id)
        said = control_label(control) if self.leader else control
        owner = f"{party} ({said})" if control != Control.UNKNOWN else "no owner"
        rows = [_Row([" · ".join(tags)], 8, small),
                _Row(_wrap(e.name), 11 if e.is_touchpoint else 10, ink, bold=True),
                _Row(([] if self.leader else [e.id]) + _wrap(owner, WRAP + 6), 8, small)]
        spof = v.spofs.get(e.id)
        if state in S.STATE_MARK:
            colour = "#FFFFFF" if state == FAILED else (S.ALERT if state == DOWN else S.INK)
            mark = self.label["mark.stranded"] if state == STRANDED else S.STATE_MARK[state]
            rows.append(_Row([mark], 9, colour, bold=True))
        elif spof is not None and not faded and not self.highlighting:
            what = "spof.endpoint" if spof.endpoint else f"spof.{spof.cause}"
            lost = (f"{percent(spof.customers_lost, LEADER)} of {people(spec)} stopped"
                    if self.leader else f"{percent(spof.customers_lost)} of customers lost")
            rows.append(_Row([self.label[what], lost], 9, S.ALERT, bold=True))
        return rows

    def node(self, e: Element, pos: tuple[float, float], indent: int = 1) -> None:
        control = str(self.spec.control_of(e.id))
        state = self.state(e.id)
        faded = self.faded(e.id)
        rows = self.node_rows(e)
        w, h = _rows_size(rows)
        attrs = {
            "label": _rows_html(rows),
            "shape": "box",
            "style": quote("rounded,filled" if e.is_touchpoint else "filled"),
            "fillcolor": quote(S.CONTROL_FILL[control]),
            "color": quote(S.CONTROL_BORDER[control]),
            "penwidth": "1.2",
            "width": _inch(w), "height": _inch(h), "pos": _pos(pos),
        }
        if e.description:
            attrs["tooltip"] = quote(e.description.strip())
        if self.highlighting:
            attrs["fillcolor"] = quote(S.STATE_FILL[state])
            if state in (FAILED, DOWN):
                attrs["color"] = quote(S.ALERT)
                attrs["penwidth"] = "3"
            elif state == STRANDED:
                attrs["color"] = quote(S.MUTED)
                attrs["style"] = quote(("rounded," if e.is_touchpoint else "") + "filled,dashed")
                attrs["penwidth"] = "2"
            elif state == DEGRADED:
                attrs["color"] = quote("#B57F00")
        elif e.id in self.v.spofs and not faded:
            attrs["color"] = quote(S.ALERT)
            attrs["penwidth"] = "4"
        if faded:
            attrs["fillcolor"] = quote("#FFFFFF")
            attrs["color"] = quote(S.FADED)
            if e.id in self.v.context:
                attrs["style"] = quote(("rounded," if e.is_touchpoint else "") + "filled,dashed")
        if self.anchors:
            attrs["id"] = quote(f"n~{e.id}")
            attrs["class"] = quote(("touchpoint" if e.is_touchpoint else "support") + " element")
        self.emit(f"{quote(e.id)} [{_attrs(attrs)}]", indent)

    def size_of(self, node_id: str) -> tuple[float, float]:
        if node_id in self.spec.by_id:
            return _rows_size(self.node_rows(self.spec.by_id[node_id]))
        return GATE_SIZE

    # ---- layout skeleton -----------------------------------------------------------
    def skeleton(self) -> None:
        """Place every node on the blueprint grid (see grid.py) and draw the lanes.

        Positions are computed here, in points, and pinned (``pos="x,y!"``); Graphviz
        (``layout=neato``) only routes the lines around the nodes. The background --
        stage rules, frontstage/backstage bands, the line of visibility -- is drawn
        with ``_background`` so lines are not routed around it.
        """
        v = self.v
        grids = stage_grids(v)
        size = {i: self.size_of(i) for i in v.visible} | \
            {g.id: GATE_SIZE for g in v.gates}
        n_front = max([len(g.front) for g in grids.values()] + [1])
        n_back = max([len(g.back) for g in grids.values()] + [1])

        def row_height(rows: list[tuple]) -> float:
            return max([size[i][1] for row in rows for i in row if i] + [36.0])

        front_h = [row_height([g.front[r] for g in grids.values() if r < len(g.front)])
                   for r in range(n_front)]
        back_h = [row_height([g.back[r] for g in grids.values() if r < len(g.back)])
                  for r in range(n_back)]
        # Columns: as many slots as the widest row; a slot fits the widest node.
        x = LANE_W
        col_x: list[tuple[float, float]] = []
        slot_w: list[float] = []
        for col in v.columns:
            g = grids[col.id]
            ids = [i for row in g.front + g.back for i in row if i]
            slots = max([len(r) for r in g.front + g.back] + [1])
            sw = max([size[i][0] for i in ids] + [80.0]) + H_GAP
            title_w = _text_width(self.column_title(col), 13, True) + 40
            width = max(slots * sw, title_w) + 2 * COL_PAD
            col_x.append((x, x + width))
            slot_w.append(sw)
            x += width
        right = x
        # Rows, top to bottom (y grows downward here; flipped when written).
        y = HEADER_H
        front_y = []
        for h in front_h:
            front_y.append(y + V_GAP / 2 + h / 2)
            y += h + V_GAP
        lov_y = y + LOV_GAP / 2
        y += LOV_GAP
        back_y = []
        for h in back_h:
            back_y.append(y + V_GAP / 2 + h / 2)
            y += h + V_GAP
        bottom = y + COL_PAD
        legend_rows = self.legend_rows()
        legend_w, legend_h = _legend_size(legend_rows)
        total_w = right + LEGEND_GAP + legend_w
        total_h = max(bottom, HEADER_H + legend_h + 10)

        def at(px: float, py: float) -> tuple[float, float]:
            return (round(px, 1), round(total_h - py, 1))

        # The background: bands, stage rules, the line of visibility.
        bg = [_xstr("C", S.FRONTSTAGE_BG), _xstr("c", S.FRONTSTAGE_BG),
              _poly([at(LANE_W, HEADER_H), at(right, HEADER_H), at(right, lov_y),
                     at(LANE_W, lov_y)]),
              _xstr("C", S.BACKSTAGE_BG), _xstr("c", S.BACKSTAGE_BG),
              _poly([at(LANE_W, lov_y), at(right, lov_y), at(right, bottom),
                     at(LANE_W, bottom)]),
              _xstr("c", S.COLUMN_RULE), _xstr("S", "solid")]
        for x0, _ in col_x + [(right, right)]:
            bg.append(_line([at(x0, 4), at(x0, bottom)]))
        bg += [_xstr("c", S.VISIBILITY), _xstr("S", "dashed"), _xstr("S", "setlinewidth(2)"),
               _line([at(8, lov_y), at(right, lov_y)])]
        self.emit(f"graph [_background={quote(' '.join(bg))}]")
        # Corner anchors: the drawing's bounding box is exactly the background's.
        for name, pt in (("corner~0", at(0, 0)), ("corner~1", at(total_w, total_h))):
            self.emit(f"{quote(name)} [shape=point, style=invis, width=0.01, pos={_pos(pt)}]")
        one = singular(people(self.spec)) if self.leader else "customer"
        for label, py, colour in ((f"FRONTSTAGE\nthe {one} sees", front_y[0], S.MUTED),
                                  ("line of visibility", lov_y - 9, S.VISIBILITY),
                                  ("BACKSTAGE\nbehind the scenes", back_y[0], S.MUTED)):
            self.emit(f"{quote('lane~' + label.split()[0])} [shape=plaintext, fontsize=9, "
                      f"fontcolor={quote(colour)}, label={quote(label)}, width=1.2, height=0.3, "
                      f"pos={_pos(at(LANE_W / 2, py))}]")
        for col, (x0, x1), sw in zip(v.columns, col_x, slot_w):
            key = col.id or "_nostage"
            self.emit(f"// stage column: {key}")
            self.emit(f"{quote('stage~' + key)} [shape=box, style=\"rounded,filled\", "
                      f"fillcolor={quote(S.HEADER_BG)}, color={quote(S.HEADER_BG)}, "
                      f"width={_inch(x1 - x0 - 16)}, height=0.4, "
                      f"label=<{_font(html(self.column_title(col)), 13, S.INK, bold=True)}>, "
                      f"pos={_pos(at((x0 + x1) / 2, HEADER_H / 2 + 2))}]")
            g = grids[col.id]
            inner = x1 - x0 - 2 * COL_PAD
            for r, row in enumerate(g.front):
                for n, i in enumerate(row):
                    if i is not None:
                        self.node(self.spec.by_id[i], at(x0 + COL_PAD + (n + 0.5) * sw, front_y[r]))
            gates = {gt.id: gt for gt in v.gates}
            for r, row in enumerate(g.back):
                offset = (inner - len(row) * sw) / 2  # centre short rows
                for n, i in enumerate(row):
                    pt = at(x0 + COL_PAD + offset + (n + 0.5) * sw, back_y[r])
                    if i in gates:
                        gt = gates[i]
                        self.gate_node(gt.id, gt.label, gt.need, gt.source, pt)
                    else:
                        self.node(self.spec.by_id[i], pt)
        lx = right + LEGEND_GAP + legend_w / 2
        self.legend(legend_rows, at(lx, HEADER_H + legend_h / 2))

    def column_title(self, col: Column) -> str:
        return f"{col.index} · {col.name}" if col.index else (col.name or "Journey")

    def gate_node(self, node_id: str, label: str, need: Need, source: str,
                  pos: tuple[float, float]) -> None:
        ls = S.NEEDS_STYLE[need.kind]
        faded = self.faded(source)
        colour = S.FADED if faded else ls.colour
        style = "filled" + (",dashed" if not need.hard else "")
        self.emit(f"{quote(node_id)} [shape=ellipse, style={quote(style)}, "
                  f"fillcolor=\"#FFFFFF\", color={quote(colour)}, penwidth=1.6, "
                  f"width={_inch(GATE_SIZE[0])}, height={_inch(GATE_SIZE[1])}, fixedsize=true, "
                  f"fontsize=9, fontcolor={quote(S.FADED if faded else S.INK)}, "
                  f"label=<{_font(html(label), bold=True)}>, pos={_pos(pos)}, "
                  f"tooltip={quote(source + ' needs ' + need.describe())}]")

    # ---- lines ---------------------------------------------------------------------
    def flow_lines(self) -> None:
        v, spec = self.v, self.spec
        pct = flow_percentages(spec)
        path = set(v.path_steps)
        for f in spec.flows:
            if not v.draws(f.source, f.target):
                continue
            # Rows are fixed by the grid; lines only get routed (constraint=false).
            attrs = {"color": quote(S.FLOW), "penwidth": "2.4", "arrowsize": "0.9",
                     "constraint": "false"}
            if (f.source, f.target) in pct:
                attrs["label"] = quote(percent(pct[(f.source, f.target)]))
                attrs["fontcolor"] = quote(S.FLOW)
            if f.note:
                attrs["tooltip"] = quote(f.note)
            if self.faded(f.source) or self.faded(f.target):
                attrs["color"] = quote(S.FADED)
            if (f.source, f.target) in path:
                attrs.update(color=quote(S.ALERT), penwidth="4")
            self.edge(f.source, f.target, attrs, "flow")

    def needs_attrs(self, source: str, target: str, need: Need) -> dict[str, str]:
        ls = S.NEEDS_STYLE[need.kind]
        attrs = {"color": quote(ls.colour), "arrowhead": ls.arrowhead, "penwidth": "1.4",
                 "arrowsize": "0.8", "constraint": "false"}
        if not need.hard:
            attrs["style"] = "dashed"
        tip = f"{source} needs {need.describe()} ({need.kind}, {need.strength})"
        if need.note:
            tip += f": {need.note}"
        attrs["tooltip"] = quote(tip)
        if self.faded(source) or self.faded(target):
            attrs["color"] = quote(S.FADED)
        return attrs

    def needs_lines(self) -> None:
        v, spec = self.v, self.spec
        gates = {(g.source, g.need): g for g in v.gates}
        # A collapse step (a, b) means b went down because it needs a.
        step_no = {(b, a): n for n, (a, b) in enumerate(v.path_steps, 1)}
        for e in spec.elements:
            for need in e.needs:
                gate = gates.get((e.id, need))
                if need.form != "id" and gate is None:
                    continue  # the group's owner is not in this view
                if gate is None:
                    (t,) = need.targets
                    if not v.draws(e.id, t):
                        continue
                    attrs = self.needs_attrs(e.id, t, need)
                    self.mark_step(attrs, step_no.get((e.id, t)))
                    self.edge(e.id, t, attrs, "needs")
                    continue
                members = [t for t in need.targets if v.draws(e.id, t)]
                attrs = self.needs_attrs(e.id, gate.id, need)
                attrs["arrowhead"] = "none"
                steps = [step_no[(e.id, t)] for t in need.targets if (e.id, t) in step_no]
                self.mark_step(attrs, steps[0] if steps else None)
                self.edge(e.id, gate.id, attrs, "needs")
                for t in members:
                    attrs = self.needs_attrs(e.id, t, need)
                    attrs["penwidth"] = "1.1"
                    self.mark_step(attrs, step_no.get((e.id, t)))
                    self.edge(gate.id, t, attrs, "needs")

    def edge(self, source: str, target: str, attrs: dict[str, str], kind: str) -> None:
        self.lines += 1
        if self.anchors:
            attrs["id"] = quote(f"l~{self.lines}")
            attrs["class"] = quote(f"{kind} line")
        self.emit(f"{quote(source)} -> {quote(target)} [{_attrs(attrs)}]")

    def mark_step(self, attrs: dict[str, str], step: int | None) -> None:
        if step is None:
            return
        attrs.update(color=quote(S.ALERT), penwidth="4", fontcolor=quote(S.ALERT),
                     label=quote(f" {step} "), fontsize="11")
        # Failure travels from the needed element up to the one that needs it.
        attrs["dir"] = "back"
        attrs["arrowtail"] = "normal"

    # ---- title and legend ----------------------------------------------------------
    def title(self) -> str:
        spec, v = self.spec, self.v
        rows = [_font(wrapped(spec.journey.name, 90), 18, S.INK, bold=True)]
        if v.cascade is not None:
            rows.append(_font(html(self.cascade_sentence(v.cascade)), 13, S.ALERT, bold=True))
        elif v.verdict is not None:
            n = len(v.spofs)
            ext = sum(1 for s in v.spofs.values() if s.control == Control.EXTERNAL)
            colour = S.ALERT if v.verdict == COMPLEX else "#007A5A"
            points = count(n, "single point of failure", "single points of failure")
            ends = sum(1 for s in v.spofs.values() if s.endpoint)
            if self.leader and ends:  # the report's one count: the only start/finish apart
                points = (count(n - ends, "single point of failure", "single points of failure")
                          + ", plus the journey's only "
                          + ("start or finish" if ends == 1 else "start and finish"))
            line = (f"{v.verdict.capitalize()}: {points}" if self.leader
                    else f"Verdict: {v.verdict.upper()} — {points}")
            if ext:
                line += (f" ({ext} outside our control)" if self.leader
                         else f" ({ext} outside the organisation's control)")
            rows.append(_font(html(line), 13, colour, bold=True))
        else:
            rows.append(_font(html("Not analysed: structure only"), 12, S.MUTED))
        meta = [] if self.leader else [spec.journey.id, os.path.basename(spec.source)]
        meta.append(f"{len(spec.touchpoints)} touch-points, {len(spec.supports)} supports")
        if v.scope:
            meta.append(f"showing {v.scope}: {len(v.shown)} of {len(spec.elements)} elements")
        rows.append(_font(html(" · ".join(meta)), 10, S.MUTED))
        cells = "".join(f'<TR><TD ALIGN="LEFT">{r}</TD></TR>' for r in rows)
        return f'<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">{cells}</TABLE>>'

    def cascade_sentence(self, c: Cascade) -> str:
        spec = self.spec
        who = ", ".join(f"{spec.by_id[i].name} ({i}, {spec.control_of(i)})" for i in c.failed)
        names = ", ".join(spec.by_id[i].name for i in c.failed)
        end = self.label["cascade.collapses"] if c.collapses else ""
        return self.label["cascade"].format(
            who=who, names=names, fails=fails([spec.by_id[i].name for i in c.failed]),
            down=len(c.down), stranded=len(c.stranded),
            lost=percent(c.customers_lost)) + end

    def legend_rows(self) -> list[tuple[str, str]]:
        """(left cell, explanation) pairs: only what this diagram actually draws."""
        v = self.v
        rows: list[tuple[str, str]] = []

        def swatch(fill: str, border: str, text: str, rounded: bool = False,
                   width: int = 1) -> tuple[str, str]:
            style = ' STYLE="ROUNDED"' if rounded else ""
            return (f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="{width}"{style} '
                    f'WIDTH="34" HEIGHT="14"> </TD>', text)

        def line(glyph: str, colour: str, text: str, bold: bool = False) -> tuple[str, str]:
            return (f"<TD>{_font(html(glyph), 11, colour, bold=bold)}</TD>", text)

        rows.append(swatch("#FFFFFF", S.INK,
                           "touch-point (frontstage, above the line of visibility)", True))
        rows.append(swatch("#FFFFFF", S.INK, "support (backstage, below the line)"))
        if not self.highlighting:
            for control in Control:
                if any(self.spec.control_of(i) == control for i in v.visible):
                    # The report's words for who runs it (ours / partner / outside our
                    # control), as every other page says them.
                    text = control_label(control) if self.leader else CONTROL_LEGEND[control]
                    rows.append(swatch(S.CONTROL_FILL[control], S.CONTROL_BORDER[control], text))
            if v.spofs:
                rows.append(swatch("#FFFFFF", S.ALERT, self.label["legend.spof"], width=3))
        else:
            for st, text in ((FAILED, "fails"), (DOWN, "down: a need it cannot do without failed"),
                             (STRANDED, ""), (DEGRADED, "degraded: a soft need is down")):
                if st in v.state.values():
                    ink = S.ALERT if st in (FAILED, DOWN) else S.MUTED
                    text = (self.label["legend.stranded"] if st == STRANDED
                            else S.STATE_MARK[st] + " " + text)
                    rows.append(swatch(S.STATE_FILL[st], ink, text))
            if v.path_steps:
                rows.append(line("━━━▶", S.ALERT, self.label["legend.path"], True))
        one = singular(people(self.spec)) if self.leader else "customer"
        rows.append(line("━━━▶", S.FLOW, f"flow line: the {one} moves on (% = share)", True))
        kinds = sorted({n.kind for e in self.spec.elements if e.id in v.visible for n in e.needs})
        for kind in kinds:
            ls = S.NEEDS_STYLE[kind]
            rows.append(line("──" + ls.glyph, ls.colour, f"needs ({kind})"))
        needs = [n for e in self.spec.elements if e.id in v.visible for n in e.needs]
        if any(not n.hard for n in needs):
            rows.append(line("╌╌▶", S.MUTED, "soft need: degrades, never takes down"))
        if v.gates:
            rows.append((f'<TD BORDER="1" STYLE="ROUNDED" COLOR="{S.MUTED}">'
                         f'{_font("any", 9, bold=True)}</TD>',
                         "redundancy group: needs any one / at least k of the members"))
        if v.context:
            rows.append(swatch("#FFFFFF", S.FADED, "outside this view (context)", True))
        return rows

    def legend(self, rows: list[tuple[str, str]], pos: tuple[float, float]) -> None:
        body = "".join(f'<TR>{left}<TD ALIGN="LEFT">{_font(html(text), 9, S.INK)}</TD></TR>'
                       for left, text in rows)
        head = f'<TR><TD COLSPAN="2" ALIGN="LEFT">{_font("Legend", 11, S.INK, bold=True)}</TD></TR>'
        self.emit(f'"legend" [shape=plaintext, margin=0, pos={_pos(pos)}, label=<<TABLE BORDER="1" '
                  f'COLOR="#C9CED6" CELLBORDER="0" CELLSPACING="3" CELLPADDING="2">'
                  f'{head}{body}</TABLE>>]')

    # ---- whole graph ---------------------------------------------------------------
    def write(self) -> str:
        spec = self.spec
        self.skeleton()
        self.flow_lines()
        self.needs_lines()
        body, self.out = self.out, []
        # The routing is chosen by size (see scale.py): curved lines avoid the boxes but
        # cost nodes x lines; straight ones are instant at any size.
        nodes = len(self.v.visible) + len(self.v.gates)
        splines = SPLINES[choose_routing(nodes, self.lines, self.routing)]
        self.out.append(f"digraph {quote(spec.journey.id)} {{")
        # Every node is pinned by the grid; neato only routes lines.
        self.emit(f"graph [layout=neato, splines={splines}, overlap=true, "
                  f"inputscale=72, fontname={quote(S.FONT)}, label={self.title()}, "
                  f"labelloc=t, labeljust=l, pad=0.3, bgcolor=\"#FFFFFF\", "
                  f"charset=\"UTF-8\", outputorder=edgesfirst]")
        self.emit(f"node [fontname={quote(S.FONT)}, fontsize=10, margin=\"0.10,0.05\"]")
        self.emit(f"edge [fontname={quote(S.FONT)}, fontsize=9]")
        self.out += body
        self.out.append("}")
        return "\n".join(self.out) + "\n"


def _attrs(attrs: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items())


# Geometry, in points. Node sizes are estimated from the label text (DejaVu Sans is a
# wide face: ~0.62 em per character regular, ~0.68 bold); Graphviz grows a node whose
# label is larger, and the gaps leave room for that.
LANE_W = 96.0  # left margin with the FRONTSTAGE / BACKSTAGE lane names
HEADER_H = 44.0  # stage header row
COL_PAD = 12.0  # inside each stage column, left and right
H_GAP = 26.0  # between nodes side by side
V_GAP = 34.0  # between rows
LOV_GAP = 40.0  # the band that holds the line of visibility
LEGEND_GAP = 30.0
GATE_SIZE = (50.0, 24.0)


@dataclass(frozen=True)
class _Row:
    lines: list[str]
    size: int
    colour: str
    bold: bool = False


def _wrap(text: str, width: int = WRAP) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        lines.extend(textwrap.wrap(para, width, break_long_words=True) or [""])
    return lines


def _text_width(text: str, size: float, bold: bool = False) -> float:
    return len(text) * size * (0.68 if bold else 0.62)


def _rows_html(rows: list[_Row]) -> str:
    cells = "".join(
        "<TR><TD>" + _font("<BR/>".join(html(line) for line in r.lines), r.size, r.colour,
                           bold=r.bold) + "</TD></TR>" for r in rows)
    return f'<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">{cells}</TABLE>>'


def _rows_size(rows: list[_Row]) -> tuple[float, float]:
    width = max(_text_width(line, r.size, r.bold) for r in rows for line in r.lines)
    height = sum(len(r.lines) * r.size * 1.2 + 2 for r in rows)
    return width + 18, height + 10


def _legend_size(rows: list[tuple[str, str]]) -> tuple[float, float]:
    return 60 + max(_text_width(t, 9) for _, t in rows), 30 + 21 * len(rows)


def _inch(points: float) -> str:
    return f"{points / 72:.3f}"


def _pos(pt: tuple[float, float]) -> str:
    return f'"{pt[0]:.1f},{pt[1]:.1f}!"'


def _xstr(op: str, text: str) -> str:
    """An xdot drawing operation with a string operand (byte-counted)."""
    return f"{op} {len(text.encode('utf-8'))} -{text}"


def _poly(points: list[tuple[float, float]]) -> str:
    return f"P {len(points)} " + " ".join(f"{x:.1f} {y:.1f}" for x, y in points)


def _line(points: list[tuple[float, float]]) -> str:
    return f"L {len(points)} " + " ".join(f"{x:.1f} {y:.1f}" for x, y in points)


def view_dot(view: View, routing: str = "auto", anchors: bool = False,
             words: Style = PLAIN) -> str:
    """DOT text of an already built :class:`View`.

    ``routing``: ``auto`` (by size, see :mod:`journeymap.render.scale`), ``curved``,
    ``orthogonal`` or ``straight``. ``anchors`` gives every element node the SVG id
    ``n~ID`` and every line a class (``flow``/``needs``), for the explorer page.
    ``words`` picks whose words label the marks (:data:`journeymap.words.LEADER`: plain).
    """
    return _Writer(view, routing, anchors, words).write()


def diagram_dot(spec: Spec, analysis: JourneyAnalysis | None = None, *,
                highlight: str | Cascade | None = None, focus: str | None = None,
                depth: int = 2, stage: str | None = None, routing: str = "auto",
                words: Style = PLAIN) -> str:
    """The journey as DOT text (deterministic: same input, same bytes).

    ``analysis`` adds the verdict and SPOF marks; ``highlight`` (an element id or a
    :class:`Cascade`) draws that failure's cascade; ``focus``/``depth`` and ``stage``
    draw part of a large journey; ``routing`` picks the line routing (``auto``: by
    size); ``words=LEADER`` labels the marks in plain words (the leadership report).
    Raises :class:`journeymap.render.view.RenderError` for unknown ids.
    """
    return view_dot(build_view(spec, analysis, highlight=highlight, focus=focus,
                               depth=depth, stage=stage), routing, words=words)

