"""Small pictures for readers who will not study a blueprint: sized for a page.

* :func:`spine_dot` — the journey's spine: stages left to right (wrapping onto more rows
  when there are many), the touch-points of each stage by name, and every single point
  of failure called out by name under the stage where it stops customers;
* :func:`chain_dot` — one failure's chain, cropped to what a reader needs: the element
  that fails, each element it takes down on the way, the touch-point where customers are
  stopped, and what that costs.

Names only: no ids, no file names. Both are drawn no wider than ``width_pt`` (default:
the text width of an A4 page with 2.5 cm margins) with no text under
:data:`MIN_TEXT_PT`, so placed at their natural size (or any size between that and
``width_pt``) every word stays readable on paper. Tables laid out by Graphviz; drawing
takes well under a second at any journey size.
"""

from __future__ import annotations

import textwrap

from journeymap.analysis.result import Cascade, JourneyAnalysis
from journeymap.render import style as S
from journeymap.render.dot import _font, html, quote
from journeymap.render.view import UNSTAGED, element_columns
from journeymap.spec.model import Spec
from journeymap.words import LEADER, agree, control_label, people, percent

A4_TEXT_WIDTH = 453.0  # points: 210 mm minus 2 × 25 mm margins
MIN_TEXT_PT = 7  # the smallest font used; placed at natural size nothing is smaller
_CHAR_W = 0.62  # DejaVu Sans: average character width per point of font size
MAX_TOUCHPOINTS = 8  # names listed per stage, then "+ n more"
MAX_SPOFS = 6  # single points of failure named per stage, then "+ n more"


def _lines(text: str, size: float, width_pt: float, bold: bool = False) -> str:
    """``text`` wrapped to fit ``width_pt`` at ``size`` points, HTML-escaped."""
    chars = max(6, int(width_pt / (size * (_CHAR_W + (0.06 if bold else 0)))))
    parts = textwrap.wrap(text, chars, break_long_words=True) or [""]
    return "<BR/>".join(html(p) for p in parts)


def _balanced(n: int, most: int) -> int:
    """Items a row when ``n`` items wrap at ``most`` a row into rows of even length: six
    stages at four a row left a second row half empty; three and three read better.

    >>> [_balanced(n, 4) for n in (3, 4, 5, 6, 7, 9)]
    [3, 4, 3, 3, 4, 3]
    """
    most = max(1, most)
    rows = -(-n // most) if n else 1
    return max(1, -(-n // rows))


def _graph(spec: Spec, table: str) -> str:
    return "\n".join([
        f"digraph {quote(spec.journey.id)} {{",
        f"  graph [fontname={quote(S.FONT)}, pad=0.05, bgcolor=\"#FFFFFF\", charset=\"UTF-8\"]",
        f"  node [fontname={quote(S.FONT)}, fontsize=9, shape=plaintext, margin=0]",
        f"  \"picture\" [label={table}]",
        "}", ""])


def spine_dot(spec: Spec, analysis: JourneyAnalysis,
              width_pt: float = A4_TEXT_WIDTH) -> str:
    """The journey spine as DOT text: touch-points by stage, single points of failure
    named under the stage where they stop people (deterministic)."""
    column_of = element_columns(spec)
    stages = [(s.id, s.name) for s in spec.stages]
    if not stages or any(column_of[t.id] == UNSTAGED for t in spec.touchpoints):
        stages.append((UNSTAGED, "Other steps" if stages else spec.journey.name))
    per_row = _balanced(len(stages), int((width_pt + 14) // 110))  # ≥ ~96 pt a stage
    arrow_w = 14.0
    cell_w = (width_pt - 8 - arrow_w * (per_row - 1)) / per_row - 4
    inner = cell_w - 10
    spofs = sorted(analysis.spofs, key=lambda s: (-s.customers_lost, spec.by_id[s.id].name))
    # A single point of failure is called out under the stage of the touch-point where
    # it stops customers (its own stage for a touch-point).
    spofs_at: dict[str, list] = {}
    for s in spofs:
        where = s.path[-1] if s.path else s.id
        spofs_at.setdefault(column_of.get(where, UNSTAGED), []).append(s)

    spof_ids = {s.id for s in analysis.spofs}

    def header(sid: str, name: str, n: int) -> str:
        text = f"{n}. {name}" if spec.stages else name
        title = _font(_lines(text, 9, inner, True), 9, S.INK, bold=True)
        return (f'<TD BGCOLOR="{S.HEADER_BG}" ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP" '
                f'WIDTH="{cell_w:.0f}">{title}</TD>')

    def touchpoints(sid: str) -> str:
        tps = [t for t in spec.touchpoints if column_of[t.id] == sid]
        names = []
        for t in tps[:MAX_TOUCHPOINTS]:
            if t.id in spof_ids:
                names.append(_font(_lines("⚠ " + t.name, 8, inner, True), 8, S.ALERT, bold=True))
            else:
                names.append(_font(_lines("• " + t.name, 8, inner), 8, S.INK))
        if len(tps) > MAX_TOUCHPOINTS:
            names.append(_font(html(f"+ {len(tps) - MAX_TOUCHPOINTS} more"), 7, S.MUTED))
        return (f'<TD BGCOLOR="{S.FRONTSTAGE_BG}" ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP">'
                + ("<BR/>".join(names) or " ") + "</TD>")

    def failures(sid: str) -> str:
        here = [s for s in spofs_at.get(sid, []) if not spec.by_id[s.id].is_touchpoint]
        if not here:
            return f'<TD BGCOLOR="{S.BACKSTAGE_BG}"> </TD>'
        lines = [_font(_lines(f"A single failure stops {people(spec)} here:", 7, inner), 7,
                           S.MUTED)]
        for s in here[:MAX_SPOFS]:
            text = (f"⚠ {spec.by_id[s.id].name} ({control_label(s.control)}) · "
                    f"{percent(s.customers_lost, LEADER)} stopped")
            lines.append(_font(_lines(text, 8, inner, True), 8, S.ALERT, bold=True))
        if len(here) > MAX_SPOFS:
            lines.append(_font(html(f"+ {len(here) - MAX_SPOFS} more"), 7, S.ALERT))
        return (f'<TD BGCOLOR="{S.BACKSTAGE_BG}" ALIGN="LEFT" BALIGN="LEFT" VALIGN="TOP">'
                + "<BR/>".join(lines) + "</TD>")

    arrow = f'<TD WIDTH="{arrow_w:.0f}" VALIGN="TOP">{_font("▶", 9, S.FLOW)}</TD>'
    gap = f'<TD WIDTH="{arrow_w:.0f}"> </TD>'
    body = []
    for start in range(0, len(stages), per_row):
        chunk = list(enumerate(stages[start:start + per_row], start + 1))
        if start:
            body.append(f'<TR><TD COLSPAN="{2 * per_row - 1}" HEIGHT="6"> </TD></TR>')
        for part in ("header", "touchpoints", "failures"):
            cells = []
            for k, (n, (sid, name)) in enumerate(chunk):
                if k:
                    cells.append(arrow if part == "header" else gap)
                cells.append(header(sid, name, n) if part == "header" else
                             touchpoints(sid) if part == "touchpoints" else failures(sid))
            body.append("<TR>" + "".join(cells) + "</TR>")
    table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">'
             + "".join(body) + "</TABLE>>")
    return _graph(spec, table)


def chain_dot(spec: Spec, cascade: Cascade, width_pt: float = A4_TEXT_WIDTH) -> str:
    """One failure's chain as DOT text: what fails, what it takes down in order, where
    customers are stopped, and the cost (deterministic)."""
    steps = list(cascade.path) or list(cascade.failed)
    boxes: list[tuple[str, str, str, str]] = []  # (title, role, fill, border)
    for n, i in enumerate(steps):
        e = spec.by_id[i]
        party = spec.party_name(i) if e.owner else ""
        control = str(spec.control_of(i))
        said = control_label(control)
        who = f"{party} ({said})" if party else said
        if n == 0:
            role = agree(e.name, "fails", "fail")
            fill, border = S.STATE_FILL["failed"], S.ALERT
        elif e.is_touchpoint and n == len(steps) - 1:
            role = f"{people(spec)} are stopped here"
            fill, border = S.STATE_FILL["down"], S.ALERT
        else:
            role = (agree(e.name, "stops: it needs ", "stop: they need ")
                    + spec.by_id[steps[n - 1]].name)
            fill, border = S.STATE_FILL["down"], S.ALERT
        boxes.append((e.name, role + " · " + who, fill, border))
    others = len(cascade.down) + len(cascade.stranded) - max(0, len(steps) - 1)
    cost = f"{percent(cascade.customers_lost, LEADER)} of {people(spec)} cannot finish"
    if cascade.collapses:
        cost += " — the journey stops"
    extra = f"{others} other part{'s' if others != 1 else ''} stop or are cut off" \
        if others > 0 else ""
    boxes.append((cost, extra, "#FFFFFF", S.ALERT))

    per_row = _balanced(len(boxes), int((width_pt + 18) // 118))
    arrow_w = 18.0
    box_w = (width_pt - 8 - arrow_w * (per_row - 1)) / per_row - 4
    inner = box_w - 12
    rows = []
    for start in range(0, len(boxes), per_row):
        cells = []
        for k, (title, role, fill, border) in enumerate(boxes[start:start + per_row]):
            n = start + k
            if k:
                cells.append(f'<TD WIDTH="{arrow_w:.0f}">{_font("▶", 11, S.ALERT, bold=True)}</TD>')
            ink = "#FFFFFF" if n == 0 else S.INK
            text = _font(_lines(title, 9, inner, True), 9, ink, bold=True)
            if role:
                text += "<BR/>" + _font(_lines(role, 8, inner), 8,
                                        "#FFFFFF" if n == 0 else S.MUTED)
            cells.append(f'<TD BGCOLOR="{fill}" COLOR="{border}" BORDER="2" STYLE="ROUNDED" '
                         f'WIDTH="{box_w:.0f}" ALIGN="LEFT" BALIGN="LEFT" CELLPADDING="6">'
                         f'{text}</TD>')
        rows.append("<TR>" + "".join(cells) + "</TR>")
        if start + per_row < len(boxes):  # the chain goes on in the next row, from the left
            rows.append(f'<TR><TD COLSPAN="{2 * per_row - 1}" ALIGN="LEFT">'
                        f'{_font("▼ continues", 8, S.ALERT, bold=True)}</TD></TR>')
    table = ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="2" CELLPADDING="0">'
             + "".join(rows) + "</TABLE>>")
    return _graph(spec, table)


def spine_svg(spec: Spec, analysis: JourneyAnalysis, width_pt: float = A4_TEXT_WIDTH) -> bytes:
    """:func:`spine_dot` drawn as SVG (needs Graphviz)."""
    from journeymap.render.graphviz_run import run_dot

    return run_dot(spine_dot(spec, analysis, width_pt), "svg")


def chain_svg(spec: Spec, cascade: Cascade, width_pt: float = A4_TEXT_WIDTH) -> bytes:
    """:func:`chain_dot` drawn as SVG (needs Graphviz). ``cascade``: e.g.
    ``analysis.cascades[element_id]`` or ``simulate(spec, [ids])``."""
    from journeymap.render.graphviz_run import run_dot

    return run_dot(chain_dot(spec, cascade, width_pt), "svg")
