"""Load the bundled sample athletes into a store, for ``loadwatch demo`` and the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from loadwatch.errors import ValidationError

if TYPE_CHECKING:
    from loadwatch.store import Store


@dataclass
class DemoReport:
    """Activities and pain scores added per athlete, and rows of the pain logs left out."""

    activities: dict[str, int] = field(default_factory=dict)
    pain: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    #: the newest run date of the samples (the demo shows the state as of this day)
    last_day: date | None = None


def sample_listing(samples: Path) -> dict[str, dict[str, Any]]:
    """The sample athletes listed in ``samples/expected.json`` (key -> name, folder, logs).

    :class:`ValidationError` naming the file when it is missing or unreadable.
    """
    index = samples / "expected.json"
    try:
        listing = json.loads(index.read_text(encoding="utf-8"))["athletes"]
    except (OSError, ValueError, KeyError) as e:
        raise ValidationError(
            f"the sample activities are missing ({index}); run from a source checkout, "
            "or generate them with python sample_activities/generate.py"
        ) from e
    return dict(listing)


def import_samples(store: Store, samples: Path, *, workers: int | None = None) -> DemoReport:
    """Import every sample athlete listed in ``samples/expected.json``, with their pain logs.

    Activities go through the CLI's importer and pain rows through the CLI's
    validation; a pain row that fails it is left out and named in ``warnings``.
    Importing twice adds nothing the second time. No copy of the sample files is
    kept in the originals folder: they ship with loadwatch. ``workers``: decoding
    processes of the importer (default: one per core).
    """
    # imported here: ``loadwatch demo`` reads the listing before it forks the importing process
    from loadwatch.importer import import_paths
    from loadwatch.pain import parse_pain_csv, read_text

    listing = sample_listing(samples)
    report = DemoReport()
    for info in listing.values():
        name = info["name"]
        known = {a.name for a in store.list_athletes()}
        if name not in known:
            store.add_athlete(name, tz=info.get("time_zone"))
        imported = import_paths(
            store, [samples / info["folder"]], athlete=name, workers=workers, keep_originals=False
        )
        report.activities[name] = imported.activities_added
        report.warnings += [f"{e['path']}: {e['error']}" for e in imported.errors]
        pain_log = info.get("pain_log")
        # pain only with the first import of the runs, so a second demo run adds no copies
        if pain_log and imported.activities_added and (samples / pain_log).exists():
            parsed = parse_pain_csv(read_text(samples / pain_log), athlete=name, source=pain_log)
            report.warnings += [f"{pain_log} row {n}: {reason}" for n, reason in parsed.bad]
            store.add_pain(parsed.entries)
            report.pain[name] = len(parsed.entries)
        if imported.activities_added:
            report.warnings += _import_context(store, samples, info, name)
    days = [r.local_date for r in store.activity_rows() if r.local_date is not None]
    report.last_day = max(days) if days else None
    return report


def _import_context(store: Store, samples: Path, info: dict[str, object], name: str) -> list[str]:
    """The sample's watch wellness (a Garmin-style zip), check-ins, rehab log and plan."""
    from loadwatch.importer import import_paths
    from loadwatch.pain import read_text
    from loadwatch.rehab import parse_rehab_csv
    from loadwatch.wellness import parse_wellness_csv

    warnings: list[str] = []
    garmin = info.get("garmin_wellness")
    if isinstance(garmin, str) and (samples / garmin).exists():
        done = import_paths(store, [samples / garmin], athlete=name, keep_originals=False)
        warnings += [f"{e['path']}: {e['error']}" for e in done.errors]
    for key, parse, save in (
        ("wellness_log", parse_wellness_csv, store.upsert_wellness),
        ("rehab_log", parse_rehab_csv, store.add_rehab),
    ):
        log = info.get(key)
        if isinstance(log, str) and (samples / log).exists():
            parsed = parse(read_text(samples / log), athlete=name, source=log)
            warnings += [f"{log} row {n}: {reason}" for n, reason in parsed.bad]
            save(parsed.entries)
    plan = info.get("rehab_plan")
    if isinstance(plan, dict):
        for exercise, per_week in plan.items():
            store.set_rehab_plan(name, str(exercise), int(per_week))
    return warnings
