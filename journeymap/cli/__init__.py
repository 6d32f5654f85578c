"""The ``journeymap`` command line: thin click commands over the library.

Commands are loaded lazily (only the one you run is imported), so ``journeymap
validate`` does not pay for Graphviz, the analysis engine or the report typesetter.
"""

from __future__ import annotations

import gc
import importlib
import sys
from typing import Any, NoReturn

import click

from journeymap import __version__
from journeymap.exit_status import ExitStatus

# command name -> "module:function"; one module per command family.
COMMANDS: dict[str, str] = {
    "validate": "journeymap.cli.validate:validate",
    "schema": "journeymap.cli.validate:schema",
    "init": "journeymap.cli.validate:init",
    "analyze": "journeymap.cli.analyze:analyze",
    "simulate": "journeymap.cli.analyze:simulate",
    "report": "journeymap.cli.report:report",
    "check": "journeymap.cli.check:check",
    "diff": "journeymap.cli.check:diff",
    "rules": "journeymap.cli.check:rules_cmd",
    "render": "journeymap.cli.render:render",
    "portfolio": "journeymap.cli.portfolio:portfolio",
    "explore": "journeymap.cli.explore:explore",
    "import": "journeymap.cli.importer:import_cmd",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attr = target.split(":")
        return getattr(importlib.import_module(module), attr)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; turn what escapes it into the CI contract's exit codes:
        an output that cannot be written is 2 (path and reason), anything unexpected
        is 3 (a bug, said in one line; the traceback only with --debug). A crash must
        never exit 1, which CI reads as "findings"."""
        from journeymap.files import OutputError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Abort,
                click.exceptions.Exit, KeyboardInterrupt):
            raise
        except OutputError as exc:
            from journeymap.cli.common import say

            say(f"journeymap: error: {exc}", err=True)
            ctx.exit(int(ExitStatus.INPUT_ERROR))
        except BrokenPipeError:  # the reader went away (`| head`): not a bug, not findings
            from journeymap.cli.common import quiet_stdout

            quiet_stdout()
            ctx.exit(int(ExitStatus.INPUT_ERROR))
        except Exception as exc:
            internal_error(exc, debug=bool(ctx.params.get("debug")))
            ctx.exit(int(ExitStatus.INTERNAL_ERROR))


def internal_error(exc: BaseException, debug: bool) -> None:
    """Print an unexpected exception as one line that says it is a bug (and how to
    report it); the traceback only when debugging."""
    if debug:
        import traceback

        click.echo("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
                   err=True, nl=False)
    what = " ".join(f"{type(exc).__name__}: {exc}".split())
    if len(what) > 300:
        what = what[:299] + "…"
    from journeymap.escape import terminal

    click.echo(f"journeymap: internal error (a bug in journeymap {__version__}, not in your "
               f"input): {terminal(what)}. Please report it with the command you ran and, if "
               f"you can, the spec; add --debug (journeymap --debug COMMAND ...) to print the "
               f"traceback.", err=True)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="journeymap")
@click.option("--debug", is_flag=True, envvar="JOURNEYMAP_DEBUG",
              help="On an internal error, print the traceback (for a bug report).")
def cli(debug: bool) -> None:
    """Find where a customer journey has become fragile.

    journeymap reads journey specs (YAML: touch-points, the supports behind them, and the
    flow and dependency lines between them) and finds the single points of failure, the
    cascade each failure sets off, and the lines that turned a complicated journey into a
    complex one.

    \b
    Start here:
      journeymap init my.journey.yaml      write a commented starter spec
      journeymap validate specs/           check specs, every problem at once
      journeymap analyze specs/x.yaml      single points of failure and cascades

    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad input or usage (also an
    output that cannot be written), 3 internal error (a bug in journeymap).
    """


_KEPT: list[Any] = []  # what keep_until_exit holds, when main() runs the process
_FAST_EXIT = False


def keep_until_exit(*objects: Any) -> None:
    """Hold a command's large objects (the specs, the results) until the process ends.

    :func:`main` ends the process without freeing anything (:func:`_exit`); freeing a
    100k-element spec and its analysis object by object when the command returns takes
    0.2-0.4 s and changes nothing in the output. Commands run in-process (tests, the
    Python API) keep nothing.
    """
    if _FAST_EXIT:
        _KEPT.append(objects)


def main(argv: list[str] | None = None) -> NoReturn:
    """The ``journeymap`` process: run one command, then exit with its status.

    Not for calling from Python code that goes on running (it ends the process; use
    :data:`cli` or the Python API instead).
    """
    # A command is one short process whose data are trees (no reference cycles to
    # reclaim), so the cyclic garbage collector only costs: each collection rescans
    # every object alive (a 10k-element spec and its analysis are millions), and
    # Python rescans them all once more at exit. Reference counting still frees
    # everything. Commands run in-process (tests, the Python API) keep the collector.
    gc.disable()
    global _FAST_EXIT
    _FAST_EXIT = True
    try:
        cli.main(args=argv, prog_name="journeymap", standalone_mode=True)
        status: Any = 0
    except SystemExit as done:
        status = done.code
    except KeyboardInterrupt:  # pragma: no cover
        status = 130
    _exit(status)


def _exit(status: Any) -> NoReturn:
    """Exit with ``status`` once the output is out, without tearing the interpreter down.

    Python's own exit frees every module and object one by one after the command is
    done (0.07 s of a 10k-element analyze, 0.23 s at 100k): nothing left to do needs
    it. Exit handlers still run and the output is flushed first; if flushing fails (a
    reader that went away) or other threads still run, Python exits the usual way.
    """
    import atexit
    import os
    import threading

    if not isinstance(status, int) or threading.active_count() > 1:
        sys.exit(status)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # Python's exit reports it as it always has
        sys.exit(status)
    os._exit(status)


__all__ = ["COMMANDS", "ExitStatus", "cli", "internal_error", "keep_until_exit", "main"]
