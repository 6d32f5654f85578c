"""The leadership report: what breaks each journey, for whom, whose fault, what to fix.

Outputs take analyses, not specs: the caller analyses each journey once.
``report_bytes(analyses, "pdf" | "html" | "md", date)`` gives one report: a journey
report for one analysis, a portfolio report for several. ``build_reports`` also gives
one journey report per analysis (``--each``), making each journey's pictures once.
Layers: the model (:mod:`.model`, pure, with :mod:`.wording`) decides every sentence and
number; the
targets (:mod:`.pdf` through Typst, :mod:`.htmlpage`, :mod:`.md`) only lay it out.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Sequence

from journeymap.analysis.result import JourneyAnalysis
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


def analyse_for_report(spec: Spec) -> JourneyAnalysis:
    """The analysis a report reads: with the risk numbers (how likely, hours stopped a
    year) and the verified fixes (:mod:`journeymap.analysis.fixes`, the list
    ``journeymap analyze`` gives), without pairs of failures (the report shows none)."""
    from journeymap.analysis import analyze
    from journeymap.analysis.risk import RiskOptions

    return analyze(spec, risk=RiskOptions(max_order=1))


def _check(fmt: str) -> None:
    if fmt not in set(FORMATS.values()):
        raise ValueError(f"unknown report format {fmt!r}")


def build_reports(analyses: Sequence[JourneyAnalysis], fmt: str, date: datetime.date, *,
                  portfolio: bool | None = None, each: bool = False,
                  ) -> tuple[bytes, list[bytes]]:
    """The report for ``analyses`` as ``fmt`` (pdf, html, md) and, with ``each``, one
    journey report per analysis (in order; empty otherwise).

    ``portfolio`` defaults to "more than one analysis". Every journey's report model
    and pictures are made once, whichever documents use them; the diagrams of all
    journeys are drawn in parallel. Deterministic: same analyses, same date, same bytes.
    """
    from journeymap.report import model
    from journeymap.report.figures import DIAGRAM_NOTE, all_figures

    _check(fmt)
    if portfolio is None:
        portfolio = len(analyses) > 1
    if not portfolio and len(analyses) != 1:
        raise ValueError("a journey report needs exactly one journey")
    journeys = tuple(model.journey_report(a, date) for a in analyses)
    # Pictures: every journey document shows them; so does the HTML portfolio (it
    # carries each journey in full). The PDF portfolio is the summaries only.
    pictured = fmt != "md" and (each or not portfolio or fmt == "html")
    figures = all_figures([(r, a, str(i)) for i, (r, a) in enumerate(zip(journeys, analyses))]
                          ) if pictured else {}

    def journey_doc(i: int) -> bytes:
        r = journeys[i]
        if fmt == "md":
            from journeymap.report.md import journey_md
            return journey_md(r).encode("utf-8")
        mine = {k.replace(f"{i}:", "0:", 1): v for k, v in figures.items()
                if k.startswith(f"{i}:")}
        if fmt == "html":
            from journeymap.report.htmlpage import journey_html
            return journey_html(r, mine).encode("utf-8")
        from journeymap.report.figures import paper_figures
        from journeymap.report.pdf import payload, to_pdf
        return to_pdf(payload("journey", r, r.title, DIAGRAM_NOTE), paper_figures(mine), date)

    singles = [journey_doc(i) for i in range(len(journeys))] if each else []
    if not portfolio:
        return (singles[0] if singles else journey_doc(0)), singles
    folio = model.portfolio_report(list(analyses), date, journeys)
    if fmt == "md":
        from journeymap.report.md import portfolio_md
        return portfolio_md(folio).encode("utf-8"), singles
    if fmt == "html":
        from journeymap.report.htmlpage import portfolio_html
        # The portfolio ranks its journeys: picture keys follow that order.
        ranked = {f"{k}:{key.split(':', 1)[1]}": svg for k, i in enumerate(folio.order)
                  for key, svg in figures.items() if key.split(":", 1)[0] == str(i)}
        return portfolio_html(folio, ranked).encode("utf-8"), singles
    from journeymap.report.pdf import payload, to_pdf
    return to_pdf(payload("portfolio", folio, folio.title, DIAGRAM_NOTE), {}, date), singles


def report_bytes(analyses: Sequence[JourneyAnalysis], fmt: str, date: datetime.date,
                 portfolio: bool | None = None) -> bytes:
    """One report as ``fmt``: a journey report for one analysis, a portfolio for several
    (see :func:`build_reports`)."""
    return build_reports(analyses, fmt, date, portfolio=portfolio)[0]


__all__ = ["FORMATS", "ReportDateError", "analyse_for_report", "build_reports", "report_bytes",
           "report_date"]
