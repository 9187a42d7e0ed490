"""The coach table's one-pass states equal the per-athlete definition, field by field.

:func:`loadwatch.service.coach.coach_states` reads every athlete at once and
evaluates the alert rules only on the last 28 days; :func:`athlete_state` on
:func:`load_history` is the definition. A store of athletes with different
shapes (steady, jumps, no runs, only pain, history that ended years ago, a
break, only rides, doubles) is compared at several as-of dates, with one
athlete on her own thresholds.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from loadwatch.model import ActivitySummary
from loadwatch.service import Service
from loadwatch.service.coach import coach_states
from loadwatch.service.state import athlete_state, load_history, ranked
from loadwatch.store import FileRecord, PainEntry, Store

END = date(2026, 3, 31)
AS_OF = (
    END,
    END - timedelta(days=9),
    date(2025, 12, 20),
    date(2024, 1, 1),
    date(2020, 6, 1),
    END + timedelta(days=800),
)


def _run(day: date, km: float, *, hour: int = 7, sport: str = "running") -> ActivitySummary:
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return ActivitySummary(
        sport=sport,
        start_utc=start,
        distance_m=km * 1000.0,
        timer_s=km * 330.0,
        elapsed_s=km * 340.0,
        source_format="fit",
        utc_offset_s=0,
        local_date=day,
        source_sha256=hashlib.sha256(f"{day}{hour}{km}{sport}".encode()).hexdigest(),
    )


def _add(
    store: Store, name: str, runs: list[ActivitySummary], pain: list[tuple[date, int]]
) -> None:
    athlete = store.add_athlete(name)
    if runs:
        record = FileRecord(
            hashlib.sha256(name.encode()).hexdigest(), "x.fit", 1, "fit", "imported"
        )
        store.add_file(athlete, record, runs)
    if pain:
        store.add_pain([PainEntry(None, name, d, s) for d, s in pain])


def _steady(first: date, last: date, rng: np.random.Generator, base: float) -> list:
    days = (last - first).days + 1
    out = []
    for i in range(days):
        if rng.random() < 0.3:
            continue
        km = float(np.clip(rng.normal(base * (2 if i % 7 == 6 else 1), 1.0), 3, 35))
        out.append(_run(first + timedelta(days=i), round(km, 2)))
    return out


def _pain(first: date, last: date, rng: np.random.Generator, n: int) -> list[tuple[date, int]]:
    days = rng.choice((last - first).days + 1, n, replace=False)
    return [(first + timedelta(days=int(d)), int(rng.integers(0, 9))) for d in days]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    rng = np.random.default_rng(7)
    path = tmp_path_factory.mktemp("coach") / "coach.db"
    s = Store(f"sqlite:///{path}")
    start = END - timedelta(days=900)
    _add(s, "Steady", _steady(start, END, rng, 8), _pain(start, END, rng, 60))
    jumps = _steady(start, END - timedelta(days=20), rng, 6)
    jumps += [_run(END - timedelta(days=k), km) for k, km in ((15, 14), (12, 22), (8, 30))]
    jumps += [_run(END - timedelta(days=k), 12) for k in range(7, 0, -1)]
    _add(s, "Jumps", jumps, [(END - timedelta(days=7), 6), (END - timedelta(days=3), 8)])
    _add(s, "No runs", [], [])
    _add(s, "Only pain", [], _pain(END - timedelta(days=60), END, rng, 25))
    _add(
        s,
        "Long ago",
        _steady(date(2019, 1, 1), date(2020, 12, 31), rng, 10),
        [(date(2020, 12, 30), 9), (date(2020, 12, 31), 3)],
    )
    brk = _steady(start, END - timedelta(days=70), rng, 9)
    brk += _steady(END - timedelta(days=25), END, rng, 11)
    _add(s, "Break", brk, _pain(END - timedelta(days=40), END, rng, 12))
    rides = [_run(END - timedelta(days=k), 40, sport="cycling") for k in range(0, 60, 2)]
    _add(s, "Only rides", rides, [(END - timedelta(days=1), 5)])
    doubles = _steady(start, END, rng, 7)
    doubles += [_run(d.local_date, 9, hour=18) for d in doubles[-30::3]]
    doubles += [
        _run(END - timedelta(days=2), 25, hour=18),
        _run(END - timedelta(days=2), 26, hour=19),
    ]
    sore = _steady(END - timedelta(days=200), END, rng, 8)
    # long runs (spikes) every few days and a flare every third day, all through
    # the window's first days at each as-of date: the edges of the window matter
    sore += [
        _run(END - timedelta(days=k), 20 * 1.15**i, hour=19) for i, k in enumerate(range(45, 4, -4))
    ]
    daily = [(END - timedelta(days=k), int(rng.integers(0, 7))) for k in range(90)]
    _add(s, "Daily pain", sore, daily)
    # wellness rows: device nights (short sleep, a rising resting HR) and check-ins
    from loadwatch.store import WellnessDay

    nights = [
        WellnessDay(
            "Steady",
            END - timedelta(days=k),
            "garmin",
            sleep_h=float(rng.choice([4.5, 5.5, 7.5, 8.0])),
            resting_hr=float(48 + (12 if k < 6 else 0) + rng.integers(0, 3)),
        )
        for k in range(80)
    ]
    checkins = [
        WellnessDay("Steady", END - timedelta(days=k), "self", soreness=int(k % 9), fatigue=7)
        for k in range(0, 40, 3)
    ]
    s.upsert_wellness(nights + checkins)
    _add(s, "Doubles", doubles, _pain(END - timedelta(days=30), END, rng, 20))
    return s


@pytest.fixture(autouse=True)
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        '[athletes."Jumps".thresholds]\nacwr_profile = "gabbett2016"\nspike_caution_pct = 20\n'
        '[athletes."Break".thresholds]\npain_median_days = 21\npain_after_spike_days = 5\n'
    )
    monkeypatch.setenv("LOADWATCH_CONFIG", str(path))


def _reference(store: Store, as_of: date) -> dict:
    names = [a.name for a in store.list_athletes()]
    return {n: athlete_state(load_history(store, n), as_of) for n in names}


def _thresholds(name: str):
    from loadwatch.alerts import thresholds_for

    return thresholds_for(name)


@pytest.mark.parametrize("as_of", AS_OF, ids=str)
def test_one_pass_equals_the_definition_field_by_field(store: Store, as_of: date) -> None:
    expected = _reference(store, as_of)
    got = coach_states(store, as_of, _thresholds)
    assert sorted(got) == sorted(expected)
    for name, want in expected.items():
        for f in dataclasses.fields(want):
            assert getattr(got[name], f.name) == getattr(want, f.name), (name, f.name)


def test_the_store_has_the_shapes_it_claims(store: Store) -> None:
    # the comparison above must not be vacuous: alerts of every kind, latest spikes,
    # pain flares after a spike, and athletes with nothing
    states = _reference(store, END)
    rules = {a.rule for s in states.values() for a in s.recent_alerts}
    assert {"spike", "ramp", "acwr", "acwr_ewma", "pain_flare"} <= rules
    # the wellness information alerts are part of the state too
    assert rules - {"spike", "ramp", "acwr", "acwr_ewma", "acwr_low", "monotony", "pain_flare"}
    assert states["Jumps"].worst_alert is not None
    assert states["Jumps"].worst_alert.severity == "high"
    assert states["No runs"] == dataclasses.replace(states["No runs"], last_run_date=None)
    assert states["Only pain"].latest_pain is not None and states["Only pain"].acwr is None
    assert states["Long ago"].last_run_date == date(2020, 12, 31)
    assert states["Only rides"].last_run_date is None


def test_service_status_is_the_ranked_definition_and_sees_writes(store: Store) -> None:
    service = Service(store)
    assert service.status(as_of=END) == ranked(list(_reference(store, END).values()))
    assert service.status(as_of=END) is service.status(as_of=END)  # one cached table
    (pain_id,) = store.add_pain([PainEntry(None, "No runs", END, 9)])
    try:
        after = service.status(as_of=END)
        assert after == ranked(list(_reference(store, END).values()))
        assert after[0].athlete in ("No runs", "Jumps")
        assert next(s for s in after if s.athlete == "No runs").latest_pain == 9
    finally:
        store.delete_pain(pain_id)
    assert service.status(as_of=END) == ranked(list(_reference(store, END).values()))


def test_every_write_changes_only_that_athletes_version(store: Store) -> None:
    from loadwatch.store import PlannedRun

    athlete = store.athlete("Steady", create=False)
    run_id = int(store.running_table("Steady")["id"].iloc[-1])
    writes = {
        "pain": lambda: store.delete_pain(store.add_pain([PainEntry(None, "Steady", END, 2)])[0]),
        "plan": lambda: store.delete_plan(
            store.add_plans([PlannedRun(None, "Steady", END, 5000.0, None)])[0]
        ),
        "rpe": lambda: store.set_rpe(run_id, 5),
        "file": lambda: store.add_file(
            athlete,
            FileRecord("f" * 64, "y.fit", 1, "fit", "imported"),
            [_run(END + timedelta(days=1), 5)],
        ),
    }
    for what, write in writes.items():
        before = store.athlete_versions()
        write()
        after = store.athlete_versions()
        assert after["Steady"] != before["Steady"], what
        others = {n: v for n, v in after.items() if n != "Steady"}
        assert others == {n: v for n, v in before.items() if n != "Steady"}, what


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_many_athletes_pain_rule_equals_the_rule_per_athlete(seed: int) -> None:
    import pandas as pd

    from loadwatch.alerts import Thresholds
    from loadwatch.alerts.many import pain_alerts_many
    from loadwatch.alerts.rules import pain_alerts
    from loadwatch.metrics import run_spikes

    rng = np.random.default_rng(seed)
    names = ["Ann", "bob", "Cy", "Dee"]
    n = 300
    day0 = np.datetime64("2025-01-01")
    pain = pd.DataFrame(
        {
            "athlete": rng.choice(names, n),
            "date": pd.to_datetime(day0 + rng.integers(0, 120, n)),
            "score": rng.integers(0, 11, n).astype(float),
            "location": rng.choice(["lower_back", "hip"], n),
            "timing": rng.choice(["after_run", "next_morning"], n),
        }
    )
    runs = [
        _run(date(2025, 1, 1) + timedelta(days=int(d)), float(k))
        for d, k in zip(rng.integers(0, 120, 200), rng.uniform(3, 30, 200), strict=True)
    ]
    acts = pd.DataFrame([r.as_dict() for r in runs])
    acts["athlete"] = rng.choice(names, len(acts))
    acts["id"] = np.arange(len(acts))
    spikes = run_spikes(acts)
    t = Thresholds(pain_median_days=10)
    want = []
    for name in sorted(names):
        mine = spikes[spikes["athlete"] == name]
        want += pain_alerts(pain[pain["athlete"] == name], mine, t, athlete=name)
    got = pain_alerts_many(pain, spikes, t)
    assert len(want) > 20
    assert got == want


@pytest.mark.parametrize("unit", ["s", "ns"])
@pytest.mark.parametrize("seed", [1, 2])
def test_pain_median_is_the_median_of_the_previous_days_counted_by_hand(
    seed: int, unit: str
) -> None:
    """The median a pain flare is judged against, recomputed with a plain loop
    over the previous ``pain_median_days`` days, for dates stored at second and
    at nanosecond resolution (pandas 2.1.0-2.1.1 measured a "10D" window in the
    wrong unit on a second-resolution index)."""
    import pandas as pd

    from loadwatch.alerts import Thresholds
    from loadwatch.alerts.many import pain_alerts_many
    from loadwatch.alerts.rules import pain_alerts

    rng = np.random.default_rng(seed)
    days = sorted({date(2025, 1, 1) + timedelta(days=int(d)) for d in rng.integers(0, 120, 60)})
    scores = {d: float(rng.integers(0, 11)) for d in days}
    pain = pd.DataFrame(
        {
            "athlete": "Ann",
            "date": pd.DatetimeIndex(np.array(days, dtype=f"datetime64[{unit}]")),
            "score": [scores[d] for d in days],
        }
    )
    t = Thresholds(pain_median_days=10)
    by_hand = {}
    for d in days:
        before = sorted(scores[p] for p in days if d - timedelta(days=10) <= p < d)
        k = len(before)
        by_hand[d] = None if k == 0 else (before[(k - 1) // 2] + before[k // 2]) / 2
    for alerts in (pain_alerts(pain, None, t, athlete="Ann"), pain_alerts_many(pain, None, t)):
        assert len(alerts) > 10
        for a in alerts:
            assert a.inputs["median"] == by_hand[a.date], a.date
