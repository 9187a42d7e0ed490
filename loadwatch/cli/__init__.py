"""The ``loadwatch`` command line: a thin face over the Python API.

Each module in this package defines click commands and lists them in
``COMMANDS``. Commands are loaded lazily, so ``loadwatch import`` does not
pay for pandas, the alerts engine or the dashboard.
"""

from __future__ import annotations

import importlib

import click

# command name -> module defining it, in help order.
_COMMANDS: dict[str, str] = {
    "import": "imports",
    "activities": "activities",
    "athletes": "athletes",
    "metrics": "metrics",
    "pain": "pain",
    "wellness": "wellness",
    "rehab": "rehab",
    "plan": "plan",
    "check": "check",
    "status": "status",
    "alerts": "status",
    "notify": "notify",
    "config": "config",
    "serve": "serve",
    "demo": "serve",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"loadwatch.cli.{module_name}")
        for command in module.COMMANDS:
            if command.name == cmd_name:
                return command
        raise RuntimeError(f"loadwatch.cli.{module_name} does not define {cmd_name!r}")


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loadwatch")
def cli() -> None:
    """loadwatch: training-load monitoring for runners.

    Import runs from your watch (FIT, GPX, TCX, or a whole Garmin/Strava
    export), see weekly mileage, ramps, acute:chronic ratios and run spikes next
    to your back-pain log, and get a warning before a planned jump.

    loadwatch shows information with its evidence; it is not medical advice.

    \b
    Example:
      loadwatch demo                      # the dashboard on the bundled samples
      loadwatch import export.zip         # a Garmin or Strava export
      loadwatch check --run 25            # what would a 25 km run trigger?
    """


def main() -> None:
    cli()
