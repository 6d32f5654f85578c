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
from html import escape, unescape

from journeymap.analysis.result import JourneyAnalysis
from journeymap.report import charts
from journeymap.report.model import JourneyReport

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


# The diagram renderer labels for architects ("SPOF · dependency", "stranded"). A
# leader reads plain words, so the report rewrites those labels; replacements are no
# longer than the originals so they still fit the boxes Graphviz sized for them.
# tests/test_report.py fails if renderer wording leaks through, so a change there shows.
_PLAIN = (
    (re.compile(r"^If (.+) \([a-z0-9_-]+, \w+\) fails: (\d+) down, (\d+) stranded, (.+) of "
                r"customers lost( — the journey collapses)?$"),
     lambda m: (f"If {m[1]} fails: {m[2]} other parts go down, {m[3]} cut off, {m[4]} of "
                f"customers stopped")),
    (re.compile(r"^⚠ SPOF · structural · (.+) lost$"), lambda m: f"⚠ all pass here · stops {m[1]}"),
    (re.compile(r"^⚠ SPOF · journey endpoint · (.+) lost$"),
     lambda m: f"⚠ only start/finish · {m[1]}"),
    (re.compile(r"^⚠ SPOF · dependency · (.+) lost$"), lambda m: f"⚠ single failure stops {m[1]}"),
    (re.compile(r"^⚠ SPOF: failing alone collapses the journey$"),
     lambda m: "⚠ failing alone stops the journey"),
    (re.compile(r"^⊘ STRANDED stranded: up, but"), lambda m: "⊘ CUT OFF: working, but"),
    (re.compile(r"^⊘ STRANDED$"), lambda m: "⊘ CUT OFF"),
    (re.compile(r"^collapse path, in order"), lambda m: "how it spreads, in order"),
)
_WORDS = ((re.compile(r"\b(journey )?endpoint\b"), "only start/finish"),
          (re.compile(r"\bSPOFs?\b"), "single failure"),
          (re.compile(r"\bstranded\b", re.I), "cut off"),
          (re.compile(r"\bcollapses\b"), "stops"), (re.compile(r"\bdependency\b"), "needs"),
          (re.compile(r"\bstructural\b"), "every path"))
_TEXT = re.compile(r"(<text\b[^>]*>)([^<]*)(</text>)")


def plain_words(label: str) -> str:
    """A diagram label in a leader's words.

    >>> plain_words("⚠ SPOF · dependency · 100% lost")
    '⚠ single failure stops 100%'
    """
    for pattern, repl in _PLAIN:
        label = pattern.sub(repl, label)
    for pattern, word in _WORDS:
        label = pattern.sub(word, label)
    return label


def plain_svg(svg: str) -> str:
    """Rewrite every ``<text>`` of a diagram with :func:`plain_words`."""
    def one(m: re.Match[str]) -> str:
        return m[1] + escape(plain_words(unescape(m[2])), quote=False) + m[3]

    return _TEXT.sub(one, svg)


def diagram_svg(analysis: JourneyAnalysis, highlight: str | None = None,
                **options: object) -> str:
    """The journey diagram (single points of failure marked), or one failure's cascade,
    with labels in plain words. Raises :class:`journeymap.render.GraphvizError` (the
    reason) when it cannot be drawn."""
    from journeymap.render import render_svg

    out = render_svg(analysis.spec, analysis, highlight=highlight, **options)
    return plain_svg(out.decode("utf-8"))


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
