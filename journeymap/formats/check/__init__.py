"""Output formats of ``journeymap check``: one module per format, one interface.

Each format module has ``render(report: CheckReport) -> str``; output is deterministic
(same report, same bytes: no timestamps, sorted findings).

>>> sorted(FORMATS)
['github', 'json', 'junit', 'markdown', 'sarif', 'text']
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from journeymap.check import CheckReport

FORMATS: dict[str, str] = {
    "text": "journeymap.formats.check.text",
    "json": "journeymap.formats.check.json_report",
    "markdown": "journeymap.formats.check.markdown",
    "sarif": "journeymap.formats.check.sarif",
    "junit": "journeymap.formats.check.junit",
    "github": "journeymap.formats.check.github",
}


def render(report: CheckReport, fmt: str) -> str:
    """Render ``report`` in format ``fmt`` (a key of :data:`FORMATS`)."""
    return importlib.import_module(FORMATS[fmt]).render(report)
