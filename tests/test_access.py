"""Who sees and writes what through the service, for every role (expectations by hand).

The club: athletes Sam, Alex and Kim with a few runs each; admin 'root'; coach
'ana' (team Tue: Sam and Alex); coach 'ben' (team Thu: Kim); coach 'cleo' (no
team); athlete account 'sam' (Sam). The local single user (no account) sees
and writes everyone, as before accounts existed.
"""

from __future__ import annotations

import inspect
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select

from loadwatch.accounts import Accounts
from loadwatch.errors import ValidationError
from loadwatch.model import ActivitySummary
from loadwatch.service import Service
from loadwatch.service.access import LOCAL, NotFound, Scope, scope_for
from loadwatch.store import FileRecord, Store, pain_entries

AS_OF = date(2026, 3, 29)
EVERYONE = ["Alex", "Kim", "Sam"]
#: role -> the athletes it sees (and writes), by hand
SEES: dict[str | None, list[str]] = {
    None: EVERYONE,  # the local single user
    "root": EVERYONE,
    "ana": ["Alex", "Sam"],
    "ben": ["Kim"],
    "cleo": [],
    "sam": ["Sam"],
}
UNKNOWN = "Nobody"
#: one real run (a bundled sample), imported by the write tests
RUN_FILE = Path(__file__).resolve().parents[1] / "sample_activities/alex/2026-07-26-08-48-23.fit"


def _runs(athlete: Store, name: str, km: list[float]) -> None:
    me = athlete.athlete(name, create=False)
    first = datetime(2026, 3, 1, 7, tzinfo=UTC)
    items = []
    for i, distance in enumerate(km):
        sha = f"{name}-{i}".encode().hex().ljust(64, "0")[:64]
        summary = ActivitySummary(
            sport="running",
            start_utc=first + timedelta(days=2 * i),
            distance_m=distance * 1000.0,
            timer_s=distance * 330.0,
            elapsed_s=distance * 340.0,
            source_format="fit",
            utc_offset_s=0,
            source_sha256=sha,
        )
        items.append((FileRecord(sha, f"{name}-{i}.fit", 100, "fit", "imported"), [summary]))
    athlete.add_files(me, items)


def _build(url: str) -> None:
    store = Store(url)
    for name in EVERYONE:
        store.add_athlete(name)
    _runs(store, "Sam", [5, 6, 5, 7, 6, 8, 5, 6, 21])  # a long run at the end
    _runs(store, "Alex", [8, 8, 9, 8, 9, 8])
    _runs(store, "Kim", [10, 10, 12, 10])
    accounts = Accounts(store)
    accounts.add_user("root", "admin", "root password")
    for coach in ("ana", "ben", "cleo"):
        accounts.add_user(coach, "coach", f"{coach} password")
    accounts.add_user("sam", "athlete", "sam password", athlete="Sam")
    accounts.add_team("Tue")
    accounts.add_team("Thu")
    accounts.assign("Tue", coach="ana", athlete="Sam")
    accounts.assign("Tue", athlete="Alex")
    accounts.assign("Thu", coach="ben", athlete="Kim")
    store.close()


@pytest.fixture(scope="module")
def club_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("club") / "club.db"
    _build(f"sqlite:///{path}")
    return path


@pytest.fixture
def club(club_file: Path, tmp_path: Path) -> str:
    """A fresh copy of the club database for one test: its URL."""
    path = tmp_path / "club.db"
    shutil.copy(club_file, path)
    return f"sqlite:///{path}"


def _service(url: str, who: str | None) -> Service:
    base = Service(url)
    if who is None:
        return base.for_user(LOCAL)
    accounts = Accounts(base.store)
    user = accounts.user(who)
    assert user is not None
    return base.for_user(scope_for(accounts, user))


def _unknown_message(service: Service) -> str:
    with pytest.raises(NotFound) as caught:
        service.runner(UNKNOWN, as_of=AS_OF)
    return str(caught.value)


#: every read of one athlete, called as a coach or runner view would
READS: dict[str, Callable[[Service, str], Any]] = {
    "history": lambda s, a: s.history(a),
    "status": lambda s, a: s.status(a, as_of=AS_OF),
    "alerts": lambda s, a: s.alerts(a),
    "runner": lambda s, a: s.runner(a, as_of=AS_OF),
    "check": lambda s, a: s.check(a, run_km=10.0),
    "pain_report": lambda s, a: s.pain_report(a),
    "context": lambda s, a: s.context(a, as_of=AS_OF),
    "context_summary": lambda s, a: s.context_summary(a, as_of=AS_OF),
    "rehab_choices": lambda s, a: s.rehab_choices(a),
    "upcoming": lambda s, a: s.upcoming(a, as_of=AS_OF),
    "calendars": lambda s, a: s.calendars(a),
    "activities": lambda s, a: s.activities(a),
}

ICS = (
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//loadwatch test//EN\r\n"
    b"BEGIN:VEVENT\r\nUID:run-1@test\r\nDTSTAMP:20260301T000000Z\r\n"
    b"DTSTART;VALUE=DATE:20270301\r\nSUMMARY:Run 12 km\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
)

#: every write of one athlete's data
WRITES: dict[str, Callable[[Service, str], Any]] = {
    "add_pain": lambda s, a: s.add_pain(a, AS_OF, 3),
    "save_plans": lambda s, a: s.save_plans(a, [(date(2026, 4, 2), 10.0, None)]),
    "add_checkin": lambda s, a: s.add_checkin(a, day=AS_OF, sleep_h=7.0),
    "log_rehab": lambda s, a: s.log_rehab(a, "bridge", day=AS_OF),
    "import_calendar": lambda s, a: s.import_calendar(a, ICS, file_name="plan.ics"),
    "import_files": lambda s, a: s.import_files(a, [RUN_FILE], keep_originals=False, workers=1),
}
#: writes that, for an athlete in the scope, go on to refuse their input
#: (the check that matters: outside the scope they say "not found" first)
REFUSED_INPUT: dict[str, Callable[[Service, str], Any]] = {
    "subscribe_calendar": lambda s, a: s.subscribe_calendar(a, "ftp://example.invalid/x.ics"),
    # to the name of another athlete: taken
    "rename_athlete": lambda s, a: s.rename_athlete(a, "Kim" if a != "Kim" else "Sam"),
}


def test_every_athlete_method_of_the_service_is_checked_here() -> None:
    """A new per-athlete method cannot be added without a row above."""
    listed = {*READS, *WRITES, *REFUSED_INPUT, "send_test_notification", "check_read",
              "check_write"}  # fmt: skip
    per_athlete = {
        name
        for name, fn in inspect.getmembers(Service, inspect.isfunction)
        if not name.startswith("_")
        and list(inspect.signature(fn).parameters)[1:2] in (["athlete"], ["old"])
    }
    assert per_athlete == listed


@pytest.mark.parametrize("who", list(SEES))
def test_the_athlete_list_and_the_coach_table_hold_the_scope_only(club: str, who: str) -> None:
    service = _service(club, who)
    assert service.athletes() == SEES[who]
    assert [a.name for a in service.athlete_profiles()] == SEES[who]
    table = service.status(as_of=AS_OF)
    assert sorted(s.athlete for s in table) == SEES[who]
    assert [s.attention_rank for s in table] == list(range(1, len(SEES[who]) + 1))
    assert sorted(r["athlete"] for r in service.coach_rows(as_of=AS_OF)) == SEES[who]
    assert sorted(service.versions()) == SEES[who]


@pytest.mark.parametrize("who", list(SEES))
def test_reads_outside_the_scope_are_not_found_like_an_unknown_athlete(club: str, who: str) -> None:
    service = _service(club, who)
    for what, read in READS.items():
        for athlete in EVERYONE:
            if athlete in SEES[who]:
                read(service, athlete)  # no error
                continue
            with pytest.raises(NotFound) as outside:
                read(service, athlete)
            with pytest.raises(NotFound) as unknown:
                read(service, UNKNOWN)
            assert str(outside.value) == str(unknown.value).replace(UNKNOWN, athlete), what
            expected = f"no athlete called {athlete!r} (see 'loadwatch athletes list')"
            assert str(outside.value) == expected


@pytest.mark.parametrize("who", list(SEES))
def test_writes_outside_the_scope_are_not_found_and_change_nothing(club: str, who: str) -> None:
    service = _service(club, who)
    for what, write in WRITES.items():
        for athlete in EVERYONE:
            if athlete in SEES[who]:
                write(service, athlete)
                continue
            with pytest.raises(NotFound) as outside:
                write(service, athlete)
            assert str(outside.value).startswith(f"no athlete called {athlete!r}"), what
    for what, write in REFUSED_INPUT.items():
        for athlete in EVERYONE:
            if who == "sam" and what == "rename_athlete":
                expected: type[Exception] = ValidationError  # athletes rename nobody
            else:
                expected = ValidationError if athlete in SEES[who] else NotFound
            with pytest.raises(ValidationError) as caught:
                write(service, athlete)
            assert type(caught.value) is expected, (who, what, athlete, caught.value)
    # what was written, by hand: one pain score per athlete the scope may write
    engine = create_engine(club)
    with engine.connect() as conn:
        pain = conn.execute(select(pain_entries.c.athlete_id)).all()
    engine.dispose()
    assert len(pain) == len(SEES[who])
    local = Service(club)
    runs = {"Sam": 9, "Alex": 6, "Kim": 4}  # as built
    for athlete in EVERYONE:
        mine = athlete in SEES[who]
        imported = len(local.history(athlete).activities) - runs[athlete]
        assert imported == (1 if mine else 0), (who, athlete)
        # the plan saved and the calendar's run
        assert len(local.history(athlete).plans) == (2 if mine else 0), (who, athlete)
        calendars = [c["plans"] for c in local.calendars(athlete)]
        assert calendars == ([1] if mine else []), (who, athlete)  # plan.ics: one run


@pytest.mark.parametrize("who", list(SEES))
def test_an_unknown_athlete_gets_the_same_answer_as_one_outside_the_scope(
    club: str, who: str
) -> None:
    service = _service(club, who)
    message = _unknown_message(service)
    assert message == f"no athlete called {UNKNOWN!r} (see 'loadwatch athletes list')"
    for write in WRITES.values():
        with pytest.raises(NotFound) as caught:
            write(service, UNKNOWN)
        if who in ("ana", "ben", "cleo", "sam"):
            assert str(caught.value) == message  # never the list of every athlete
        else:
            assert "no athlete called 'Nobody'" in str(caught.value)


def test_adding_and_renaming_athletes_is_for_coaches_and_admins(club: str) -> None:
    sam = _service(club, "sam")
    for call in (lambda: sam.add_athlete("Newbie"), lambda: sam.rename_athlete("Sam", "Samuel")):
        with pytest.raises(ValidationError) as caught:
            call()
        assert str(caught.value) == "only coaches and admins add or rename athletes"
    cleo = _service(club, "cleo")
    with pytest.raises(ValidationError) as refused:
        cleo.add_athlete("Newbie")
    assert "you coach no team yet" in str(refused.value)

    ana = _service(club, "ana")
    assert ana.add_athlete("Newbie") == "Newbie"
    assert ana.athletes() == ["Alex", "Newbie", "Sam"]  # the same view sees them at once
    assert _service(club, "ana").athletes() == ["Alex", "Newbie", "Sam"]  # and the next one
    assert ana.rename_athlete("Alex", "Alexandra") == "Alexandra"
    assert ana.scope.athletes == frozenset({"Alexandra", "Newbie", "Sam"})
    assert _service(club, "ana").athletes() == ["Alexandra", "Newbie", "Sam"]
    assert _service(club, "ben").athletes() == ["Kim"]
    with pytest.raises(NotFound):
        _service(club, "ben").rename_athlete("Sam", "Samuel")
    root = _service(club, "root")
    assert root.add_athlete("Lee") == "Lee"
    assert root.athletes() == ["Alexandra", "Kim", "Lee", "Newbie", "Sam"]
    assert _service(club, "ana").athletes() == ["Alexandra", "Newbie", "Sam"]


def test_views_share_one_cache_and_the_local_service_is_unchanged(club: str) -> None:
    base = Service(club)
    assert base.scope is LOCAL
    assert base.athletes() == EVERYONE
    accounts = Accounts(base.store)
    ana = accounts.user("ana")
    assert ana is not None
    view = base.for_user(scope_for(accounts, ana))
    assert view.store is base.store
    first = view.runner("Sam", as_of=AS_OF)
    assert base.history("Sam") is view.history("Sam")  # computed once, for both
    assert first.athlete == "Sam"
    assert base.status("Kim", as_of=AS_OF)[0].athlete == "Kim"
    with pytest.raises(NotFound):
        view.status("Kim", as_of=AS_OF)
    assert Scope(None, frozenset({"Kim"})).can_see("Kim") is True
    assert LOCAL.can_manage_athletes is True


def test_writes_are_recorded_under_the_acting_users_name(club: str) -> None:
    ana = _service(club, "ana")
    ana.add_pain("Sam", AS_OF, 4)
    ana.save_plans("Alex", [(date(2026, 4, 2), 12.0, "long")])
    _service(club, "sam").add_checkin("Sam", day=AS_OF, sleep_h=6.5)
    _service(club, None).log_rehab("Kim", "bridge", day=AS_OF)
    ana.rename_athlete("Alex", "Alexandra")
    _service(club, "sam").import_files("Sam", [RUN_FILE], keep_originals=False, workers=1)
    entries = [(e.user, e.athlete, e.action, e.what) for e in Store(club).audit()]
    # the club's set-up wrote the runs (local); then the writes above, in order
    assert entries[-6:] == [
        ("ana", "Sam", "add", "pain"),
        ("ana", "Alexandra", "add", "plan"),
        ("sam", "Sam", "add", "wellness"),
        ("local", "Kim", "add", "rehab"),
        ("ana", "Alexandra", "change", "athlete"),
        ("sam", "Sam", "add", "import"),
    ]
    engine = create_engine(club)
    with engine.connect() as conn:
        writers = conn.execute(select(pain_entries.c.created_by)).scalars().all()
    engine.dispose()
    assert writers == ["ana"]


def test_the_scopes_on_postgresql(postgres_db: str) -> None:
    _build(postgres_db)
    for who, expected in SEES.items():
        service = _service(postgres_db, who)
        assert service.athletes() == expected, who
        assert sorted(s.athlete for s in service.status(as_of=AS_OF)) == expected, who
        for athlete in EVERYONE:
            if athlete not in expected:
                with pytest.raises(NotFound):
                    service.add_pain(athlete, AS_OF, 2)
    _service(postgres_db, "ana").add_pain("Sam", AS_OF, 5)
    assert [(e.user, e.athlete, e.what) for e in Store(postgres_db).audit("Sam")][-1] == (
        "ana",
        "Sam",
        "pain",
    )
