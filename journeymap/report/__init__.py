"""The leadership report: what breaks each journey, for whom, whose fault, what to fix.

``report_bytes(specs, "pdf" | "html" | "md", date)``: one spec gives a journey report,
``portfolio=True`` (several specs or a directory) a portfolio report. Layers: the model
(:mod:`.model`, pure, with :mod:`.wording`) decides every sentence and number; the
targets (:mod:`.pdf` through Typst, :mod:`.html`, :mod:`.md`) only lay it out.
"""

from __future__ import annotations

import datetime
import os
from typing import Sequence

from journeymap.spec.model import Spec

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "md", ".markdown": "md"}


class ReportDateError(ValueError):
    """SOURCE_DATE_EPOCH or --date cannot be read as a date."""


def report_date(paths: Sequence[str], override: str | None = None,
                environ: dict[str, str] | None = None) -> datetime.date:
    """The date printed on the report (and stamped in the PDF).

    ``override`` (YYYY-MM-DD) first, then ``SOURCE_DATE_EPOCH`` (reproducible builds),
    else the newest modification day of the spec files: never the wall clock, so the
    same files give the same bytes.
    """
    env = os.environ if environ is None else environ
    if override:
        try:
            return datetime.date.fromisoformat(override)
        except ValueError:
            raise ReportDateError(f"--date {override!r}: use YYYY-MM-DD") from None
    epoch = env.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise ReportDateError(
                f"SOURCE_DATE_EPOCH={epoch!r} is not a whole number of seconds") from None
    newest = max((os.stat(p).st_mtime for p in paths), default=0.0)
    return datetime.datetime.fromtimestamp(int(newest), datetime.timezone.utc).date()


def report_bytes(specs: Sequence[Spec], fmt: str, date: datetime.date,
                 portfolio: bool | None = None) -> bytes:
    """Analyse ``specs`` and render the report as ``fmt`` (pdf, html, md).

    ``portfolio`` defaults to "more than one spec". Deterministic: same specs, same
    date, same bytes.
    """
    from journeymap.analysis import analyze
    from journeymap.report import model
    from journeymap.report.figures import DIAGRAM_NOTE, journey_figures

    if fmt not in set(FORMATS.values()):
        raise ValueError(f"unknown report format {fmt!r}")
    analyses = [analyze(s) for s in specs]
    if portfolio is None:
        portfolio = len(analyses) > 1
    diagrams = fmt != "md"
    if not portfolio:
        if len(analyses) != 1:
            raise ValueError("a journey report needs exactly one spec")
        report = model.journey_report(analyses[0], date)
        figures = journey_figures(report, analyses[0], "0", diagrams) if fmt != "md" else {}
        if fmt == "md":
            from journeymap.report.md import journey_md
            return journey_md(report).encode("utf-8")
        if fmt == "html":
            from journeymap.report.html import journey_html
            return journey_html(report, figures).encode("utf-8")
        from journeymap.report.pdf import payload, to_pdf
        return to_pdf(payload("journey", report, report.title, DIAGRAM_NOTE), figures, date)

    folio = model.portfolio_report(analyses, date)
    if fmt == "md":
        from journeymap.report.md import portfolio_md
        return portfolio_md(folio).encode("utf-8")
    figures = {}
    if fmt == "html":  # the HTML portfolio carries every journey in full
        for i, (j, a) in enumerate(zip(folio.journeys, analyses)):
            figures.update(journey_figures(j, a, str(i), diagrams))
        from journeymap.report.html import portfolio_html
        return portfolio_html(folio, figures).encode("utf-8")
    from journeymap.report.pdf import payload, to_pdf
    return to_pdf(payload("portfolio", folio, folio.title, DIAGRAM_NOTE), figures, date)


__all__ = ["FORMATS", "ReportDateError", "report_bytes", "report_date"]
