"""``journeymap validate``, ``schema`` and ``init``: the spec language itself."""

from __future__ import annotations

import os
import sys

import click

from journeymap.cli.common import existing_paths, fail, say, write_stdout
from journeymap.exit_status import ExitStatus
from journeymap.files import spec_paths, write_atomic


@click.command()
@existing_paths
@click.option("-q", "--quiet", is_flag=True, help="Print only problems, no OK summary.")
def validate(specs: tuple[str, ...], quiet: bool) -> None:
    """Check journey specs and report every problem at once.

    SPECS are files or directories (every *.yaml / *.yml under them). Each problem is
    printed as `path:line:column: error[CODE]: message`; the exit code is 2 when there
    is any problem, 0 otherwise.

    \b
    Example:
      journeymap validate specs/
    """
    from journeymap.spec import SpecError, load_spec
    from journeymap.spec.catalog import load_catalog

    files = spec_paths(list(specs), catalogs=True)
    if not files:
        fail("no spec files found (looked for *.yaml and *.yml)")
    problems = 0
    bad_files = 0
    shown: set[object] = set()  # a broken catalog is reported once, not per journey using it
    for path in files:
        try:
            try:
                spec = load_spec(path)
            except SpecError as exc:
                if [d.code for d in exc.diagnostics] != ["JM055"]:
                    raise
                catalog = load_catalog(path)  # a catalog: check it on its own
                if not quiet:
                    say(f"{path}: ok — catalog {catalog.name}: {len(catalog.parties)} "
                               f"parties, {len(catalog.supports)} supports")
                continue
        except SpecError as exc:
            new = [d for d in exc.diagnostics if d not in shown]
            shown.update(new)
            for d in new:
                say(str(d))
            problems += len(new)
            bad_files += 1
            continue
        if not quiet:
            tps = len(spec.touchpoints)
            say(f"{path}: ok — {spec.journey.name}: {tps} touch-points, "
                       f"{len(spec.elements) - tps} supports, {len(spec.flows)} flow lines, "
                       f"{sum(len(e.needs) for e in spec.elements)} needs")
    if problems:
        click.echo(f"{problems} problem(s) in {bad_files} of {len(files)} spec file(s).", err=True)
        sys.exit(int(ExitStatus.INPUT_ERROR))
    if not quiet:
        click.echo(f"All {len(files)} spec file(s) are valid.")


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write to a file instead of stdout.")
@click.option("--catalog", is_flag=True,
              help="The schema of catalog files (shared parties and supports) instead.")
def schema(output: str | None, catalog: bool) -> None:
    """Print the JSON Schema (draft-07) of the journey spec format.

    Editors with the YAML language server autocomplete and check specs that start with
    `# yaml-language-server: $schema=journeymap.schema.json`:

    \b
      journeymap schema -o journeymap.schema.json
    """
    from journeymap.spec import schema_text
    from journeymap.spec.catalog import catalog_schema_text

    text = catalog_schema_text() if catalog else schema_text()
    if output and output != "-":
        write_atomic(output, text)
    else:
        write_stdout(text)


@click.command()
@click.argument("path", default="journey.journey.yaml", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def init(path: str, force: bool) -> None:
    """Write a small, commented starter spec to PATH (default: journey.journey.yaml).

    The starter validates as written; edit it into your own journey.
    """
    from importlib import resources

    if os.path.lexists(path) and not force:
        fail(f"{path} already exists (use --force to overwrite)")
    text = resources.files("journeymap.spec").joinpath("starter.journey.yaml").read_text("utf-8")
    write_atomic(path, text)
    say(f"Wrote {path}. Next: journeymap validate {path} && journeymap analyze {path}")
    click.echo("For editor completion: journeymap schema -o journeymap.schema.json")
