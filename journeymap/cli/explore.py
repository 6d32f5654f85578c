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
@click.option("-q", "--quiet", is_flag=True, help="No progress on stderr.")
@GRAPHVIZ_TIMEOUT_OPTION
def explore(spec: str, output: str, routing: str, quiet: bool) -> None:
    """Write an explorer page: the journey diagram to click through, offline.

    One HTML file with everything inline (diagram, style, script and the analysis as
    JSON): open it in any browser, from disk, with no server and nothing fetched. Click
    an element to see its cascade drawn on the diagram -- what goes down, what is
    stranded, the collapse path in order, the customers lost and who controls it; search
    by name or id; filter by stage or party; zoom and pan (wheel, drag, pinch, buttons).
    Needs Graphviz (`dot`) to draw the diagram.

    \b
    Example:
      journeymap explore specs/bank-account-opening.journey.yaml -o bank.html
    """
    from journeymap.cli.progress import Progress
    from journeymap.files import write_atomic
    from journeymap.render import GraphvizError
    from journeymap.render.explore import explore_html

    check_outputs(output)
    with Progress(quiet) as progress:
        progress.step("loading the spec")
        (loaded,) = load_specs([spec])
        from journeymap.analysis import analyze

        progress.step(f"analysing {len(loaded.elements):,} elements")
        analysis = analyze(loaded, samples=0)
        progress.step(f"drawing {len(loaded.elements):,} elements")
        try:
            page = explore_html(analysis, routing=routing)
        except GraphvizError as exc:
            progress.close()
            fail(str(exc))
    write_atomic(output, page.encode("utf-8"))
