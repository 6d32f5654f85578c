"""The pictures of a report, as SVG text: journey diagrams (Graphviz, from
:mod:`journeymap.render`) and the hand-made charts (:mod:`journeymap.report.charts`).

Diagrams need the Graphviz ``dot`` program; when it is missing the report still builds
and says where the diagram would be (``DIAGRAM_NOTE``).
"""

from __future__ import annotations

from journeymap.analysis.result import JourneyAnalysis
from journeymap.report import charts
from journeymap.report.model import JourneyReport

DIAGRAM_NOTE = ("Diagram not available: install Graphviz (the 'dot' program) to draw it, "
                "then run the report again.")


def diagram_svg(analysis: JourneyAnalysis, highlight: str | None = None) -> str | None:
    """The journey diagram (single points of failure marked), or one failure's cascade.

    None when Graphviz cannot draw it.
    """
    try:
        from journeymap.render import svg as render_svg  # type: ignore[attr-defined]
    except ImportError:  # renderer without an SVG entry point: draw its DOT ourselves
        render_svg = None
    try:
        if render_svg is not None:
            out = render_svg(analysis.spec, analysis, highlight=highlight)
        else:
            import graphviz

            from journeymap.render.dot import diagram_dot

            dot = diagram_dot(analysis.spec, analysis, highlight=highlight)
            out = graphviz.Source(dot).pipe(format="svg", quiet=True)
    except Exception:  # noqa: BLE001 - a missing 'dot' must not stop the report
        return None
    return out.decode("utf-8") if isinstance(out, bytes) else out


def journey_figures(report: JourneyReport, analysis: JourneyAnalysis, key: str,
                    diagrams: bool = True) -> dict[str, str]:
    """SVG text per picture, keyed ``<key>:journey``, ``:worst``, ``:heat``, ``:curve``."""
    figures = {
        f"{key}:heat": charts.heatmap_svg(report.heat),
        f"{key}:curve": charts.robustness_svg(report.curve.removed, report.curve.completion,
                                              report.curve.expected),
    }
    if diagrams:
        journey = diagram_svg(analysis)
        if journey is not None:
            figures[f"{key}:journey"] = journey
        if report.worst is not None:
            worst = diagram_svg(analysis, highlight=report.worst.id)
            if worst is not None:
                figures[f"{key}:worst"] = worst
    return figures
