"""Pieces every command shares: loading specs with diagnostics, colour, failing cleanly."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import IO, Any, NoReturn, TypeVar

import click

from journeymap.escape import terminal_lines
from journeymap.exit_status import ExitStatus
from journeymap.files import STDOUT, OutputError, check_target, spec_paths
from journeymap.spec import Spec, SpecError, load_spec

COLOR_OPTION = click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
    help="Colour in terminal output. 'auto' honours NO_COLOR, FORCE_COLOR and whether "
         "output is a terminal.")


def _set_graphviz_timeout(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    from journeymap.render.graphviz_run import parse_timeout, set_graphviz_timeout

    if value is None:
        set_graphviz_timeout(None)
        return
    try:
        set_graphviz_timeout(parse_timeout(value))
    except ValueError:
        raise click.BadParameter(f"{value!r}: use a number of seconds above 0") from None


GRAPHVIZ_TIMEOUT_OPTION = click.option(
    "--graphviz-timeout", metavar="SECONDS", envvar="JOURNEYMAP_GRAPHVIZ_TIMEOUT",
    expose_value=False, callback=_set_graphviz_timeout, show_envvar=True,
    help="Stop Graphviz's 'dot' after this many seconds and say so [default: 300].")


def use_color(choice: str, stream: IO[str] | None = None) -> bool:
    """Decide colour: --color, then NO_COLOR, then FORCE_COLOR, then isatty."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def say(text: str, err: bool = False) -> None:
    """Print text that carries spec text (names, paths, diagnostics): no terminal
    controls, and no line a CI runner would take for a workflow command."""
    click.echo(terminal_lines(text), err=err)


def fail(message: str, status: ExitStatus = ExitStatus.INPUT_ERROR) -> NoReturn:
    """Print ``journeymap: error: message`` to stderr and exit (never a traceback)."""
    say(f"journeymap: error: {message}", err=True)
    sys.exit(int(status))


def check_outputs(*paths: str | None) -> None:
    """Refuse unusable output targets before any work is done (exit 2 through
    :class:`OutputError`): an existing non-regular file, the same file twice, more than
    one ``-`` (stdout)."""
    given = [p for p in paths if p]
    if given.count(STDOUT) > 1:
        raise OutputError(STDOUT, "only one output can go to stdout ('-')")
    seen: set[str] = set()
    for p in given:
        check_target(p)
        key = os.path.abspath(p) if p != STDOUT else p
        if key in seen:
            raise OutputError(p, "the command would write it twice")
        seen.add(key)


def write_stdout(data: str | bytes, color: bool | None = None) -> None:
    """Write an output to stdout; a write error (a full disk behind ``> file``) is an
    :class:`OutputError` (exit 2), not a traceback."""
    try:
        click.echo(data, nl=False, color=color)
    except BrokenPipeError:
        raise  # the reader went away: the command group ends quietly
    except OSError as exc:
        quiet_stdout()
        raise OutputError("stdout", exc.strerror or str(exc), nothing_written=False) from None


def quiet_stdout() -> None:
    """Point stdout at /dev/null: Python flushes it again at exit, and a broken pipe or
    full disk would print one more traceback."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):  # not a real file (tests): nothing to do
        pass


def load_specs(paths: tuple[str, ...] | list[str]) -> list[Spec]:
    """Load every spec under ``paths``; on any problem print them all and exit 2."""
    files = spec_paths(list(paths))
    if not files:
        fail("no spec files found (looked for *.yaml and *.yml)")
    specs, problems = [], []
    for path in files:
        try:
            specs.append(load_spec(path))
        except SpecError as exc:
            problems.extend(exc.diagnostics)
    # A broken catalog is reported once, not once per journey that uses it.
    problems = sorted(set(problems))
    if problems:
        for d in problems:
            say(str(d), err=True)
        n_files = len({d.location.path for d in problems})
        fail(f"{len(problems)} problem(s) in {n_files} spec file(s); nothing was written")
    return specs


_F = TypeVar("_F", bound=Callable[..., Any])


def existing_paths(func: _F) -> _F:
    """The SPEC... argument: files or directories that must exist (``-``: standard input)."""
    return click.argument("specs", nargs=-1, required=True,
                          type=click.Path(exists=True, dir_okay=True, allow_dash=True))(func)
