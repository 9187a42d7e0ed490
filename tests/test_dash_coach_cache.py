"""What the dashboard keeps between requests follows every write.

The coach view is built once per revision of the athletes shown, the figures
once per content, the demo's as-of date moves without a scan per request:
these tests write from a second store connection (as the CLI or another
server process would) and check that the next request shows the write.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from club_support import add_run

from dashboards import callbacks, ids
from dashboards.data import DashboardData
from loadwatch.service.context import SUMMARY_READ_DAYS, context_summaries, context_summary
from loadwatch.store import PainEntry, RehabSession, Store, WellnessDay

MONDAY = date(2025, 3, 3)
WEEKS = 6
#: The last run of every athlete: the Friday of week 6.
LAST_RUN = MONDAY + timedelta(days=7 * (WEEKS - 1) + 4)


@pytest.fixture
def url(tmp_path: Path) -> str:
    """Ana and Ben run 10 km Mon/Wed/Fri for 6 weeks; no pain scores."""
    url = f"sqlite:///{tmp_path / 'cache.db'}"
    store = Store(url)
    for name in ("Ana", "Ben"):
        for week in range(WEEKS):
            for offset in (0, 2, 4):
                add_run(store, name, MONDAY + timedelta(days=7 * week + offset), 10.0)
    store.close()
    return url


def _coach(data: DashboardData) -> tuple[list[dict[str, Any]], str, list[dict[str, Any]]]:
    return callbacks.coach_rows(data, ids.TAB_COACH)


def _row(rows: list[dict[str, Any]], athlete: str) -> dict[str, Any]:
    return next(r for r in rows if r["athlete"] == athlete)


def test_warm_coach_view_shows_a_pain_score_written_elsewhere(url: str) -> None:
    data = DashboardData(url, as_of=LAST_RUN)
    first = _coach(data)
    assert _coach(data) is first  # warm: the view built before, nothing rebuilt
    assert _row(first[0], "Ana")["latest_pain"] is None
    writer = Store(url)  # another connection: the CLI, another server process
    (pain_id,) = writer.add_pain([PainEntry(None, "Ana", LAST_RUN, 7, note="stiff")])
    rows, _, cards = _coach(data)
    assert _row(rows, "Ana")["latest_pain"] == 7
    ana_card = next(c for c in cards if c["props"]["id"]["index"] == "Ana")
    assert "pain 7/10" in str(ana_card)
    assert _row(rows, "Ben")["latest_pain"] is None
    writer.delete_pain(pain_id)  # and back, on the next request
    assert _row(_coach(data)[0], "Ana")["latest_pain"] is None


def test_warm_coach_view_reorders_after_a_run_written_elsewhere(url: str) -> None:
    data = DashboardData(url, as_of=LAST_RUN)
    before = [r["athlete"] for r in _coach(data)[0]]
    assert sorted(before) == ["Ana", "Ben"]
    # Ben: 25 km on the last day, 150% over his longest run of 30 days (a high spike)
    add_run(Store(url), "Ben", LAST_RUN, 25.0)
    rows = _coach(data)[0]
    assert [r["athlete"] for r in rows] == ["Ben", "Ana"]
    assert _row(rows, "Ben")["alert"] == "high"
    assert _row(rows, "Ben")["last_7d"] == 55.0  # 10 + 10 + 10 + 25


def test_coach_view_is_kept_per_scope(url: str) -> None:
    """Two scopes never share a built view (a coach sees only their athletes)."""
    from loadwatch.service.access import Scope

    data = DashboardData(url, as_of=LAST_RUN)
    everyone = _coach(data)
    only_ana = data.for_user(Scope(None, frozenset({"Ana"})))
    assert isinstance(only_ana, DashboardData)
    assert [r["athlete"] for r in _coach(only_ana)[0]] == ["Ana"]
    assert [r["athlete"] for r in _coach(data)[0]] == [r["athlete"] for r in everyone[0]]


def test_demo_as_of_follows_newer_data_and_its_deletion(url: str) -> None:
    """The fixed as-of date moves on to data newer than it, and back when that goes."""
    data = DashboardData(url, as_of=LAST_RUN)
    writer = Store(url)
    assert data.as_of == LAST_RUN
    later = LAST_RUN + timedelta(days=5)
    (newer,) = writer.add_pain([PainEntry(None, "Ana", later, 2)])
    assert data.as_of == later
    (older,) = writer.add_pain([PainEntry(None, "Ben", LAST_RUN - timedelta(days=3), 2)])
    assert data.as_of == later  # older data leaves it where it is
    writer.delete_pain(newer)  # the athlete holding the newest date deletes it
    assert data.as_of == LAST_RUN
    even_later = LAST_RUN + timedelta(days=9)
    add_run(writer, "Ben", even_later, 5.0)
    assert data.as_of == even_later
    writer.delete_pain(older)
    assert data.as_of == even_later
    assert _coach(data)[1].startswith(f"As of {even_later.isoformat()}:")


def test_timeline_after_a_pain_score_shows_it(url: str) -> None:
    """The figures are kept by content: a changed pain frame builds a new timeline."""
    data = DashboardData(url, as_of=LAST_RUN)
    args = ("Ana", None, None, "km", "distance")
    weekly, timeline, _, _ = callbacks.runner_outputs(data, *args)
    assert not any(t.name.startswith("back pain") for t in timeline.data)
    Store(url).add_pain([PainEntry(None, "Ana", LAST_RUN - timedelta(days=1), 5)])
    weekly_after, timeline_after, _, _ = callbacks.runner_outputs(data, *args)
    pain = [t for t in timeline_after.data if t.name.startswith("back pain")]
    assert [list(t.y) for t in pain] == [[5.0]]
    assert weekly_after is not weekly  # the score raised a caution: the last bar's colour
    # a night's sleep changes neither chart: the same figures, not built again
    Store(url).upsert_wellness([WellnessDay("Ana", LAST_RUN, "self", sleep_h=7.0)])
    weekly_again, timeline_again, _, _ = callbacks.runner_outputs(data, *args)
    assert weekly_again is weekly_after and timeline_again is timeline_after


def test_coach_context_columns_read_together_match_one_by_one(tmp_path: Path) -> None:
    """The coach table's sleep and rehab columns read for many athletes at once equal
    the summary of each athlete's whole record (data older than the read window too)."""
    store = Store(f"sqlite:///{tmp_path / 'context.db'}")
    as_of = date(2025, 6, 18)  # a Wednesday
    names = ["A", "B", "C", "D", "E"]
    for name in names:
        store.athlete(name)
    sleep = {"A": 7.5, "B": 6.0, "C": 8.0}
    days = []
    for name, hours in sleep.items():
        for back in range(0, 60, 2):  # nights far before the window too
            day = as_of - timedelta(days=back)
            days.append(WellnessDay(name, day, "self", sleep_h=hours - (back < 7) * 1.0))
    store.upsert_wellness(days)
    store.set_rehab_plan("A", "bridge", 2)
    store.set_rehab_plan("D", "bridge", 3)
    sessions = [
        RehabSession(None, who, as_of - timedelta(days=back), "bridge", 3, 10, None, None, None)
        for who, backs in (("A", (0, 3, 9, 16, 30, SUMMARY_READ_DAYS + 5)), ("B", (1, 2)))
        for back in backs
    ]
    store.add_rehab(sessions)
    together = context_summaries(store, names, as_of=as_of)
    for name in names:
        alone = context_summary(
            store.list_wellness(name), store.list_rehab(name), store.rehab_plan(name), as_of=as_of
        )
        assert together[name] == alone, name
    # hand-computed: A slept 6.5 h the last 7 days (nights 0, 2, 4, 6 back), 7.5 before
    assert together["A"]["sleep_7d_h"] == pytest.approx(6.5)
    assert together["A"]["sleep_change_h"] == pytest.approx(-1.0)
    assert together["B"]["rehab_sessions_28d"] == 2
    assert together["E"] == {
        "sleep_7d_h": None,
        "sleep_change_h": None,
        "rehab_adherence": None,
        "rehab_sessions_28d": 0,
    }


def test_state_and_view_sharing_distance_metrics_equal_each_alone(url: str) -> None:
    """After a write the state and the runner view share one daily-metrics pass: both
    equal what each computes on its own (and a run after the date is not shared)."""
    from loadwatch.service.runner import runner_view
    from loadwatch.service.state import all_alerts, athlete_state, distance_metrics, load_history

    store = Store(url)
    add_run(store, "Ben", LAST_RUN - timedelta(days=1), 25.0)  # a spike inside the window
    store.add_pain([PainEntry(None, "Ben", LAST_RUN, 4)])
    history = load_history(store, "Ben")
    alerts = all_alerts(history, end=LAST_RUN)
    shared = distance_metrics(history, LAST_RUN)
    assert shared is not None
    alone = athlete_state(history, LAST_RUN, alerts)
    assert athlete_state(history, LAST_RUN, alerts, shared) == alone
    assert alone.latest_spike_pct is not None and alone.last_7d_km == 55.0
    view = runner_view(history, alone, alerts)
    with_shared = runner_view(history, alone, alerts, shared=shared)
    for frame in ("daily", "weekly", "runs", "pain"):
        assert getattr(with_shared, frame).equals(getattr(view, frame)), frame
    # a run after the date: nothing is shared, each computes its own
    add_run(store, "Ben", LAST_RUN + timedelta(days=2), 8.0)
    assert distance_metrics(load_history(store, "Ben"), LAST_RUN) is None
