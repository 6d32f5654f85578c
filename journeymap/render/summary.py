"""The summary picture of a journey too large to read as one diagram.

One table: stages are columns left to right, as in the full blueprint; above the line of
visibility one row counts the touch-points of each stage, below it one row per party
counts the supports that party runs in each stage. Every single point of failure is
named in its cell (in the alert colour, with its share of customers lost), so the
summary answers "where is the journey fragile, and whose is it" without drawing every
box. Drawn by Graphviz as one HTML-like table: instant at any size.
"""

from __future__ import annotations

import os

from journeymap.analysis.result import Cascade, JourneyAnalysis, Verdict
from journeymap.render import style as S
from journeymap.render.dot import _font, html, quote, wrapped
from journeymap.render.view import UNSTAGED, element_columns, resolve_cascade
from journeymap.spec.model import Spec
from journeymap.words import fails, percent

MAX_PARTIES = 40  # rows; the rest are counted in one "other parties" row
MAX_NAMES = 3  # single points of failure named per cell, then "+ n more"
NAME_WRAP = 22


def _stage_columns(spec: Spec, column_of: dict[str, str]) -> list[tuple[str, str]]:
    cols = [(s.id, f"{s.index + 1} · {s.name}") for s in spec.stages]
    if UNSTAGED in column_of.values() or not cols:
        cols.append((UNSTAGED, "No stage" if cols else "Journey"))
    return cols


def summary_dot(spec: Spec, analysis: JourneyAnalysis | None = None,
                highlight: str | Cascade | None = None) -> str:
    """The summary picture as DOT text (deterministic).

    With ``highlight`` (an element id or a :class:`Cascade`), each cell also counts what
    that failure takes down or strands there, and the failed elements are named.
    """
    column_of = element_columns(spec)
    cols = _stage_columns(spec, column_of)
    spofs = {s.id: s for s in analysis.spofs} if analysis else {}
    cascade = resolve_cascade(spec, analysis, highlight) if highlight is not None else None
    failed = set(cascade.failed) if cascade else set()
    down = set(cascade.down) if cascade else set()
    stranded = set(cascade.stranded) if cascade else set()

    def cell(ids: list[str], noun: str, bg: str) -> str:
        if not ids:
            return f'<TD BGCOLOR="{bg}"> </TD>'
        lines = [_font(html(f"{len(ids)} {noun}{'s' if len(ids) != 1 else ''}"), 9, S.MUTED)]
        named = sorted((i for i in ids if i in spofs),
                       key=lambda i: (-spofs[i].customers_lost, spec.by_id[i].name, i))
        for i in named[:MAX_NAMES]:
            text = f"⚠ {spec.by_id[i].name} · {percent(spofs[i].customers_lost)}"
            lines.append(_font(wrapped(text, NAME_WRAP), 9, S.ALERT, bold=True))
        if len(named) > MAX_NAMES:
            lines.append(_font(html(f"+ {len(named) - MAX_NAMES} more single points of failure"),
                               8, S.ALERT))
        for i in sorted((i for i in ids if i in failed), key=lambda i: spec.by_id[i].name):
            lines.append(_font(wrapped(f"✖ FAILS: {spec.by_id[i].name}", NAME_WRAP), 9,
                               S.ALERT, bold=True))
        hit = [sum(1 for i in ids if i in down), sum(1 for i in ids if i in stranded)]
        if any(hit):
            said = ", ".join(t for t in (f"✖ {hit[0]} down" if hit[0] else "",
                                         f"⊘ {hit[1]} stranded" if hit[1] else "") if t)
            lines.append(_font(html(said), 9, S.ALERT, bold=True))
        marked = named if cascade is None else [i for i in ids if i in failed or i in down
                                                or i in stranded]
        border = f' COLOR="{S.ALERT}" BORDER="2"' if marked else ""
        return f'<TD BGCOLOR="{bg}"{border} ALIGN="LEFT" BALIGN="LEFT">' + \
            "<BR/>".join(lines) + "</TD>"

    # Touch-points by stage; supports by (party, stage).
    tps: dict[str, list[str]] = {c: [] for c, _ in cols}
    by_party: dict[str, dict[str, list[str]]] = {}
    for e in spec.elements:
        col = column_of[e.id]
        if e.is_touchpoint:
            tps[col].append(e.id)
        else:
            by_party.setdefault(e.owner or "", {}).setdefault(col, []).append(e.id)

    def party_key(p: str) -> tuple:
        ids = [i for v in by_party[p].values() for i in v]
        return (-sum(1 for i in ids if i in spofs), -len(ids), p == "", p)

    parties = sorted(by_party, key=party_key)
    shown, rest = parties[:MAX_PARTIES], parties[MAX_PARTIES:]

    rows = []
    head = "".join(f'<TD BGCOLOR="{S.HEADER_BG}">{_font(html(name), 12, S.INK, bold=True)}</TD>'
                   for _, name in cols)
    rows.append(f'<TR><TD> </TD>{head}</TR>')
    side = _font("FRONTSTAGE", 9, S.MUTED, bold=True) + "<BR/>" + \
        _font("touch-points", 9, S.MUTED)
    rows.append(f'<TR><TD ALIGN="LEFT" BALIGN="LEFT">{side}</TD>' +
                "".join(cell(tps[c], "touch-point", S.FRONTSTAGE_BG) for c, _ in cols) + "</TR>")
    lov = _font("- - - line of visibility - - -   BACKSTAGE: supports by party", 9,
                S.VISIBILITY, bold=True)
    rows.append(f'<TR><TD COLSPAN="{len(cols) + 1}" ALIGN="LEFT">{lov}</TD></TR>')
    for p in shown:
        if p:
            party = spec.parties_by_id[p]
            control = str(party.control)
            label = f"{party.name} ({control})"
        else:
            control, label = "unknown", "no owner"
        head = (f'<TD ALIGN="LEFT" BGCOLOR="{S.CONTROL_FILL[control]}" '
                f'COLOR="{S.CONTROL_BORDER[control]}" BORDER="1">'
                f'{_font(wrapped(label, 28), 10, S.INK, bold=True)}</TD>')
        rows.append("<TR>" + head + "".join(cell(by_party[p].get(c, []), "support", S.BACKSTAGE_BG)
                                            for c, _ in cols) + "</TR>")
    if rest:
        merged: dict[str, list[str]] = {}
        for p in rest:
            for c, ids in by_party[p].items():
                merged.setdefault(c, []).extend(ids)
        others = _font(html(f"{len(rest)} other parties"), 10, S.INK, bold=True)
        head = f'<TD ALIGN="LEFT">{others}</TD>'
        rows.append("<TR>" + head + "".join(cell(merged.get(c, []), "support", S.BACKSTAGE_BG)
                                            for c, _ in cols) + "</TR>")
    table = ('<<TABLE BORDER="0" CELLBORDER="1" CELLSPACING="2" CELLPADDING="5" COLOR="#C9CED6">'
             + "".join(rows) + "</TABLE>>")

    title = [_font(wrapped(spec.journey.name, 90), 18, S.INK, bold=True)]
    if cascade is not None:
        who = ", ".join(spec.by_id[i].name for i in cascade.failed)
        end = " — the journey collapses" if cascade.collapses else ""
        title.append(_font(html(
            f"If {who} {fails([spec.by_id[i].name for i in cascade.failed])}: "
            f"{len(cascade.down)} down, {len(cascade.stranded)} stranded, "
            f"{percent(cascade.customers_lost)} of customers lost{end}"), 13, S.ALERT, bold=True))
    elif analysis is not None:
        n = len(spofs)
        colour = S.ALERT if analysis.verdict == Verdict.COMPLEX else "#007A5A"
        title.append(_font(html(f"Verdict: {analysis.verdict.upper()} — {n} single point"
                                f"{'s' if n != 1 else ''} of failure"), 13, colour, bold=True))
    title.append(_font(html(
        f"Summary of {len(spec.elements)} elements ({len(spec.touchpoints)} touch-points, "
        f"{len(spec.supports)} supports): too many for one picture. "
        "Draw every element with --full, part with --focus ID or --stage ID, "
        "or explore it with journeymap explore."), 10, S.MUTED))
    title.append(_font(html(f"{spec.journey.id} · {os.path.basename(spec.source)}"), 9, S.MUTED))
    label = ('<<TABLE BORDER="0" CELLSPACING="0" CELLPADDING="2">'
             + "".join(f'<TR><TD ALIGN="LEFT">{r}</TD></TR>' for r in title) + "</TABLE>>")
    return "\n".join([
        f"digraph {quote(spec.journey.id)} {{",
        f"  graph [fontname={quote(S.FONT)}, label={label}, labelloc=t, labeljust=l, "
        f"pad=0.3, bgcolor=\"#FFFFFF\", charset=\"UTF-8\"]",
        f"  node [fontname={quote(S.FONT)}, fontsize=10]",
        f"  \"summary\" [shape=plaintext, margin=0, label={table}]",
        "}", ""])
