"""``journeymap analyze`` and ``journeymap simulate``: the failure engine on the command line."""

from __future__ import annotations

from collections.abc import Iterable

import click

from journeymap.analysis.result import COMPLEX, JourneyAnalysis
from journeymap.analysis.robustness import MAX_SAMPLES
from journeymap.cli import keep_until_exit
from journeymap.cli.common import (
    COLOR_OPTION,
    check_outputs,
    existing_paths,
    fail,
    load_specs,
    use_color,
    write_stdout,
)
from journeymap.exit_status import ExitStatus

_FORMATS = ["text", "json", "markdown"]
MAX_TRIALS = 100_000_000
MAX_ORDER = 4

PROBABILITY_OPTION = click.option(
    "--probability", "probability", default="auto", show_default=True,
    type=click.Choice(["auto", "exact", "monte-carlo", "off"]),
    help="How to compute the collapse probability, expected completion and importance from "
         "the availabilities: exact (a decision diagram), monte-carlo (seeded trials, 95% "
         "intervals), auto (exact when affordable), or off.")
TRIALS_OPTION = click.option("--trials", type=click.IntRange(1, MAX_TRIALS), default=100_000,
                             show_default=True, help="Monte Carlo trials.")


def _emit(text: str | Iterable[str], output: str | None, color: bool = False) -> None:
    """Write ``text`` (or its pieces, as they are made) to ``output`` or stdout."""
    if output:
        from journeymap.files import write_atomic

        write_atomic(output, text)
    else:
        # color=True: click would otherwise strip the styles when stdout is not a tty,
        # and --color always must win.
        for piece in (text,) if isinstance(text, str) else text:
            write_stdout(piece, color=color or None)


@click.command()
@existing_paths
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True,
              help="text: a readable report; json: the machine contract (schema_version 1); "
                   "markdown: for PR comments and step summaries.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically; '-' is stdout) instead of "
                   "stdout.")
@click.option("--samples", type=click.IntRange(0, MAX_SAMPLES), default=None,
              help="Monte Carlo samples for the robustness curve, at most "
                   f"{MAX_SAMPLES:,} [default: chosen from the journey's size, 200 for small "
                   "journeys].")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the robustness curve and of Monte Carlo probabilities (same "
                   "seed, same output).")
@PROBABILITY_OPTION
@TRIALS_OPTION
@click.option("--max-order", type=click.IntRange(1, MAX_ORDER), default=None,
              help="Largest set of failures reported as a minimal cut set (2: pairs; 3 costs "
                   "about n times more; 1: none) [default: 2, for journeys of up to 3,000 "
                   "elements; give it to compute them at any size].")
@click.option("--fail-on", type=click.Choice(["never", "spof", "complex"]), default="never",
              show_default=True,
              help="Exit 1 when some journey has a single point of failure (spof) or is "
                   "complex (a SPOF other than its sole entry or goal).")
@COLOR_OPTION
def analyze(specs: tuple[str, ...], fmt: str, output: str | None, samples: int | None,
            seed: int, probability: str, trials: int, max_order: int | None, fail_on: str,
            color: str) -> None:
    """Find single points of failure, cascades and where a journey became complex.

    \b
    SPECS are spec files or folders (every *.yaml inside). One result per journey.
    Examples:
      journeymap analyze specs/newsletter-video.journey.yaml
      journeymap analyze specs/ --format json > analysis.json
      journeymap analyze specs/ --format markdown >> "$GITHUB_STEP_SUMMARY"
    """
    from journeymap.analysis import analyze as run
    from journeymap.analysis.index import gc_paused
    from journeymap.analysis.probability import NotAffordable
    from journeymap.analysis.risk import RiskOptions
    from journeymap.formats.analyze import render_pieces

    output = None if output == "-" else output
    check_outputs(output)
    loaded = load_specs(specs)
    results: list[JourneyAnalysis] = []
    keep_until_exit(loaded, results)  # freed by the process's end, not one by one
    colored = fmt == "text" and not output and use_color(color)
    risk = RiskOptions(probability=probability, trials=trials, seed=seed,
                       max_order=2 if max_order is None else max_order,
                       limits=max_order is None)
    with gc_paused():  # rendering builds as many small objects as the analysis
        for s in loaded:
            try:
                results.append(run(s, samples=samples, seed=seed, risk=risk))
            except NotAffordable as why:
                fail(f"{s.source}: exact probability is not affordable ({why}); use "
                     "--probability auto or monte-carlo")
        # Written as it is made (95 MB of JSON at 100k elements is never held at once).
        _emit(render_pieces(results, fmt, color=colored), output, colored)
    if fail_on == "spof" and any(a.spofs for a in results):
        raise SystemExit(int(ExitStatus.FINDINGS))
    if fail_on == COMPLEX and any(a.verdict == COMPLEX for a in results):
        raise SystemExit(int(ExitStatus.FINDINGS))


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--fail", "failed", multiple=True, required=True, metavar="ID",
              help="An element that fails (repeat for several failing together).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@PROBABILITY_OPTION
@TRIALS_OPTION
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of Monte Carlo probabilities.")
@COLOR_OPTION
def simulate(spec: str, failed: tuple[str, ...], fmt: str, probability: str, trials: int,
             seed: int, color: str) -> None:
    """What if these elements fail? Shows what goes down, what is stranded, whether the
    journey survives, the customers lost, and how likely the journey is to collapse
    given these failures (from the availabilities of everything else).

    \b
    Example:
      journeymap simulate specs/newsletter-video.journey.yaml --fail crm --fail bitly-service
    """
    from journeymap.analysis import simulate as run
    from journeymap.formats.analyze import render_simulation
    from journeymap.spec.diagnostics import did_you_mean

    (loaded,) = load_specs([spec])
    unknown = [f for f in failed if f not in loaded.by_id]
    if unknown:
        ids = list(loaded.by_id)
        fail("; ".join(f"{spec}: no element with id '{u}'{did_you_mean(u, ids)}"
                       for u in unknown))
    cascade = run(loaded, failed)
    from journeymap.analysis.probability import OFF, NotAffordable

    given = None
    if probability != OFF:
        from journeymap.analysis.risk import probability_given

        try:
            given = probability_given(loaded, list(cascade.failed), probability,
                                      trials=trials, seed=seed)
        except NotAffordable as why:
            fail(f"{spec}: exact probability is not affordable ({why}); use "
                 "--probability auto or monte-carlo")
    colored = fmt == "text" and use_color(color)
    _emit(render_simulation(loaded, cascade, fmt, color=colored, probability=given), None,
          colored)
