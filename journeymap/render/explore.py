"""The explorer: one self-contained HTML page to click through a journey.

The page is ``explore.html`` (next to this module) with four slots filled in. Everything
is inline -- the diagram (Graphviz SVG, every element anchored by its id),
the stylesheet, the script and the analysis (the ``analyze --format json`` contract) --
so the page works offline, from a file, with no server, and fetches nothing. Click an
element and its cascade is drawn on the diagram (what fails, what goes down, what is
stranded, the collapse path in order) with customers lost and who controls it; search by
name or id; filter by stage and party; zoom and pan with the wheel, a drag, pinch or the
buttons. The layout reflows to a phone's width.

Text from the spec reaches the page in three ways, each escaped for where it lands:
inside the SVG (Graphviz writes XML-escaped text; comments are dropped), in HTML
(:func:`journeymap.escape.html`), and as JSON inside ``<script>``
(:func:`journeymap.escape.script_json`).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from journeymap.analysis.result import JourneyAnalysis
from journeymap.escape import html, script_json  # the HTML and <script> JSON escapers
from journeymap.formats.analyze.json_report import to_dict
from journeymap.render.dot import view_dot
from journeymap.render.graphviz_run import run_dot
from journeymap.render.view import UNSTAGED, View, build_view


def _inline_svg(svg: bytes) -> str:
    """Graphviz's SVG document as an element for an HTML page: no XML prolog, doctype
    or comments (Graphviz writes node names into comments)."""
    text = svg.decode("utf-8")
    text = text[text.index("<svg"):]
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def page_data(analysis: JourneyAnalysis, view: View,
              lines: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    """What the page's script reads: the analysis contract plus names, stages and
    parties for the panel, search and filters, and the diagram's lines."""
    spec = analysis.spec
    stage_name = {s.id: s.name for s in spec.stages}
    return {
        "analysis": to_dict(analysis),
        "stages": [{"id": s.id, "name": s.name} for s in spec.stages]
        + ([{"id": UNSTAGED, "name": "No stage"}]
           if any(view.column_of[e.id] == UNSTAGED for e in spec.elements) else []),
        "parties": [{"id": p.id, "name": p.name, "control": str(p.control)}
                    for p in spec.parties],
        "elements": {e.id: {"name": e.name, "touchpoint": e.is_touchpoint,
                            "stage": view.column_of[e.id],
                            "stage_name": stage_name.get(view.column_of[e.id], "No stage"),
                            "party": e.owner or "", "party_name": spec.party_name(e.id)
                            if e.owner else "", "kind": e.channel if e.is_touchpoint
                            else (e.kind or "")}
                     for e in spec.elements},
        # Diagram lines: [svg id, from node, to node, "flow" | "needs"]; a redundancy
        # junction is "owner~n", standing for its owner.
        "lines": [list(x) for x in lines],
    }


def explore_html(analysis: JourneyAnalysis, routing: str = "auto", *,
                 stage: str | None = None, focus: str | None = None, depth: int = 2) -> str:
    """The explorer page (needs Graphviz for the diagram).

    ``stage`` / ``focus`` and ``depth`` draw part of the journey (as ``render`` does);
    every element can still be searched and its cascade read in the panel.
    """
    spec = analysis.spec
    view = build_view(spec, analysis, stage=stage, focus=focus, depth=depth)
    dot = view_dot(view, routing, anchors=True)
    lines = re.findall(r'^\s*"([^"]+)" -> "([^"]+)" \[.*?id="(l~\d+)", class="(\w+) line"',
                       dot, re.M)
    svg = _inline_svg(run_dot(dot, "svg"))
    data = page_data(analysis, view, [(i, a, b, kind) for a, b, i, kind in lines])
    slots = {"title": html(f"{spec.journey.name} · journeymap explorer"),
             "heading": html(spec.journey.name), "svg": svg, "data": script_json(data)}
    template = resources.files("journeymap.render").joinpath("explore.html")
    # One pass: text from the spec that looks like a slot is never filled in again.
    return re.sub(r"\{\{(\w+)\}\}", lambda m: slots[m[1]],
                  template.read_text(encoding="utf-8"))
