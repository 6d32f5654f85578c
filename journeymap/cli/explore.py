"""``journeymap explore``: one self-contained HTML page to click through a journey."""

from __future__ import annotations

import click

from journeymap.cli.common import GRAPHVIZ_TIMEOUT_OPTION, check_outputs, fail, load_specs


@click.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True,
              help="Write the page here (e.g. page.html).")
@click.option("--routing", type=click.Choice(["auto", "curved", "orthogonal", "straight"]),
              default="auto", show_default=True,
              help="How the diagram's lines are drawn (auto: curved while quick).")
@click.option("--stage", metavar="ID", help="Draw only this stage's column (and its neighbours).")
@click.option("--focus", metavar="ID",
              help="Draw only the elements within --depth lines of this element.")
@click.option("--depth", type=click.IntRange(0), default=2, show_default=True,
              help="How many lines (flow or needs) from --focus to draw.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or notes on stderr.")
@GRAPHVIZ_TIMEOUT_OPTION
def explore(spec: str, output: str, routing: str, stage: str | None, focus: str | None,
            depth: int, quiet: bool) -> None:
    """Write an explorer page: the journey diagram to click through, offline.

    One HTML file with everything inline (diagram, style, script and the analysis as
    JSON): open it in any browser, from disk, with no server and nothing fetched. Click
    an element to see its cascade drawn on the diagram -- what goes down, what is
    stranded, the collapse path in order, the customers lost and who controls it; search
    by name or id; filter by stage or party; zoom and pan (wheel, drag, pinch, buttons).
    Needs Graphviz (`dot`) to draw the diagram. --stage or --focus draw part of a very
    large journey (every element can still be searched and its cascade read).

    \b
    Example:
      journeymap explore specs/bank-account-opening.journey.yaml -o bank.html
    """
    from journeymap.cli.progress import Progress
    from journeymap.files import write_atomic
    from journeymap.render import GraphvizError, RenderError, scale
    from journeymap.render.explore import explore_html

    check_outputs(output)
    with Progress(quiet) as progress:
        progress.step("loading the spec")
        (loaded,) = load_specs([spec])
        from journeymap.analysis import analyze

        progress.step(f"analysing {len(loaded.elements):,} elements")
        analysis = analyze(loaded, samples=0)
        n = len(loaded.elements)
        if n > scale.SUMMARY_ABOVE and stage is None and focus is None and not quiet:
            progress.close()
            click.echo(f"journeymap: drawing all {n:,} elements for the page takes a while "
                       "(about 90 s at 10,000); --stage ID or --focus ID draws part of the "
                       "journey in seconds.", err=True)
        progress.step(f"drawing {n:,} elements")
        try:
            page = explore_html(analysis, routing=routing, stage=stage, focus=focus,
                                depth=depth)
        except (GraphvizError, RenderError) as exc:
            progress.close()
            fail(str(exc))
    write_atomic(output, page.encode("utf-8"))
