"""``--format github``: GitHub Actions workflow commands, then the full text report.

One ``::error``/``::warning``/``::notice`` annotation per counted finding, on the file
and line that did it. GitHub shows at most 10 errors and 10 warnings per step, so the
complete text report follows the annotations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.formats.check import text

if TYPE_CHECKING:
    from journeymap.check import CheckReport

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(value: str) -> str:
    """Escape a workflow command's message.

    >>> escape_data("50% lost\\nnext")
    '50%25 lost%0Anext'
    """
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """Escape a workflow command's property value (also ``:`` and ``,``).

    >>> escape_property("a:b,c")
    'a%3Ab%2Cc'
    """
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(report: CheckReport, finding: object) -> str:
    f = finding  # a journeymap.check.Finding
    props = ",".join([
        f"file={escape_property(report.uri(f.location.path))}",  # type: ignore[attr-defined]
        f"line={max(f.location.line, 1)}",  # type: ignore[attr-defined]
        f"col={max(f.location.column, 1)}",  # type: ignore[attr-defined]
        f"title={escape_property(f'{f.rule} {f.name}')}",  # type: ignore[attr-defined]
    ])
    return f"::{_COMMAND[f.severity]} {props}::{escape_data(f.message)}"  # type: ignore[attr-defined]


def render(report: CheckReport) -> str:
    lines = [annotation(report, f) for f in report.counted]
    return "\n".join(lines) + ("\n" if lines else "") + text.render(report)
