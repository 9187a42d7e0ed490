"""The ``loadwatch`` command line: a thin face over the Python API.

Each module in this package defines click commands and lists them in
``COMMANDS``. Commands are loaded lazily, so ``loadwatch import`` does not
pay for pandas, the alerts engine or the dashboard.
"""

from __future__ import annotations

import importlib

import click
from click.utils import make_default_short_help

from loadwatch.cli.common import (
    EXIT_STATUS_HELP,
    Group,
    protect_negative_numbers,
)

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
    "users": "users",
    "teams": "teams",
    "serve": "serve",
    "demo": "serve",
    "worker": "worker",
    "db": "db",
    "audit": "audit",
}


# command name -> its short help, so that ``loadwatch --help`` imports no command
# module (pandas, SQLAlchemy); a test checks each equals the command's own.
# A command missing here is loaded to ask it.
_SHORT_HELP: dict[str, str] = {
    "import": "Import activity files, folders and whole exports.",
    "activities": "List imported activities, newest first.",
    "athletes": "List athletes (or add, rename, set a profile with the subcommands).",
    "metrics": 'Training-load metrics as defined in the README (section "Metrics").',
    "pain": "Log pain scores (0–10) and see how they move with load.",
    "wellness": "Log how you slept and feel; see it next to your watch's sleep, resting HR "
    "and stress.",
    "rehab": "Log your rehab routine and see how well you keep to it.",
    "plan": "Planned runs: add, list, delete, import (CSV or ICS), calendar subscriptions.",
    "check": "Warn before a jump: the alerts your plan would trigger, and the safe ceiling.",
    "status": "An athlete's state as of a date: the numbers the coach table shows.",
    "alerts": "Past alerts of your recorded runs and pain log, with the evidence behind them.",
    "notify": "Send one message per new finding: a planned run or week that would be a jump.",
    "config": "Show the alert thresholds in force for an athlete and where each came from.",
    "users": "Accounts for a club server: admins, coaches and athletes.",
    "teams": "Teams: a coach sees and edits the athletes of the teams they coach.",
    "serve": "Run the dashboard (runner view and coach view) in your browser.",
    "demo": "Import the bundled sample runs and pain log into a fresh store and show "
    "the dashboard.",
    "worker": "Run background imports for the dashboard's web processes (a Celery worker).",
    "db": "The database schema: which revision it is at, and upgrading it.",
    "audit": "List who wrote what: every write, oldest first.",
}


def _document_exit_status(command: click.Command) -> None:
    """Give every command whose help does not state its exit status the common one."""
    if command.epilog is None and "Exit status" not in (command.help or ""):
        command.epilog = EXIT_STATUS_HELP
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _document_exit_status(sub)


class _LazyGroup(Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list from :data:`_SHORT_HELP`, laid out as click lays it out."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(n) for n in names)
        rows = []
        for name in names:
            text = _SHORT_HELP.get(name)
            if text is None:
                command = self.get_command(ctx, name)
                if command is None or command.hidden:
                    continue
                rows.append((name, command.get_short_help_str(limit)))
            else:
                rows.append((name, make_default_short_help(text, limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        module_name = _COMMANDS.get(cmd_name)
        if module_name is None:
            return None
        module = importlib.import_module(f"loadwatch.cli.{module_name}")
        for command in module.COMMANDS:
            if command.name == cmd_name:
                _document_exit_status(command)
                return command
        raise RuntimeError(f"loadwatch.cli.{module_name} does not define {cmd_name!r}")

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None:
            rest = protect_negative_numbers(ctx, command, rest)
        return name, command, rest


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit status: 0 success, 1 error, 2 usage error, 3 check or notify found "
    "something at caution or above (see the README, Exit status).",
)
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
