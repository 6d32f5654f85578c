"""``journeymap import backstage|csv``: starter specs from what already exists."""

from __future__ import annotations

import os

import click

from journeymap.cli.common import fail, say

_MAX_BYTES = 32 * 1024 * 1024


def _read(path: str) -> str:
    if not os.path.isfile(path):
        fail(f"{path}: not a regular file")
    if os.path.getsize(path) > _MAX_BYTES:
        fail(f"{path}: larger than {_MAX_BYTES:,} bytes")
    try:
        with open(path, "rb") as fh:
            return fh.read().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        fail(f"{path}: cannot read it as UTF-8 text ({exc})")


def _problems(exc: Exception) -> None:
    for p in getattr(exc, "problems", ()):
        say(str(p), err=True)
    fail(f"{len(getattr(exc, 'problems', ()))} problem(s) in the input; nothing was written")


def _write_checked(output: str, text: str, catalog: bool) -> None:
    """Validate the generated spec with the ordinary loader, then write it atomically."""
    from journeymap.exit_status import ExitStatus
    from journeymap.files import write_atomic
    from journeymap.spec import SpecError, load_spec
    from journeymap.spec.catalog import CatalogReader, load_catalog

    class _Generated(CatalogReader):
        def text(self, path: str) -> str:
            return text if os.path.abspath(path) == os.path.abspath(output) \
                else super().text(path)

    try:
        if catalog:
            load_catalog(output, _Generated())
        else:
            load_spec(output, text=text)
    except SpecError as exc:  # a bug: importers must write valid specs
        for d in exc.diagnostics:
            say(str(d), err=True)
        fail("journeymap wrote a spec that does not validate (a bug; please report it); "
             "nothing was written", ExitStatus.INTERNAL_ERROR)
    write_atomic(output, text)


@click.group("import")
def import_cmd() -> None:
    """Write a starter spec from what already exists (Backstage, a spreadsheet).

    The result validates as written; every element says in a comment where it came
    from. Review it: parties are marked internal, needs are hard.
    """


@import_cmd.command("backstage")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The catalog file to write (e.g. specs/catalogs/backstage.catalog.yaml).")
@click.option("--id", "catalog_id", help="Catalog id [default: from the output file name].")
@click.option("--name", "catalog_name", default="Imported from Backstage", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def backstage(files: tuple[str, ...], output: str, catalog_id: str | None, catalog_name: str,
              force: bool) -> None:
    """Backstage catalog-info.yaml files -> a journeymap catalog of supports.

    Component, Resource, System and API entities become supports; spec.owner the owning
    party; spec.dependsOn, dependencyOf, consumesApis and providesApis their needs.

    \b
    Example:
      journeymap import backstage catalog-info.yaml services/*/catalog-info.yaml \\
          -o specs/catalogs/backstage.catalog.yaml
    """
    from journeymap.importers import ImportError_, slug
    from journeymap.importers.backstage import backstage_catalog

    if os.path.exists(output) and not force:
        fail(f"{output} already exists (use --force to overwrite)")
    base = os.path.basename(output).split(".")[0]
    try:
        text = backstage_catalog([(f, _read(f)) for f in files], slug(catalog_id or base),
                                 catalog_name)
    except ImportError_ as exc:
        _problems(exc)
    _write_checked(output, text, catalog=True)
    click.echo(f"Wrote {output}. Next: name it under 'uses:' in a journey, then "
               f"journeymap validate {output}")


@import_cmd.command("csv")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="The journey spec to write (e.g. specs/onboarding.journey.yaml).")
@click.option("--id", "journey_id", help="Journey id [default: from the output file name].")
@click.option("--name", "journey_name", help="Journey name [default: from the id].")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def csv_cmd(file: str, output: str, journey_id: str | None, journey_name: str | None,
            force: bool) -> None:
    """A spreadsheet of touch-points (CSV) -> a starter journey.

    Columns: id, name, stage, channel, owner, next, needs (and optionally entry, goal,
    description); lists in a cell are separated by ';' ',' or '|'.

    \b
    Example:
      journeymap import csv touchpoints.csv -o specs/onboarding.journey.yaml
    """
    from journeymap.importers import ImportError_
    from journeymap.importers.touchpoints_csv import csv_journey

    if os.path.exists(output) and not force:
        fail(f"{output} already exists (use --force to overwrite)")
    try:
        text = csv_journey(file, _read(file),
                           journey_id or os.path.basename(output).split(".")[0], journey_name)
    except ImportError_ as exc:
        _problems(exc)
    _write_checked(output, text, catalog=False)
    click.echo(f"Wrote {output}. Next: journeymap analyze {output}")
