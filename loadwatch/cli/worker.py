"""``loadwatch worker``: run the background worker of a club server (Celery over Redis)."""

from __future__ import annotations

import click

from loadwatch.cli.common import db_option, handle_errors


@click.command("worker")
@click.option(
    "--concurrency",
    "-c",
    type=click.IntRange(1, 256),
    default=None,
    help="Imports run at once, one process each (default: one per CPU core).",
)
@click.option(
    "--loglevel",
    type=click.Choice(["debug", "info", "warning", "error"]),
    default="info",
    show_default=True,
    help="What the worker logs (job ids and timings; never data).",
)
@db_option
@handle_errors
def worker(concurrency: int | None, loglevel: str, db: str | None) -> None:
    """Run background imports for the dashboard's web processes (a Celery worker).

    Needs the same settings as the web processes (environment or the config
    file's [server] table): the database (LOADWATCH_DB or --db), the broker
    (LOADWATCH_BROKER_URL, a redis:// URL) and the shared upload folder
    (LOADWATCH_UPLOAD_DIR). Run one or more on
    any machine that reaches all three; stop with Ctrl+C or SIGTERM (a running
    import finishes first).

    \b
    Example:
      LOADWATCH_BROKER_URL=redis://127.0.0.1:6379/0 \\
      LOADWATCH_UPLOAD_DIR=/srv/loadwatch/uploads loadwatch worker -c 2
    """
    from dashboards.app import worker_jobs
    from loadwatch.jobs import describe, run_worker
    from loadwatch.settings import Settings

    settings = Settings.load(db_url=db)
    app = worker_jobs(settings)
    click.echo(f"loadwatch worker on {describe(settings.broker_url or '')} (Ctrl+C to stop)")
    run_worker(app, concurrency=concurrency, loglevel=loglevel)


COMMANDS = [worker]
