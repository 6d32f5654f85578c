"""``journeymap portfolio``: many journeys side by side, and what one shared element or
party failing does to all of them at once."""

from __future__ import annotations

import click

from journeymap.cli.common import check_outputs, fail, say, write_stdout


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically; '-' is stdout) instead of "
                   "stdout.")
@click.option("--fail", "fail_id", metavar="ID",
              help="What-if: this element fails in every journey that has it.")
@click.option("--fail-party", metavar="ID",
              help="What-if: everything this party runs fails, in every journey at once.")
@click.option("--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Analyse journeys in this many processes (same output).")
def portfolio(paths: tuple[str, ...], fmt: str, output: str | None, fail_id: str | None,
              fail_party: str | None, jobs: int) -> None:
    """Every journey's verdict and risk side by side; shared elements and parties ranked
    by the customers their failure stops across all journeys.

    PATHS are spec files or folders (catalogs under them are read through `uses:`).
    Customers are weighted by each journey's `volume` (customers per month) when every
    journey gives one; otherwise each journey counts as one.

    \b
    Examples:
      journeymap portfolio specs/
      journeymap portfolio specs/ --fail-party aws
      journeymap portfolio specs/ --fail crm --format json
    """
    from journeymap.analysis.portfolio import build_portfolio
    from journeymap.batch import load_and_analyze
    from journeymap.files import spec_paths, write_atomic
    from journeymap.formats.portfolio import FORMATS

    if fail_id and fail_party:
        fail("give --fail or --fail-party, not both")
    output = None if output == "-" else output
    check_outputs(output)
    files = spec_paths(list(paths))
    if not files:
        fail("no spec files found (looked for *.yaml and *.yml)")
    loaded = load_and_analyze(files, jobs=jobs)
    problems = sorted({d for _, _, found in loaded for d in found})
    if problems:
        for d in problems:
            say(str(d), err=True)
        fail(f"{len(problems)} problem(s) in the specs; nothing was written")
    analyses = [a for _, a, _ in loaded if a is not None]
    ids: dict[str, str] = {}
    for a in analyses:
        s = a.spec
        if s.journey.id in ids:
            fail(f"journey id '{s.journey.id}' is used by both {ids[s.journey.id]} and "
                 f"{s.source}; a portfolio needs one journey per id")
        ids[s.journey.id] = s.source
    result = build_portfolio(analyses, fail=fail_id, fail_party=fail_party)
    if result.what_if is not None and result.what_if.unknown:
        kind = "party" if fail_party else "element"
        fail(f"no journey under {', '.join(paths)} has {'a' if kind == 'party' else 'an'} "
             f"{kind} '{result.what_if.id}'")
    text = FORMATS[fmt](result)
    if output:
        write_atomic(output, text)
    else:
        write_stdout(text)
