"""``loadwatch import``: files, folders and whole Garmin/Strava exports."""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import click

from loadwatch.cli.common import EXIT_ERROR, EXIT_OK, athlete_option, db_option, handle_errors
from loadwatch.cli.entries import create_option
from loadwatch.errors import ValidationError
from loadwatch.importer import (
    ImportInterrupted,
    ImportReport,
    Progress,
    import_paths,
    interrupt_on_sigterm,
)
from loadwatch.store import Store

EXIT_STATUS = (
    "Exit status: 0 every file was read, 1 some files could not be read (or another error), "
    "2 usage error: a path that does not exist, an unknown athlete "
    "(see the README, Exit status)."
)


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


def sample_athletes(folder: Path) -> list[tuple[str, Path, str | None]]:
    """(name, folder, time zone) of each athlete of a samples folder, [] for any other folder.

    A samples folder (like the bundled ``sample_activities``) lists its
    athletes in ``expected.json``: ``{"athletes": {key: {"name", "folder",
    "time_zone"}}}``, one subfolder each.
    """
    index = folder / "expected.json"
    if not index.is_file():
        return []
    try:
        listing = json.loads(index.read_text(encoding="utf-8"))["athletes"]
        found = [
            (str(a["name"]), folder / str(a["folder"]), a.get("time_zone"))
            for a in listing.values()
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []
    return found if all(sub.is_dir() for _, sub, _ in found) else []


def merge_reports(reports: list[ImportReport]) -> ImportReport:
    """One report adding up several (counts summed, lists joined)."""
    total = ImportReport()
    for report in reports:
        for f in dataclasses.fields(ImportReport):
            mine, theirs = getattr(total, f.name), getattr(report, f.name)
            setattr(total, f.name, mine + theirs)
    return total


def _check_athlete(store: Store, athlete: str | None, *, create: bool) -> None:
    """A named athlete who is not in the store needs --create, except on the first import."""
    if athlete is None or create:
        return
    known = {a.name for a in store.list_athletes()}
    if known and athlete.strip() not in known:
        raise ValidationError(
            f"no athlete called {athlete.strip()!r} (known: {', '.join(sorted(known))}); "
            "check the spelling, or add --create to start a new athlete"
        )


@click.command("import", epilog=EXIT_STATUS)
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=str))
@athlete_option
@create_option
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
    create: bool,
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

    Whose runs: the athlete named by --athlete, or the single-user athlete
    'me'. The first import into an empty store creates the athlete it names;
    after that a name that is not in the store is an error (a typo would
    start a new athlete) unless --create is given. A samples folder such as
    sample_activities/ (its expected.json lists one athlete per subfolder)
    is imported one athlete per subfolder when no --athlete is given.

    Exit status: 0 when every file was read, 1 when some failed, 2 on usage
    errors, 130 when interrupted (Ctrl-C or SIGTERM): what was stored is
    printed, and running the same command again finishes the job.

    \b
    Example:
      loadwatch import ~/Downloads/export_12345.zip --athlete "Sam"
      loadwatch import sample_activities/ --json
    """
    store = Store.open(db)
    samples = sample_athletes(Path(paths[0])) if len(paths) == 1 and athlete is None else []
    jobs: list[tuple[str | None, list[str]]] = [(athlete, list(paths))]
    if samples:
        known = {a.name for a in store.list_athletes()}
        for name, _, tz in samples:
            if name not in known:
                store.add_athlete(name, tz=tz)
        jobs = [(name, [str(folder)]) for name, folder, _ in samples]
        click.echo(
            f"{paths[0]} is a samples folder: "
            + ", ".join(f"{folder.name}/ as {name!r}" for name, folder, _ in samples),
            err=True,
        )
    else:
        _check_athlete(store, athlete, create=create)
    reports = []
    try:
        with interrupt_on_sigterm():
            for who, job_paths in jobs:
                progress = RichProgress() if sys.stderr.isatty() and not as_json else None
                reports.append(
                    import_paths(
                        store,
                        job_paths,
                        athlete=who,
                        keep_originals=keep_originals,
                        workers=workers,
                        progress=progress,
                    )
                )
    except ImportInterrupted as stop:
        done = merge_reports([*reports, stop.report])
        if as_json:
            click.echo(json.dumps(done.as_json(), indent=2))
        else:
            print_summary(done)
        click.echo(
            f"Interrupted: {done.imported:,} files imported "
            f"({done.activities_added:,} activities) before the stop; every stored "
            "file is whole. Run the same command again to finish the import.",
            err=True,
        )
        sys.exit(130)
    report = merge_reports(reports)
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    else:
        print_summary(report, verbose=verbose)
    sys.exit(EXIT_ERROR if report.failed else EXIT_OK)


COMMANDS = [import_cmd]
