"""The PDF target: the report model typeset by Typst (the PyPI ``typst`` binding).

Why Typst: a real typesetting engine in one wheel (no system libraries), native SVG,
and byte-identical output for a fixed timestamp. User text never becomes Typst markup:
the model travels as JSON through ``sys.inputs`` and the template prints it as strings,
so names with ``# * _ $ [ ] @ < >`` need no escaping and cannot inject markup.
Only DejaVu Sans from the system font folder is used (``ignore_system_fonts``), the
same font the diagrams are drawn with; no ``@preview`` packages (they download).
"""

from __future__ import annotations

import datetime
import json
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

from journeymap.escape import typst_data

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu",
             "/usr/local/share/fonts", "/Library/Fonts")


class PdfError(RuntimeError):
    """Typst could not typeset the report (a bug in journeymap, not in the spec)."""


def template() -> str:
    return resources.files("journeymap.report").joinpath("templates/report.typ").read_text("utf-8")


def font_paths() -> list[str]:
    """Folders holding DejaVu Sans; Typst's bundled fonts cover the rest."""
    return [d for d in FONT_DIRS if Path(d).is_dir()]


def to_pdf(payload: dict[str, Any], figures: dict[str, str], date: datetime.date) -> bytes:
    """Typeset ``payload`` (``{"kind": "journey"|"portfolio", ...}``) with its SVG figures.

    The PDF's creation date is ``date`` at midnight UTC: same input, same bytes.
    """
    import typst

    stamp = int(datetime.datetime(date.year, date.month, date.day,
                                  tzinfo=datetime.timezone.utc).timestamp())
    inputs = {"data": json.dumps(typst_data(payload), ensure_ascii=False, sort_keys=True),
              "figures": json.dumps(figures, ensure_ascii=False, sort_keys=True)}
    try:
        # typst's stub ties font_paths to the type of the input (bytes here); str paths work.
        out = typst.compile(  # type: ignore[call-overload]
            template().encode("utf-8"), format="pdf", sys_inputs=inputs,
            font_paths=font_paths(), ignore_system_fonts=True, timestamp=stamp)
    except Exception as exc:  # typst.TypstError carries the diagnostic
        detail = getattr(exc, "diagnostic", "") or str(exc)
        raise PdfError(f"could not typeset the report: {detail}") from exc
    assert isinstance(out, bytes)
    return out


def payload(kind: str, report: Any, doc_title: str, diagram_note: str) -> dict[str, Any]:
    """The JSON the template reads. ``values`` carries the verdict and control words the
    template compares against, so they are spelled in one place (the enums)."""
    from journeymap.analysis.result import Verdict
    from journeymap.report.model import GLOSSARY_HEADING, NOT_SPELLED_OUT, TOP_ACTIONS
    from journeymap.report.wording import singular
    from journeymap.spec.model import Control

    values = {m.name.lower(): m.value for enum in (Verdict, Control) for m in enum}
    people = getattr(report, "people", "customers")
    return {"kind": kind, kind: asdict(report), "doc_title": doc_title,
            "date": report.date, "diagram_note": diagram_note, "values": values,
            "people_one": singular(people), "top_actions": TOP_ACTIONS,
            "not_spelled_out": NOT_SPELLED_OUT, "glossary_heading": GLOSSARY_HEADING}
