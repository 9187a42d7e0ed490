"""The ``loadwatch`` command line: a thin face over the Python API.

Each module in this package defines click commands and lists them in
``COMMANDS``; this module gathers them into one group.
"""

from __future__ import annotations

import importlib

import click

# Modules contributing commands, in help order.
_COMMAND_MODULES = (
    "imports",
    "activities",
    "athletes",
    "metrics",
    "pain",
    "plan",
    "check",
    "config",
    "serve",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loadwatch")
def cli() -> None:
    """loadwatch: training-load monitoring for runners.

    Import runs from your watch (FIT, GPX, TCX, or a whole Garmin/Strava
    export), see weekly mileage, ramps, acute:chronic ratios and run spikes next
    to your back-pain log, and get a warning before a planned jump.

    loadwatch shows information with its evidence; it is not medical advice.
    """


def _register() -> None:
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(f"loadwatch.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name == f"loadwatch.cli.{name}":
                continue  # not written yet
            raise
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


def main() -> None:
    cli()
