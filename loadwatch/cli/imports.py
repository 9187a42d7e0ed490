"""``loadwatch import``: files, folders and whole Garmin/Strava exports."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from loadwatch.cli.common import athlete_option, db_option, handle_errors
from loadwatch.importer import (
    ImportInterrupted,
    ImportReport,
    Progress,
    import_paths,
    interrupt_on_sigterm,
)
from loadwatch.store import Store


class RichProgress(Progress):
    """Files done / total, files per second and time left, on a terminal."""

    def __init__(self) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as Bar

        self.bar = Bar(
            TextColumn("[bold]Importing"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("files"),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
            transient=False,
        )
        self.task: Any = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("import", total=total, rate="")

    def advance(self, name: str, outcome: str) -> None:
        self.bar.advance(self.task)
        speed = self.bar.tasks[0].speed
        self.bar.update(self.task, rate=f"{speed:,.0f} files/s" if speed else "")

    def finish(self) -> None:
        if self.task is not None:
            self.bar.stop()


def print_summary(report: ImportReport, *, verbose: bool = False) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title="Import summary", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    rows = [
        ("files imported (new activities)", report.imported),
        ("activities added", report.activities_added),
        ("files already known (unchanged)", report.unchanged),
        ("duplicate files in this import", report.duplicates),
        ("same run from another file (merged)", report.merged_duplicates),
        ("files skipped", len(report.skipped)),
        ("files with errors", len(report.errors)),
        ("wellness days imported", report.wellness_days_imported),
        ("wellness days unchanged", report.wellness_days_unchanged),
        ("files with notes (--verbose lists them)", len(report.notes)),
    ]
    for label, n in rows:
        table.add_row(label, f"{n:,}")
    console.print(table)
    for c in report.columns_recognised:
        found = ", ".join(f"{v} -> {k}" for k, v in c["columns"].items()) or "none"
        console.print(f"[cyan]columns[/] {c['path']}: {found}", highlight=False)
    for r in report.recovered:
        console.print(f"[yellow]recovered[/] {r['path']}: {r['note']}", highlight=False)
    for s in report.skipped:
        console.print(f"[cyan]skipped[/] {s['path']}: {s['reason']}", highlight=False)
    for e in report.errors:
        console.print(f"[red]error[/] {e['path']}: {e['error']}", highlight=False)
    if verbose:
        for item in report.notes:
            for note in item["notes"]:
                console.print(f"[blue]note[/] {item['path']}: {note}", highlight=False)
    for f in report.implausible:
        console.print(
            f"[yellow]not counted[/] {f['path']} ({f['start_utc'][:10]}): {f['reason']}; "
            "see `loadwatch activities`, then `loadwatch activities accept ID` if it is real",
            highlight=False,
        )
    for m in report.missing_from_archive:
        label = str(m.get("name") or m.get("ident"))
        when = m.get("start_utc") or "?"
        console.print(f"[magenta]missing[/] {label} ({when}): {m['reason']}", highlight=False)


@click.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@athlete_option
@db_option
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of tables.")
@click.option(
    "--keep-originals/--no-keep-originals",
    default=True,
    show_default=True,
    help="Keep a content-addressed copy of every imported file next to the database.",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Decoder processes (default: one per CPU core).",
)
@click.option("--verbose", "-v", is_flag=True, help="Also list every note on the imported files.")
@handle_errors
def import_cmd(
    paths: tuple[str, ...],
    athlete: str | None,
    db: str | None,
    as_json: bool,
    keep_originals: bool,
    workers: int | None,
    verbose: bool,
) -> None:
    """Import activity files, folders and whole exports.

    PATHS may be FIT, GPX or TCX files (gzipped or not, any letter case),
    folders (searched recursively), a Garmin Connect "export your data" zip or
    a Strava bulk-export zip, dragged in as they come. Importing the same file
    again changes nothing; one bad file never stops the batch.

    Exit status: 0 when every file was read, 1 when some failed, 2 on usage
    errors, 130 when interrupted (Ctrl-C or SIGTERM): what was stored is
    printed, and running the same command again finishes the job.

    \b
    Example:
      loadwatch import ~/Downloads/export_12345.zip --athlete "Sam"
      loadwatch import sample_activities/ --json
    """
    store = Store.open(db)
    progress = RichProgress() if sys.stderr.isatty() and not as_json else None
    try:
        with interrupt_on_sigterm():
            report = import_paths(
                store,
                paths,
                athlete=athlete,
                keep_originals=keep_originals,
                workers=workers,
                progress=progress,
            )
    except ImportInterrupted as stop:
        if as_json:
            click.echo(json.dumps(stop.report.as_json(), indent=2))
        else:
            print_summary(stop.report)
        click.echo(
            f"Interrupted: {stop.report.imported:,} files imported "
            f"({stop.report.activities_added:,} activities) before the stop; every stored "
            "file is whole. Run the same command again to finish the import.",
            err=True,
        )
        sys.exit(130)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        print_summary(report, verbose=verbose)
    sys.exit(1 if report.failed else 0)


COMMANDS = [import_cmd]
