"""``loadwatch config``: the alert thresholds in force, and where each comes from."""

from __future__ import annotations

import json

import click

from loadwatch.cli.common import athlete_option, db_option, emit_rows, format_option, handle_errors
from loadwatch.cli.entries import athlete_name
from loadwatch.errors import ValidationError
from loadwatch.store import DEFAULT_ATHLETE


def _check_known(name: str, *, in_config: bool, db: str | None) -> None:
    """Refuse an athlete that neither the store nor the config file knows."""
    if name == DEFAULT_ATHLETE or in_config:
        return
    from loadwatch.store import Store

    known = {a.name for a in Store.open(db).list_athletes()}
    if name not in known:
        listed = ", ".join(sorted(known)) or "none yet"
        raise ValidationError(f"no athlete called {name!r} (known: {listed})")


@click.command("config")
@athlete_option
@format_option("table", "csv", "json")
@db_option
@handle_errors
def config_cmd(athlete: str | None, fmt: str, db: str | None) -> None:
    """Show the alert thresholds in force for an athlete and where each came from.

    Sources: the default (README, "Alerts, pain and the warning before a
    jump"), the config file's [thresholds] table, or the athlete's own
    [athletes."NAME".thresholds] table. The file is config.toml in the data
    folder (env LOADWATCH_CONFIG names another). Without --athlete, the
    values in force for the single-user athlete 'me' are shown; a name that
    neither the store nor the config file knows is an error.

    \b
    Example:
      loadwatch config --athlete "Sam Jumps"
    """
    from loadwatch.service.config import DESCRIPTIONS, THRESHOLD_KEYS
    from loadwatch.service.config import thresholds_in_force as effective_thresholds

    name = athlete_name(athlete)
    eff = effective_thresholds(name)
    own = f"athlete {name}"
    _check_known(name, in_config=own in eff.sources.values(), db=db)
    rows = [
        {
            "key": key,
            "value": getattr(eff.thresholds, key),
            "source": eff.sources[key],
            "meaning": DESCRIPTIONS[key],
        }
        for key in THRESHOLD_KEYS
    ]
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "config_file": str(eff.path),
                    "exists": eff.file_exists,
                    "athlete": name,
                    "thresholds": {
                        r["key"]: {"value": r["value"], "source": r["source"]} for r in rows
                    },
                },
                indent=2,
            )
        )
        return
    if fmt == "table":
        state = "found" if eff.file_exists else "not found, defaults apply"
        click.echo(f"Config file: {eff.path} ({state})")
        click.echo(f"Athlete: {name}")
    emit_rows(rows, ("key", "value", "source", "meaning"), fmt)


COMMANDS = [config_cmd]
