"""``journeymap report``: the leadership report (PDF, HTML or Markdown)."""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator

import click

from journeymap.cli.common import (
    GRAPHVIZ_TIMEOUT_OPTION,
    check_outputs,
    existing_paths,
    fail,
    load_specs,
    say,
)
from journeymap.words import count


@click.command()
@existing_paths
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="Report file; its suffix picks the format: .pdf, .html or .md.")
@click.option("--portfolio/--journey", "portfolio", default=None,
              help="Force a portfolio report (all journeys) or a single-journey report. "
                   "Default: one spec file gives a journey report; several files or a "
                   "directory give a portfolio.")
@click.option("--each", is_flag=True,
              help="Also write one journey report per spec next to OUTPUT, named after "
                   "the spec file (specs/x.journey.yaml -> x.pdf).")
@click.option("--date", "date_text", metavar="YYYY-MM-DD",
              help="Date on the cover. Default: SOURCE_DATE_EPOCH if set, else the newest "
                   "spec file's modification day (never today's clock, so output is "
                   "reproducible).")
@click.option("-q", "--quiet", is_flag=True,
              help="No progress or notes on stderr (progress shows only on a terminal, "
                   "for runs longer than a second).")
@GRAPHVIZ_TIMEOUT_OPTION
def report(specs: tuple[str, ...], output: str, portfolio: bool | None, each: bool,
           date_text: str | None, quiet: bool) -> None:
    """Write the leadership report for SPECS.

    Page 1 says which customer outcomes break, for what share of customers, who controls
    the cause, and the three fixes that protect the most customers; then the diagram,
    the worst failure, where the journey became complex, the robustness curve, and an
    appendix with every finding.

    \b
    Examples:
      journeymap report specs/newsletter-video.journey.yaml -o reports/newsletter-video.pdf
      journeymap report specs/ -o reports/portfolio.pdf
      journeymap report specs/x.journey.yaml -o x.html     (one self-contained page)
      journeymap report specs/ -o reports/portfolio.pdf --each
                         (the portfolio plus reports/<spec>.pdf for every spec)
    """
    from journeymap.files import Outputs, spec_paths
    from journeymap.report import (
        FORMATS,
        ReportDateError,
        analyse_for_report,
        build_reports,
        report_date,
    )

    suffix = os.path.splitext(output)[1].lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        fail(f"-o {output}: unknown report format {suffix or '(no suffix)'!r}; "
             f"use .pdf, .html or .md")
    check_outputs(output)
    loaded = load_specs(specs)
    if portfolio is None:
        portfolio = len(loaded) > 1 or any(os.path.isdir(p) for p in specs)
    if not portfolio and len(loaded) != 1:
        fail(f"--journey needs exactly one spec, got {len(loaded)}")
    try:
        date = report_date(spec_paths(list(specs)), date_text)
    except ReportDateError as exc:
        fail(str(exc))
    if each:
        folder = os.path.dirname(output)
        targets = [os.path.join(folder, _stem(s.source) + suffix) for s in loaded]
        clash = sorted({t for t in targets if targets.count(t) > 1} | (
            {output} & set(targets)))
        if clash:
            fail(f"--each would write {clash[0]} twice; rename the spec files or "
                 f"choose another -o")
        check_outputs(*targets)
    else:
        targets = []
    from journeymap.cli.progress import Progress

    with Progress(quiet) as progress:
        elements = sum(len(s.elements) for s in loaded)
        progress.step(f"analysing {count(len(loaded), 'journey')} ({elements:,} parts)")
        analyses = [analyse_for_report(s) for s in loaded]  # once: every document reads these
        progress.step("checking each fix on a copy, drawing and typesetting")
        with _diagram_reasons():
            data, singles = build_reports(analyses, fmt, date, portfolio=portfolio,
                                          each=each)
    files = Outputs()  # the report and every --each report, or none of them
    for target, single in zip(targets, singles):
        files.add(target, single)
    files.add(output, data)
    files.commit()
    if quiet:
        return
    for target in targets:
        say(f"wrote {target} (journey report)", err=True)
    kind = "portfolio report" if portfolio else "journey report"
    say(f"wrote {output} ({kind}, {count(len(loaded), 'journey')})", err=True)


@contextlib.contextmanager
def _diagram_reasons() -> Iterator[None]:
    """Print why a diagram could not be drawn (the document says it too)."""
    from journeymap.report.figures import DiagramNotDrawn

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", DiagramNotDrawn)
        yield
    seen: set[str] = set()
    for w in caught:
        if issubclass(w.category, DiagramNotDrawn) and str(w.message) not in seen:
            seen.add(str(w.message))
            say(f"journeymap: warning: a diagram was not drawn: {w.message}", err=True)
        elif not issubclass(w.category, DiagramNotDrawn):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _stem(path: str) -> str:
    """``specs/x.journey.yaml`` -> ``x``."""
    name = os.path.basename(path)
    for ending in (".journey.yaml", ".journey.yml", ".yaml", ".yml"):
        if name.endswith(ending):
            return name[: -len(ending)]
    return os.path.splitext(name)[0]
