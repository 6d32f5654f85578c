"""The pictures of a report, as SVG text: journey diagrams (Graphviz, from
:mod:`journeymap.render`) and the hand-made charts (:mod:`journeymap.report.charts`).

Diagrams need the Graphviz ``dot`` program. When one cannot be drawn (Graphviz missing,
``dot`` failed, timed out or printed something unusable) the report still builds: the
figures carry the real reason under ``<name>:why`` (shown where the picture would be)
and a :class:`DiagramNotDrawn` warning says it once, for the command line to print.
"""

from __future__ import annotations

import os
import warnings
from concurrent.futures import ThreadPoolExecutor

from journeymap.analysis.result import JourneyAnalysis
from journeymap.report import charts
from journeymap.report.model import JourneyReport
from journeymap.words import LEADER

# Shown only where a picture is missing without a reason (never for a diagram that
# failed: that one says why, see :func:`why_key`).
DIAGRAM_NOTE = "Diagram not available."


class DiagramNotDrawn(UserWarning):
    """A report diagram could not be drawn; the message is the reason."""


def why_key(name: str) -> str:
    """Key of the reason a picture is missing: ``0:journey`` -> ``0:journey:why``."""
    return f"{name}:why"


def not_drawn_note(reason: str) -> str:
    """What the document says where a diagram could not be drawn."""
    return f"Diagram not drawn: {reason}"


def diagram_svg(analysis: JourneyAnalysis, highlight: str | None = None,
                **options: object) -> str:
    """The journey diagram (single points of failure marked), or one failure's cascade,
    labelled in a leader's words by the diagram itself. Raises
    :class:`journeymap.render.GraphvizError` (the reason) when it cannot be drawn."""
    from journeymap.render import render_svg

    return render_svg(analysis.spec, analysis, highlight=highlight, words=LEADER,
                      **options).decode("utf-8")


def _diagram_or_reason(analysis: JourneyAnalysis, highlight: str | None) -> tuple[str | None, str]:
    from journeymap.render import GraphvizError

    try:
        return diagram_svg(analysis, highlight), ""
    except GraphvizError as exc:  # the report still builds, saying why
        return None, str(exc)


def all_figures(jobs: list[tuple[JourneyReport, JourneyAnalysis, str]],
                diagrams: bool = True) -> dict[str, str]:
    """Pictures of several journeys at once. Graphviz runs as a separate process, so
    the diagrams are drawn in parallel threads (layout is most of a report's time)."""
    figures: dict[str, str] = {}
    tasks: list[tuple[str, JourneyAnalysis, str | None]] = []
    for report, analysis, key in jobs:
        figures[f"{key}:heat"] = charts.heatmap_svg(report.heat)
        figures[f"{key}:curve"] = charts.robustness_svg(
            report.curve.removed, report.curve.completion, report.curve.expected)
        if diagrams:
            tasks.append((f"{key}:journey", analysis, None))
            # A failure that takes nothing else down has no chain reaction to draw.
            if report.worst is not None and report.worst.spread:
                tasks.append((f"{key}:worst", analysis, report.worst.id))
    if tasks:
        workers = max(1, min(len(tasks), os.cpu_count() or 2, 8))
        with ThreadPoolExecutor(max_workers=workers) as pool:
            drawn = list(pool.map(lambda t: _diagram_or_reason(t[1], t[2]), tasks))
        reasons: list[str] = []
        for (name, _, _), (svg, why) in zip(tasks, drawn):
            if svg is not None:
                figures[name] = svg
            else:
                figures[why_key(name)] = not_drawn_note(why)
                if why not in reasons:
                    reasons.append(why)
        for why in reasons:  # from this thread, once per distinct reason
            warnings.warn(DiagramNotDrawn(why), stacklevel=2)
    return figures
