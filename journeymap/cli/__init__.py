"""The ``journeymap`` command line: thin click commands over the library.

Commands are loaded lazily (only the one you run is imported), so ``journeymap
validate`` does not pay for Graphviz, the analysis engine or the report typesetter.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any

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


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"],
                                               "max_content_width": 100})
@click.version_option(__version__, "-V", "--version", prog_name="journeymap")
def cli() -> None:
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

    Exit codes: 0 ok, 1 findings at or above --fail-on, 2 bad input or usage.
    """


def main(argv: list[str] | None = None) -> Any:
    try:
        return cli.main(args=argv, prog_name="journeymap", standalone_mode=True)
    except KeyboardInterrupt:  # pragma: no cover
        sys.exit(130)


__all__ = ["COMMANDS", "ExitStatus", "cli", "main"]
