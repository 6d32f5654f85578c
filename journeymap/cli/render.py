"""``journeymap render``: journey diagrams (SVG, PNG, PDF, DOT, Mermaid)."""

from __future__ import annotations

import os

import click

from journeymap.cli.common import (
    GRAPHVIZ_TIMEOUT_OPTION,
    check_outputs,
    fail,
    load_specs,
    write_stdout,
)

_FORMATS = ["svg", "png", "pdf", "dot", "mermaid"]


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the diagram here; the suffix picks the format (.svg .png .pdf .dot "
                   ".mmd). Without it, the diagram goes to stdout in --format.")
@click.option("--format", "fmt", type=click.Choice(_FORMATS), default=None,
              help="Output format, overriding the suffix of -o [default: from -o, else svg].")
@click.option("--highlight", metavar="ID",
              help="Draw what happens when this element fails: what goes down, what is "
                   "stranded, and the collapse path in order.")
@click.option("--focus", metavar="ID",
              help="Draw only the elements within --depth lines of this element.")
@click.option("--depth", type=click.IntRange(0), default=2, show_default=True,
              help="How many lines (flow or needs) from --focus to draw.")
@click.option("--stage", metavar="ID", help="Draw only this stage's column.")
@click.option("--no-analysis", is_flag=True,
              help="Draw the structure only: no verdict, no SPOF marks.")
@GRAPHVIZ_TIMEOUT_OPTION
@click.option("--full", is_flag=True,
              help="Draw every element even when there are too many to read as one "
                   "picture (beyond 1,500 elements the summary is drawn instead).")
@click.option("--routing", type=click.Choice(["auto", "curved", "orthogonal", "straight"]),
              default="auto", show_default=True,
              help="How lines are drawn. auto: curved around the boxes while that is "
                   "quick (small journeys), straight beyond.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")
def render(spec: str, output: str | None, fmt: str | None, highlight: str | None,
           focus: str | None, depth: int, stage: str | None, no_analysis: bool, full: bool,
           routing: str, quiet: bool) -> None:
    """Draw a journey as a service blueprint.

    Stages are columns left to right; touch-points (what the customer sees) stand above
    the line of visibility, the supports they need below it. Fill shows who controls an
    element (internal / partner / external); a thick red border and "⚠ SPOF" mark a
    single point of failure. svg, png and pdf need Graphviz (`dot`); dot and mermaid
    do not. When `dot` is missing, fails, prints no usable image or runs past
    --graphviz-timeout, the reason is printed and the exit code is 2.

    A journey of more than 1,500 elements cannot be read as one picture: render draws
    a summary instead (stages × parties, every single point of failure named) and says
    so on stderr; --full draws every element, --focus and --stage draw part of it.

    \b
    Examples:
      journeymap render specs/bank.journey.yaml -o bank.svg
      journeymap render specs/bank.journey.yaml -o crm.png --highlight core-banking
      journeymap render specs/bank.journey.yaml -o part.svg --focus kyc-rules --depth 1
      journeymap render specs/bank.journey.yaml --format mermaid >> README.md
    """
    from journeymap.cli.progress import Progress
    from journeymap.files import write_atomic
    from journeymap.render import SUFFIXES, GraphvizError, RenderError, scale
    from journeymap.render import render as draw

    output = None if output == "-" else output
    check_outputs(output)
    if fmt is None and output:
        suffix = os.path.splitext(output)[1].lower()
        if suffix not in SUFFIXES:
            fail(f"cannot tell the format from {output!r}: use a suffix "
                 f"({', '.join(sorted(SUFFIXES))}) or --format {'|'.join(_FORMATS)}")
        fmt = SUFFIXES[suffix]
    fmt = fmt or "svg"
    with Progress(quiet) as progress:
        progress.step("loading the spec")
        (loaded,) = load_specs([spec])
        n = len(loaded.elements)
        analysis = None
        if not no_analysis:
            from journeymap.analysis import analyze

            progress.step(f"analysing {n:,} elements")
            analysis = analyze(loaded, samples=0)  # the diagram needs no robustness curve
        # Beyond a readable size the whole journey is summarised (a part asked for with
        # --focus or --stage is drawn in full: the user chose what to see).
        summary = fmt != "mermaid" and focus is None and stage is None and \
            scale.wants_summary(n, full)
        progress.step(("drawing the summary of " if summary else "drawing ") + f"{n:,} elements")
        try:
            data = draw(loaded, analysis, fmt, summary=summary, routing=routing,
                        highlight=highlight, focus=focus, depth=depth, stage=stage)
        except (RenderError, GraphvizError) as exc:
            progress.close()
            fail(str(exc))
    if summary and not quiet:
        click.echo(f"journeymap: {n:,} elements are too many to read as one picture "
                   f"(more than {scale.SUMMARY_ABOVE:,}): drew the summary, stages x parties with "
                   "every single point of failure named. --full draws every element; "
                   "--focus ID or --stage ID draws part of the journey.", err=True)
    if output:
        write_atomic(output, data)
    else:
        write_stdout(data)  # bytes go to the binary stdout as they are
