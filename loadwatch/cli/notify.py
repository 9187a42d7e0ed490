"""``loadwatch notify``: the warning that reaches you, before the planned jump."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import click

from loadwatch.cli.common import athlete_option, db_option, format_option, handle_errors
from loadwatch.errors import ValidationError
from loadwatch.store import Store

if TYPE_CHECKING:
    from loadwatch.notify.config import NotifyConfig
    from loadwatch.notify.deliver import DeliveryFailure

#: Exit status when findings exist (0: none; 1: an error, e.g. a failed delivery; 2: usage).
EXIT_FINDINGS = 3


@click.command("notify")
@athlete_option
@click.option("--all", "all_athletes", is_flag=True, help="Every athlete in the database.")
@click.option(
    "--days",
    type=click.IntRange(1, 28),
    default=None,
    metavar="N",
    help="Days ahead to check (default 7, or [notify] days).",
)
@click.option(
    "--to",
    "to",
    multiple=True,
    metavar="URL",
    help="Apprise URL to send to (repeatable); default: [notify] urls in the config file.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be sent; send and record nothing.")
@click.option(
    "--digest", is_flag=True, help="Send the coach's weekly digest instead (once per week)."
)
@click.option("--team", metavar="TEAM", help="Digest for one team (teams are not available yet).")
@click.option("--no-sync", is_flag=True, help="Do not re-read subscribed calendars first.")
@format_option("text", "json", default="text")
@db_option
@handle_errors
def notify_cmd(
    athlete: str | None,
    all_athletes: bool,
    days: int | None,
    to: tuple[str, ...],
    dry_run: bool,
    digest: bool,
    team: str | None,
    no_sync: bool,
    fmt: str,
    db: str | None,
) -> None:
    """Send one message per new finding: a planned run or week that would be a jump.

    Re-reads subscribed calendars, checks the planned days ahead (default 7)
    and, for each planned run or week that would raise a caution-or-worse
    alert, sends one sentence saying why and the longest run that day that
    stays clear. It remembers what it sent, so running it every hour repeats
    nothing; a finding that goes away is marked cleared ([notify] cleared =
    true also sends a short note). Targets are Apprise URLs (ntfy, e-mail,
    Telegram, Slack, Matrix, json:// webhooks, ...). Exit status: 3 when
    findings exist, 0 when none, 1 on an error (a failed delivery), 2 for usage.

    \b
    Example:
      loadwatch notify --to ntfy://ntfy.sh/my-private-topic
      loadwatch notify --all --dry-run --format json
      loadwatch notify --digest --all --to mailto://coach:pw@example.org
    """
    from loadwatch.cli.entries import athlete_name
    from loadwatch.notify.config import read_notify_config

    if team is not None:
        raise ValidationError("teams are not available yet: use --digest --all")
    if athlete and all_athletes:
        raise ValidationError("give --athlete or --all, not both")
    config = read_notify_config()
    store = Store.open(db)
    if all_athletes or (digest and not athlete):
        names = [a.name for a in store.list_athletes()]
    else:
        names = [store.athlete(athlete_name(athlete), create=False).name]
    run = _Run(store, names, date.today(), days or config.days, dry_run, not no_sync, fmt)
    if digest:
        scope = f"athlete {names[0]}" if athlete and not all_athletes else "all"
        _digest(run, list(to) or config.digest_targets(), scope)
        return
    if not dry_run and not to and not any(config.urls_for(n) for n in names):
        raise ValidationError(
            "nowhere to send: give --to URL or set urls in the [notify] section of the config file"
        )
    _findings(run, list(to), config)


@dataclass(frozen=True, slots=True)
class _Run:
    store: Store
    names: list[str]
    today: date
    days: int
    dry_run: bool
    sync: bool
    fmt: str


def _errors(failures: list[DeliveryFailure], sync_errors: list[str]) -> list[str]:
    """One line per distinct problem (a dead target fails every message the same way)."""
    lines = [f"delivery to {x.target} failed: {x.reason}" for x in failures] + sync_errors
    return list(dict.fromkeys(lines))


def _finish(
    failures: list[DeliveryFailure], sync_errors: list[str], text: bool, found: bool
) -> None:
    """Warnings and errors on stderr, then the exit status: 1, 3 (findings) or 0."""
    if text:
        for line in sync_errors:
            click.echo(f"Warning: {line}", err=True)
    for line in _errors(failures, []):
        click.echo(f"Error: {line}", err=True)
    if failures:
        sys.exit(1)
    sys.exit(EXIT_FINDINGS if found else 0)


def _findings(run: _Run, to: list[str], config: NotifyConfig) -> None:
    from loadwatch.notify.render import finding_message
    from loadwatch.notify.run import notify_athletes

    out = notify_athletes(
        run.store,
        run.names,
        today=run.today,
        days=run.days,
        targets=lambda name: to or config.urls_for(name),
        dry_run=run.dry_run,
        send_cleared=config.cleared,
        sync=run.sync,
    )
    new = {id(f) for f in out.new}
    undelivered = {id(f) for f in out.undelivered}
    if run.fmt == "json":
        payload = {
            "sent": out.sent,
            "findings": [
                {
                    **f.as_dict(),
                    "message": finding_message(f),
                    "new": id(f) in new,
                    "sent": id(f) in new and id(f) not in undelivered and not run.dry_run,
                }
                for f in out.findings
            ],
            "errors": _errors(out.failures, out.sync_errors),
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        if not out.findings:
            click.echo(f"No planned run in the next {run.days} day(s) raises a caution or worse.")
        for f in out.findings:
            if id(f) not in new:
                state = "sent before"
            elif run.dry_run:
                state = "would send"
            else:
                state = "not sent" if id(f) in undelivered else "sent"
            click.echo(f"[{state}] {finding_message(f)}")
        for r in out.cleared:
            click.echo(f"[cleared] {r.athlete}: {r.rule} from {r.first_date} no longer holds.")
        for name in out.no_target:
            click.echo(f"Warning: {name}: no notification URL configured; skipped", err=True)
        suffix = " (dry run: nothing sent or recorded)" if run.dry_run else ""
        click.echo(f"{out.sent} message(s) sent{suffix}.")
    _finish(out.failures, out.sync_errors, run.fmt != "json", bool(out.findings))


def _digest(run: _Run, urls: list[str], scope: str) -> None:
    from loadwatch.notify.render import finding_message
    from loadwatch.notify.run import send_digest

    if not run.dry_run and not urls:
        raise ValidationError(
            "nowhere to send the digest: give --to URL or set digest_urls (or urls) in [notify]"
        )
    out = send_digest(
        run.store,
        run.names,
        today=run.today,
        days=run.days,
        urls=urls,
        scope=scope,
        dry_run=run.dry_run,
        sync=run.sync,
    )
    if run.fmt == "json":
        payload = {
            "sent": int(out.sent),
            "already_sent": out.already_sent,
            "week_start": out.week_start.isoformat(),
            "needs_attention": out.needs_attention,
            "message": out.message,
            "findings": [{**f.as_dict(), "message": finding_message(f)} for f in out.findings],
            "errors": _errors(out.failures, out.sync_errors),
        }
        click.echo(json.dumps(payload, indent=2))
    else:
        click.echo(out.message)
        if out.already_sent:
            click.echo(f"(already sent for the week of {out.week_start}; nothing sent)")
        elif run.dry_run:
            click.echo("(dry run: nothing sent or recorded)")
        elif out.sent:
            click.echo("Digest sent.")
    _finish(out.failures, out.sync_errors, run.fmt != "json", bool(out.needs_attention))


COMMANDS = [notify_cmd]
