"""The pictures of a report, as SVG text: journey diagrams (Graphviz, from
:mod:`journeymap.render`) and the hand-made charts (:mod:`journeymap.report.charts`).

Diagrams need the Graphviz ``dot`` program. When one cannot be drawn (Graphviz missing,
``dot`` failed, timed out or printed something unusable) the report still builds: the
figures carry the real reason under ``<name>:why`` (shown where the picture would be)
and a :class:`DiagramNotDrawn` warning says it once, for the command line to print.
"""

from __future__ import annotations

import os
import re
import warnings
from concurrent.futures import ThreadPoolExecutor

from journeymap.analysis.result import JourneyAnalysis
from journeymap.report import charts
from journeymap.report.model import JourneyReport
from journeymap.report.wording import singular
from journeymap.words import LEADER

# Shown only where a picture is missing without a reason (never for a diagram that
# failed: that one says why, see :func:`why_key`).
DIAGRAM_NOTE = "Diagram not available."
A4_WIDTH = 499.0  # points: the text width of the report's A4 pages (1.7 cm margins)


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


SPINE = "\0spine"  # the task that draws the spine rather than a failure's chain
CHAINS = 3  # chains drawn: the top failures of page 1


def chain_ids(report: JourneyReport) -> list[str]:
    """The failures whose chain is drawn: page 1's top single points of failure that take
    something else down (else the worst failure, when it does)."""
    ids = [f.id for f in report.findings if not f.endpoint][:CHAINS]
    if not ids and report.worst is not None and report.worst.spread:
        ids = [report.worst.id]
    return ids


def _diagram_or_reason(analysis: JourneyAnalysis, highlight: str | None) -> tuple[str | None, str]:
    from journeymap.render import GraphvizError, chain_svg, spine_svg

    try:
        if highlight == SPINE:
            return spine_svg(analysis.spec, analysis, A4_WIDTH).decode("utf-8"), ""
        if highlight is not None:
            return chain_svg(analysis.spec, analysis.cascades[highlight],
                             A4_WIDTH).decode("utf-8"), ""
        return diagram_svg(analysis, None), ""
    except GraphvizError as exc:  # the report still builds, saying why
        return None, str(exc)


# Where each diagram goes on paper (points): the chain picture on an A4 portrait page,
# the whole blueprint on an A3 landscape page. A diagram whose smallest words would be
# printed under PAPER_MIN_PT there is left out of the PDF (the HTML report carries it at
# full size) and the page says so.
PAPER_BOX = {"journey": (1134.0, 730.0), "spine": (499.0, 600.0), "chain0": (499.0, 300.0),
             "chain1": (499.0, 300.0), "chain2": (499.0, 300.0)}
PAPER_MIN_PT = 6.0
_SIZE = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"[^>]*?\bheight="([\d.]+)pt"', re.S)
_FONT = re.compile(r'font-size="([\d.]+)"')


def printed_text_pt(svg: str, box: tuple[float, float]) -> float:
    """The smallest font size, in points, once ``svg`` is scaled to fit ``box``."""
    m = _SIZE.search(svg)
    sizes = [float(x) for x in _FONT.findall(svg)]
    if not m or not sizes:
        return 0.0
    width, height = float(m[1]), float(m[2])
    scale = min(box[0] / width, box[1] / height) if width and height else 0.0
    return min(sizes) * scale


def paper_figures(figures: dict[str, str]) -> dict[str, str]:
    """The figures the PDF can print readably; a ``<key>:why`` note for each left out."""
    out: dict[str, str] = {}
    for key, svg in figures.items():
        box = PAPER_BOX.get(key.rsplit(":", 1)[-1])
        size = printed_text_pt(svg, box) if box else PAPER_MIN_PT
        if size >= PAPER_MIN_PT:
            out[key] = svg
        else:
            where = "even on an A3 page" if key.endswith(":journey") else "on this page"
            out[why_key(key)] = (f"This drawing has too many parts to print readably {where}: "
                                 f"its smallest words would be {size:.1f} points high, under "
                                 f"the {PAPER_MIN_PT:.0f} that print needs. The web-page "
                                 f"version of this report shows it at full size.")
    return out


def all_figures(jobs: list[tuple[JourneyReport, JourneyAnalysis, str]],
                diagrams: bool = True) -> dict[str, str]:
    """Pictures of several journeys at once. Graphviz runs as a separate process, so
    the diagrams are drawn in parallel threads (layout is most of a report's time)."""
    figures: dict[str, str] = {}
    tasks: list[tuple[str, JourneyAnalysis, str | None]] = []
    for report, analysis, key in jobs:
        figures[f"{key}:heat"] = charts.heatmap_svg(report.heat)
        figures[f"{key}:curve"] = charts.robustness_svg(
            report.curve.removed, report.curve.completion, report.curve.expected,
            person=singular(report.people))
        if diagrams:
            tasks.append((f"{key}:journey", analysis, None))
            # Pictures sized for A4: the journey's spine and the chain of each top failure.
            tasks.append((f"{key}:spine", analysis, SPINE))
            for n, eid in enumerate(chain_ids(report)):
                tasks.append((f"{key}:chain{n}", analysis, eid))
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
