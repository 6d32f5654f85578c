"""The leadership report: what breaks each journey, for whom, whose fault, what to fix.

``report_bytes(specs, "pdf" | "html" | "md", date)`` gives one report: a journey report
for one spec, a portfolio report for several. ``journey_reports`` gives one journey
report per spec, drawing all their diagrams in parallel. Layers: the model
(:mod:`.model`, pure, with :mod:`.wording`) decides every sentence and number; the
targets (:mod:`.pdf` through Typst, :mod:`.htmlpage`, :mod:`.md`) only lay it out.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence

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


def _check(fmt: str) -> None:
    if fmt not in set(FORMATS.values()):
        raise ValueError(f"unknown report format {fmt!r}")


def journey_reports(specs: Sequence[Spec], fmt: str, date: datetime.date) -> list[bytes]:
    """One journey report per spec, in order (diagrams for all drawn in parallel)."""
    from journeymap.analysis import analyze
    from journeymap.report import model
    from journeymap.report.figures import DIAGRAM_NOTE, all_figures

    _check(fmt)
    analyses = [analyze(s) for s in specs]
    reports = [model.journey_report(a, date) for a in analyses]
    if fmt == "md":
        from journeymap.report.md import journey_md
        return [journey_md(r).encode("utf-8") for r in reports]
    figures = all_figures([(r, a, str(i)) for i, (r, a) in enumerate(zip(reports, analyses))])
    out = []
    for i, r in enumerate(reports):
        mine = {k.replace(f"{i}:", "0:", 1): v for k, v in figures.items()
                if k.startswith(f"{i}:")}
        if fmt == "html":
            from journeymap.report.htmlpage import journey_html
            out.append(journey_html(r, mine).encode("utf-8"))
        else:
            from journeymap.report.pdf import payload, to_pdf
            out.append(to_pdf(payload("journey", r, r.title, DIAGRAM_NOTE), mine, date))
    return out


def report_bytes(specs: Sequence[Spec], fmt: str, date: datetime.date,
                 portfolio: bool | None = None) -> bytes:
    """Analyse ``specs`` and render one report as ``fmt`` (pdf, html, md).

    ``portfolio`` defaults to "more than one spec". Deterministic: same specs, same
    date, same bytes.
    """
    from journeymap.analysis import analyze
    from journeymap.report import model
    from journeymap.report.figures import DIAGRAM_NOTE, all_figures

    _check(fmt)
    if portfolio is None:
        portfolio = len(specs) > 1
    if not portfolio:
        if len(specs) != 1:
            raise ValueError("a journey report needs exactly one spec")
        return journey_reports(specs, fmt, date)[0]
    analyses = [analyze(s) for s in specs]
    folio = model.portfolio_report(analyses, date)
    if fmt == "md":
        from journeymap.report.md import portfolio_md
        return portfolio_md(folio).encode("utf-8")
    if fmt == "html":  # the HTML portfolio carries every journey in full
        from journeymap.report.htmlpage import portfolio_html
        figures = all_figures([(j, a, str(i)) for i, (j, a)
                               in enumerate(zip(folio.journeys, analyses))])
        return portfolio_html(folio, figures).encode("utf-8")
    from journeymap.report.pdf import payload, to_pdf
    # The PDF portfolio is the summaries; each journey's full report is its own file.
    return to_pdf(payload("portfolio", folio, folio.title, DIAGRAM_NOTE), {}, date)


__all__ = ["FORMATS", "ReportDateError", "journey_reports", "report_bytes", "report_date"]
