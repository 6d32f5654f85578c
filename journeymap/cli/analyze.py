"""``journeymap analyze`` and ``journeymap simulate``: the failure engine on the command line."""

from __future__ import annotations

import click

from journeymap.analysis.result import COMPLEX
from journeymap.cli.common import COLOR_OPTION, existing_paths, fail, load_specs, use_color
from journeymap.exit_status import ExitStatus

_FORMATS = ["text", "json", "markdown"]


def _emit(text: str, output: str | None, color: bool = False) -> None:
    if output:
        from journeymap.files import write_atomic

        write_atomic(output, text)
    else:
        # color=True: click would otherwise strip the styles when stdout is not a tty,
        # and --color always must win.
        click.echo(text, nl=False, color=color or None)


@click.command()
@existing_paths
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True,
              help="text: a readable report; json: the machine contract (schema_version 1); "
                   "markdown: for PR comments and step summaries.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the report to this file (atomically) instead of stdout.")
@click.option("--samples", type=click.IntRange(0), default=None,
              help="Monte Carlo samples for the robustness curve [default: chosen from the "
                   "journey's size, 200 for small journeys].")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the robustness curve (same seed, same output).")
@click.option("--fail-on", type=click.Choice(["never", "spof", "complex"]), default="never",
              show_default=True,
              help="Exit 1 when some journey has a single point of failure (spof) or is "
                   "complex (a SPOF other than its sole entry or goal).")
@COLOR_OPTION
def analyze(specs: tuple[str, ...], fmt: str, output: str | None, samples: int | None,
            seed: int, fail_on: str, color: str) -> None:
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
    from journeymap.formats.analyze import render

    loaded = load_specs(specs)
    colored = fmt == "text" and not output and use_color(color)
    with gc_paused():  # rendering builds as many small objects as the analysis
        results = [run(s, samples=samples, seed=seed) for s in loaded]
        text = render(results, fmt, color=colored)
    _emit(text, output, colored)
    if fail_on == "spof" and any(a.spofs for a in results):
        raise SystemExit(int(ExitStatus.FINDINGS))
    if fail_on == COMPLEX and any(a.verdict == COMPLEX for a in results):
        raise SystemExit(int(ExitStatus.FINDINGS))


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("--fail", "failed", multiple=True, required=True, metavar="ID",
              help="An element that fails (repeat for several failing together).")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default="text", show_default=True)
@COLOR_OPTION
def simulate(spec: str, failed: tuple[str, ...], fmt: str, color: str) -> None:
    """What if these elements fail? Shows what goes down, what is stranded, whether the
    journey survives and the customers lost.

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
    colored = fmt == "text" and use_color(color)
    _emit(render_simulation(loaded, cascade, fmt, color=colored), None, colored)
