"""``loadwatch config``: the alert thresholds in force, and where each comes from."""

from __future__ import annotations

import json

import click

from loadwatch.cli.common import athlete_option, emit_rows, format_option, handle_errors


@click.command("config")
@athlete_option
@format_option("table", "csv", "json")
@handle_errors
def config_cmd(athlete: str | None, fmt: str) -> None:
    """Show the alert thresholds in force and where each came from.

    Sources: the science.md default, the config file's [thresholds] table, or
    the athlete's own [athletes."NAME".thresholds] table. The file is
    config.toml in the data folder (env LOADWATCH_CONFIG names another).

    \b
    Example:
      loadwatch config --athlete "Sam Jumps"
    """
    from loadwatch.service.config import DESCRIPTIONS, THRESHOLD_KEYS
    from loadwatch.service.config import thresholds_in_force as effective_thresholds

    eff = effective_thresholds(athlete)
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
                    "athlete": athlete,
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
    emit_rows(rows, ("key", "value", "source", "meaning"), fmt)


COMMANDS = [config_cmd]
