"""Journey diagrams in the layout of a service blueprint.

Pure text builders (no I/O): :func:`diagram_dot` and :func:`diagram_mermaid`; for
journeys too large for one picture :func:`summary_dot`; for a page of a report
:func:`spine_dot` (touch-points by stage, single points of failure by name) and
:func:`chain_dot` (one failure's chain, cropped). Drawing
needs the Graphviz ``dot`` program: :func:`render_svg` / :func:`render` (raise
:class:`GraphvizMissing` without it, another :class:`GraphvizError` with the reason when
``dot`` fails or runs out of time).

>>> from journeymap.spec import load_spec  # doctest: +SKIP
>>> from journeymap.analysis import analyze  # doctest: +SKIP
>>> spec = load_spec("specs/newsletter-video.journey.yaml")  # doctest: +SKIP
>>> svg = render_svg(spec, analyze(spec), highlight="crm")  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

from journeymap.analysis.result import JourneyAnalysis
from journeymap.render.dot import diagram_dot
from journeymap.render.graphviz_run import (
    GRAPHVIZ_FORMATS,
    INSTALL_HINT,
    GraphvizError,
    GraphvizFailed,
    GraphvizMissing,
    GraphvizTimeout,
    run_dot,
)
from journeymap.render.leader import A4_TEXT_WIDTH, chain_dot, chain_svg, spine_dot, spine_svg
from journeymap.render.mermaid import diagram_mermaid
from journeymap.render.scale import ROUTINGS, SUMMARY_ABOVE, choose_routing, wants_summary
from journeymap.render.summary import summary_dot
from journeymap.render.view import RenderError
from journeymap.spec.model import Spec

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".dot": "dot", ".gv": "dot",
            ".mmd": "mermaid", ".mermaid": "mermaid"}


def render(spec: Spec, analysis: JourneyAnalysis | None = None, fmt: str = "svg", *,
           summary: bool = False, routing: str = "auto", **options: Any) -> bytes:
    """The diagram in ``fmt`` (one of :data:`FORMATS`) as bytes.

    ``options`` are those of :func:`diagram_dot`: ``highlight``, ``focus``, ``depth``,
    ``stage``, ``words`` (not mermaid); ``routing`` picks the line routing (``auto``: by
    size, see :mod:`journeymap.render.scale`). ``summary`` draws the stages × parties summary
    instead of every element (:func:`wants_summary` says when the CLI does so). dot and
    mermaid never need Graphviz; svg, png and pdf do.
    """
    if fmt == "mermaid":
        return diagram_mermaid(spec, analysis, **options).encode("utf-8")
    if summary:
        text = summary_dot(spec, analysis, options.get("highlight"))
    else:
        text = diagram_dot(spec, analysis, routing=routing, **options)
    if fmt == "dot":
        return text.encode("utf-8")
    return run_dot(text, fmt)


def render_svg(spec: Spec, analysis: JourneyAnalysis | None = None, **options: Any) -> bytes:
    """The diagram as SVG (UTF-8 bytes), for embedding in reports. Needs Graphviz."""
    return render(spec, analysis, "svg", **options)


__all__ = ["A4_TEXT_WIDTH", "FORMATS", "GRAPHVIZ_FORMATS", "INSTALL_HINT", "ROUTINGS",
           "SUFFIXES", "SUMMARY_ABOVE", "GraphvizError", "GraphvizFailed", "GraphvizMissing",
           "GraphvizTimeout", "RenderError", "chain_dot", "chain_svg", "choose_routing",
           "diagram_dot", "diagram_mermaid", "render", "render_svg", "spine_dot", "spine_svg",
           "summary_dot", "wants_summary"]
