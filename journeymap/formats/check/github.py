"""``--format github``: GitHub Actions workflow commands, then the full text report.

One ``::error``/``::warning``/``::notice`` annotation per counted finding, on the file
and line that did it. GitHub shows at most 10 errors and 10 warnings per step, so the
complete text report follows the annotations. Those annotations are the only lines
that start with ``::``: spec text in them is escaped as workflow-command data, and the
text report is :func:`journeymap.escape.log_lines`-safe (a name or path that would
start a line with ``::`` gets a backslash), so a spec cannot forge a command.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from journeymap.escape import workflow_data as escape_data
from journeymap.escape import workflow_property as escape_property
from journeymap.formats.check import text

if TYPE_CHECKING:
    from journeymap.check import CheckReport

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


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
