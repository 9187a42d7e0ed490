"""Plans from calendars: distances in words, ICS files, idempotent re-import, subscriptions.

Every expected plan below was worked out by hand from the fixture files in
``tests/data/ics`` (see SOURCES.md there).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result
from local_http import LocalServer, local_server

from loadwatch.cli import cli
from loadwatch.model import ActivitySummary
from loadwatch.plans.ics import CalendarError, parse_calendar
from loadwatch.plans.sync import import_calendar, redact_url
from loadwatch.plans.text import Amount, NotARun, read_amount
from loadwatch.store import FileRecord, Store

ICS = Path(__file__).parent / "data" / "ics"
MARCH = {"start": date(2027, 2, 1), "end": date(2027, 4, 30)}
BERLIN = ZoneInfo("Europe/Berlin")


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))
    path = str(tmp_path / "lw.db")
    monkeypatch.setenv("LOADWATCH_DB", path)
    return path


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


def add_runs(store: Store, athlete: str, runs: list[tuple[date, float, float]]) -> None:
    """(date, km, moving seconds) runs at 07:00 UTC."""
    who = store.athlete(athlete)
    for d, km, seconds in runs:
        sha = f"{d.toordinal():032x}{int(km * 1000):032x}"
        summary = ActivitySummary(
            sport="running",
            start_utc=datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
            distance_m=km * 1000.0,
            timer_s=seconds,
            elapsed_s=seconds,
            source_format="fit",
            utc_offset_s=0,
            source_sha256=sha,
        )
        store.add_file(who, FileRecord(sha, f"{sha}.fit", 1, "fit", "imported"), [summary])


# ------------------------------------------------------------ words -> km
@pytest.mark.parametrize(
    ("summary", "description", "km", "minutes"),
    [
        ("10 km easy", "", 10.0, None),
        ("6 mi", "", 6 * 1.609344, None),
        ("Long run 18k", "", 18.0, None),
        ("LR 16K", "", 16.0, None),
        ("45 min easy", "", None, 45.0),
        ("Easy 1h30", "", None, 90.0),
        ("1 hr 15 min steady", "", None, 75.0),
        ("Progression 1:05:00", "", None, 65.0),
        ("Recovery 30'", "", None, 30.0),
        ("Run 6 miles", "", 6 * 1.609344, None),
        ("10,5 km", "", 10.5, None),
        ("Half marathon", "", 21.0975, None),
        ("Marathon!", "", 42.195, None),
        ("8-10 km easy", "", 10.0, None),
        ("Intervals", "WU 2 km + 6 x 1 km @ 10k pace + CD 2 km", 10.0, None),
        ("10x400m", "", 4.0, None),
        ("Long run 26 km, last 8 km at marathon pace", "", 26.0, None),
        ("Long run", "Distance: 24 km", 24.0, None),
        ("Easy 50 min", "about 9 km", 9.0, None),  # a distance anywhere beats a duration
        ("Threshold", "- 15m easy\n- 5 km steady\n- 10m easy", 5.0, None),  # 15m: not a distance
    ],
)
def test_distances_people_write(
    summary: str, description: str, km: float | None, minutes: float | None
) -> None:
    amount = read_amount(summary, description)
    assert isinstance(amount, Amount), amount
    assert amount.km == pytest.approx(km) if km is not None else amount.km is None
    assert amount.minutes == minutes


@pytest.mark.parametrize(
    ("summary", "reason"),
    [
        ("Swim 2 km", "not a run (swim)"),
        ("Bike 40k", "not a run (bike)"),
        ("Yoga", "not a run (yoga)"),
        ("Rest", "rest day"),
        ("Rest day", "rest day"),
        ("Strides", "no distance or duration in the title or description"),
        ("5m easy", "'5m' is ambiguous (miles, metres or minutes?)"),
        (
            "Brick: bike 40k + run 5k",
            "mixes running with bike: add the run with `loadwatch plan add`",
        ),
    ],
)
def test_events_that_are_not_runs_say_why(summary: str, reason: str) -> None:
    assert read_amount(summary) == NotARun(reason)


# ------------------------------------------------------------- ICS files
def _plans(reading: object) -> list[tuple[str, str, date, float | None, float | None]]:
    return [
        (e.uid.split("@")[0], e.occurrence, e.date, e.amount.km, e.amount.minutes)
        for e in reading.events  # type: ignore[attr-defined]
    ]


def test_forms_fixture_all_day_timed_and_zoned() -> None:
    reading = parse_calendar((ICS / "forms.ics").read_bytes(), default_tz=BERLIN, **MARCH)
    assert _plans(reading) == [
        ("forms-01", "", date(2027, 3, 1), 10.0, None),  # all-day
        ("forms-02", "", date(2027, 3, 2), pytest.approx(9.656064), None),  # 18:00 Los Angeles
        ("forms-03", "", date(2027, 3, 4), 18.0, None),  # 23:30 UTC = 00:30 in Berlin
        ("forms-04", "", date(2027, 3, 5), 16.0, None),  # floating time
        ("forms-05", "", date(2027, 3, 6), 8.0, None),  # 05:30 Sydney (still 5 March in UTC)
        ("forms-06", "", date(2027, 3, 7), None, 45.0),
        ("forms-10", "", date(2027, 3, 10), 24.0, None),  # from the description
        ("forms-13", "", date(2027, 3, 12), 10.0, None),  # 2 + 6 x 1 + 2
        ("forms-12", "", date(2027, 3, 14), 21.0975, None),
    ]
    skipped = [(s.uid.split("@")[0], s.date, s.reason) for s in reading.skipped]
    assert skipped == [
        ("forms-07", date(2027, 3, 8), "not a run (swim)"),
        ("forms-08", date(2027, 3, 8), "not a run (strength)"),
        ("forms-09", date(2027, 3, 9), "rest day"),
        ("forms-11", date(2027, 3, 11), "cancelled"),
    ]


def test_utc_times_follow_the_athletes_zone() -> None:
    reading = parse_calendar(
        (ICS / "forms.ics").read_bytes(), default_tz=ZoneInfo("America/New_York"), **MARCH
    )
    by_uid = {e.uid.split("@")[0]: e.date for e in reading.events}
    assert by_uid["forms-03"] == date(2027, 3, 3)  # 23:30 UTC = 18:30 in New York


def test_recurring_events_with_exdate_and_a_moved_occurrence() -> None:
    reading = parse_calendar((ICS / "recurring.ics").read_bytes(), default_tz=BERLIN, **MARCH)
    assert _plans(reading) == [
        ("tuesday-easy", "2027-03-02T06:30:00+00:00", date(2027, 3, 2), 8.0, None),
        ("saturday-long", "2027-03-06", date(2027, 3, 6), 20.0, None),
        # 9 March is excluded (EXDATE)
        ("saturday-long", "2027-03-13", date(2027, 3, 13), 20.0, None),
        # the 16 March occurrence moved to Wednesday 17th and became 10 km
        ("tuesday-easy", "2027-03-16T06:30:00+00:00", date(2027, 3, 17), 10.0, None),
        ("saturday-long", "2027-03-20", date(2027, 3, 20), 20.0, None),  # UNTIL is inclusive
        ("tuesday-easy", "2027-03-23T06:30:00+00:00", date(2027, 3, 23), 8.0, None),
    ]


def test_window_limits_the_occurrences() -> None:
    reading = parse_calendar(
        (ICS / "recurring.ics").read_bytes(),
        default_tz=BERLIN,
        start=date(2027, 3, 10),
        end=date(2027, 3, 17),
    )
    assert [e.date for e in reading.events] == [date(2027, 3, 13), date(2027, 3, 17)]


def test_x_wr_timezone_calendar() -> None:
    reading = parse_calendar((ICS / "x-wr-timezone.ics").read_bytes(), default_tz=BERLIN, **MARCH)
    # 02:00 UTC on 8 March is 21:00 on 7 March in New York (EST, before 14 March)
    assert _plans(reading) == [("evening-run", "", date(2027, 3, 7), 7.0, None)]


def test_not_a_calendar_is_a_clear_error() -> None:
    with pytest.raises(CalendarError, match=r"plan\.ics: not an iCalendar file"):
        parse_calendar(b"date,distance_km\n", default_tz=BERLIN, source="plan.ics", **MARCH)


# ------------------------------------------------------- idempotent import
def _stored(store: Store, athlete: str) -> list[tuple[date, float, str | None]]:
    return [(p.date, p.distance_m / 1000.0, p.note) for p in store.list_plans(athlete)]


def test_reimport_follows_moved_changed_deleted_and_new_events(db: str) -> None:
    store = Store.open(db)
    store.athlete("me")
    first = import_calendar(
        store, "me", (ICS / "block-v1.ics").read_bytes(), kind="file", location="block.ics", **MARCH
    )
    assert (len(first.added), len(first.updated), len(first.removed)) == (6, 0, 0)
    assert _stored(store, "me") == [
        (date(2027, 3, 1), 8.0, "Easy 8 km"),
        (date(2027, 3, 2), 6.0, "Recovery 6 km"),
        (date(2027, 3, 3), 10.0, "Tempo 10 km"),
        (date(2027, 3, 6), 20.0, "Long run 20 km"),
        (date(2027, 3, 9), 6.0, "Recovery 6 km"),
        (date(2027, 3, 16), 6.0, "Recovery 6 km"),
    ]
    ids_before = {p.note: p.id for p in store.list_plans("me") if p.date == date(2027, 3, 1)}

    again = import_calendar(
        store, "me", (ICS / "block-v1.ics").read_bytes(), kind="file", location="block.ics", **MARCH
    )
    assert (len(again.added), len(again.updated), len(again.removed), again.unchanged) == (
        0,
        0,
        0,
        6,
    )

    second = import_calendar(
        store, "me", (ICS / "block-v2.ics").read_bytes(), kind="file", location="block.ics", **MARCH
    )
    assert [p.uid for p in second.added] == ["block-d@loadwatch.test"]
    assert sorted((old.date, new.date) for old, new in second.updated) == [
        (date(2027, 3, 3), date(2027, 3, 4)),  # moved
        (date(2027, 3, 9), date(2027, 3, 10)),  # one occurrence moved and changed
    ]
    assert [p.uid for p in second.removed] == ["block-c@loadwatch.test"]
    assert second.unchanged == 3
    assert _stored(store, "me") == [
        (date(2027, 3, 1), 8.0, "Easy 8 km"),
        (date(2027, 3, 2), 6.0, "Recovery 6 km"),
        (date(2027, 3, 4), 10.0, "Tempo 10 km"),
        (date(2027, 3, 7), 22.0, "Long run 22 km"),
        (date(2027, 3, 10), 7.0, "Recovery 7 km"),
        (date(2027, 3, 16), 6.0, "Recovery 6 km"),
    ]
    # an unchanged event keeps its plan
    assert {p.note: p.id for p in store.list_plans("me") if p.date == date(2027, 3, 1)} == (
        ids_before
    )
    third = import_calendar(
        store, "me", (ICS / "block-v2.ics").read_bytes(), kind="file", location="block.ics", **MARCH
    )
    assert (len(third.added), len(third.updated), len(third.removed), third.unchanged) == (
        0,
        0,
        0,
        6,
    )


def test_plans_outside_the_window_are_kept(db: str) -> None:
    store = Store.open(db)
    store.athlete("me")
    import_calendar(
        store, "me", (ICS / "block-v1.ics").read_bytes(), kind="file", location="b.ics", **MARCH
    )
    # a later sync that only looks from 5 March on leaves the earlier plans alone
    report = import_calendar(
        store,
        "me",
        (ICS / "block-v2.ics").read_bytes(),
        kind="file",
        location="b.ics",
        start=date(2027, 3, 5),
        end=date(2027, 4, 30),
    )
    assert [p.uid for p in report.removed] == ["block-c@loadwatch.test"]
    assert [d for d, _, _ in _stored(store, "me")] == [
        date(2027, 3, 1),
        date(2027, 3, 2),
        date(2027, 3, 3),  # outside the window: kept as it was
        date(2027, 3, 7),
        date(2027, 3, 10),
        date(2027, 3, 16),
    ]


def test_duration_is_estimated_from_recent_pace(db: str) -> None:
    store = Store.open(db)
    # 10 km in 50 min and 5 km in 30 min: 80 min / 15 km = 5:20/km
    add_runs(store, "me", [(date(2027, 2, 20), 10.0, 3000.0), (date(2027, 2, 24), 5.0, 1800.0)])
    report = import_calendar(
        store,
        "me",
        (ICS / "forms.ics").read_bytes(),
        kind="file",
        location="forms.ics",
        today=date(2027, 2, 28),
        **MARCH,
    )
    (estimated,) = report.estimated
    # 45 min at 320 s/km = 8.4375 km, kept to 0.1 km
    assert estimated.date == date(2027, 3, 7)
    assert estimated.distance_m == pytest.approx(8400.0)
    assert estimated.note == "45 min easy (estimated: 45 min at 5:20/km)"
    assert [p.estimated for p in store.calendar_plans("me") if p.date == date(2027, 3, 7)] == [True]


def test_duration_without_any_run_is_skipped(db: str) -> None:
    store = Store.open(db)
    store.athlete("me")
    report = import_calendar(
        store, "me", (ICS / "forms.ics").read_bytes(), kind="file", location="f.ics", **MARCH
    )
    reasons = {s.uid.split("@")[0]: s.reason for s in report.skipped}
    assert reasons["forms-06"] == "45 min: no recorded runs to estimate a distance from"


def test_deleting_an_imported_plan_and_unsubscribing(db: str) -> None:
    store = Store.open(db)
    store.athlete("me")
    import_calendar(
        store, "me", (ICS / "block-v1.ics").read_bytes(), kind="file", location="b.ics", **MARCH
    )
    plan = store.list_plans("me")[0]
    store.delete_plan(plan.id, "me")  # the event link goes with it
    assert len(store.calendar_plans("me")) == 5
    (source,) = store.calendar_sources("me")
    assert store.delete_calendar_source(source.id, "me") == 5
    assert store.list_plans("me") == []


# ------------------------------------------------------------------ CLI
def test_cli_plan_import_ics_lists_skips_and_is_idempotent(db: str) -> None:
    args = [
        "plan",
        "import",
        str(ICS / "forms.ics"),
        "--since",
        "2027-02-01",
        "--until",
        "2027-04-30",
    ]
    first = run(*args)
    assert first.exit_code == 0, first.output
    lines = first.output.splitlines()
    # 9 events, but "45 min easy" has no pace to go by (no runs recorded)
    assert lines[0] == (
        "Calendar forms.ics for me: 8 added, 0 updated, 0 removed, 0 unchanged, 5 skipped"
    )
    assert "  skipped 2027-03-08  Swim 2 km: not a run (swim)" in lines
    assert "  skipped 2027-03-11  12 km steady: cancelled" in lines
    second = run(*args, "--format", "json")
    data = json.loads(second.output)
    assert (data["added"], data["updated"], data["removed"], data["unchanged"]) == ([], [], [], 8)
    assert len(data["skipped"]) == 5


def test_cli_csv_plan_import_still_works(db: str, tmp_path: Path) -> None:
    csv = tmp_path / "block.csv"
    csv.write_text("date,distance_km,note\n2027-03-01,12,long\n")
    result = run("plan", "import", str(csv))
    assert result.exit_code == 0, result.output
    assert result.output == "Imported 1 planned runs for me from block.csv\n"


def test_redacted_url_hides_the_token() -> None:
    assert redact_url("https://cal.example.org/feed/abc123secret.ics?key=x") == (
        "https://cal.example.org/…"
    )


def test_cli_subscribe_and_sync_from_a_local_server(db: str, http_server: LocalServer) -> None:
    server = http_server
    path = "/private/token123/plan.ics"
    url = f"http://127.0.0.1:{server.port}{path}"
    # sync imports the days around today: move the fixture's dates to the weeks ahead
    shift = (date.today() + timedelta(days=7)) - date(2027, 3, 1)
    server.files[path] = _shifted(ICS / "block-v1.ics", shift)
    result = run("plan", "subscribe", url)
    assert result.exit_code == 0, result.output
    assert "token123" not in result.output
    assert result.output.splitlines()[0] == (
        "Calendar http://127.0.0.1/… for me: 6 added, 0 updated, 0 removed, 0 unchanged, 0 skipped"
    )
    server.files[path] = _shifted(ICS / "block-v2.ics", shift)
    synced = run("plan", "sync")
    assert synced.exit_code == 0, synced.output
    assert synced.output.splitlines()[0] == (
        "Calendar http://127.0.0.1/… for me: 1 added, 2 updated, 1 removed, 3 unchanged, 0 skipped"
    )
    del server.files[path]
    failed = run("plan", "sync")
    assert failed.exit_code == 1
    assert "HTTP 404" in failed.output
    assert "token123" not in failed.output
    listed = run("plan", "calendars", "--format", "json")
    (row,) = json.loads(listed.output)
    assert row["calendar"] == "http://127.0.0.1/…"
    assert row["plans"] == 6 and "HTTP 404" in row["last_error"]


def _shifted(path: Path, shift: timedelta) -> bytes:
    """The fixture with every 2027-03-DD date moved by ``shift`` (DTSTART, RECURRENCE-ID)."""
    import re

    def move(m: re.Match[str]) -> str:
        d = date(int(m.group(1)), int(m.group(2)), int(m.group(3))) + shift
        return d.strftime("%Y%m%d")

    text = path.read_text()
    return re.sub(r"(2027)(03)(\d\d)(?=T|\r?\n)", move, text).encode()
