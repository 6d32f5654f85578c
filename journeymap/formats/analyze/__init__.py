"""Output formats of ``journeymap analyze`` and ``journeymap simulate``.

One module per format, one interface: ``render(analyses: list[JourneyAnalysis],
color: bool = False) -> str`` and ``render_simulation(spec, cascade, color=False,
probability=None) -> str``. Output is deterministic: same analyses, same bytes.

>>> sorted(FORMATS)
['json', 'markdown', 'text']
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journeymap.analysis.result import Cascade, JourneyAnalysis
    from journeymap.analysis.risk import Probability
    from journeymap.spec.model import Spec

FORMATS: dict[str, str] = {
    "text": "journeymap.formats.analyze.text",
    "json": "journeymap.formats.analyze.json_report",
    "markdown": "journeymap.formats.analyze.markdown",
}


def render(analyses: list[JourneyAnalysis], fmt: str, color: bool = False) -> str:
    """Render one result per journey in format ``fmt`` (a key of :data:`FORMATS`)."""
    return importlib.import_module(FORMATS[fmt]).render(analyses, color=color)


def render_pieces(analyses: list[JourneyAnalysis], fmt: str,
                  color: bool = False) -> Iterator[str]:
    """The text of :func:`render` in pieces, made as they are written: a format module
    may give its text so (``render_pieces``, same arguments as ``render``: json, whose
    text at 100k elements is 95 MB); the others give it in one piece."""
    mod = importlib.import_module(FORMATS[fmt])
    pieces = getattr(mod, "render_pieces", None)
    if pieces is None:
        return iter((mod.render(analyses, color=color),))
    return pieces(analyses, color=color)


def render_simulation(spec: Spec, cascade: Cascade, fmt: str, color: bool = False,
                      probability: tuple[Probability, Probability] | None = None) -> str:
    """Render a what-if (``journeymap simulate``) in format ``fmt``; ``probability`` is
    (collapse probability given the failures, without them) when computed."""
    mod = importlib.import_module(FORMATS[fmt])
    return mod.render_simulation(spec, cascade, color=color, probability=probability)
