"""The dashboard's context and days-ahead parts, callbacks called directly as functions.

Check-in, one-click rehab log, the context chart, the upcoming panel, ICS upload,
calendar subscription, the test notification and the coach table's sleep and
rehab columns. Expected values are worked out by hand from the data written here
and the default thresholds (spike caution at +10 %, ramp caution at +30 %).
"""

from __future__ import annotations

import base64
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from club_support import add_run
from dash import no_update
from dash.exceptions import PreventUpdate
from local_http import local_server

from dashboards import callbacks, ids
from dashboards.data import DashboardData
from loadwatch.store import RehabSession, Store, WellnessDay

MONDAY = date(2025, 3, 3)
#: Ana runs 10 km Mon/Wed/Fri for six weeks; her last run is this Friday.
LAST_RUN = date(2025, 4, 11)


@pytest.fixture
def store_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))  # defaults
    url = f"sqlite:///{tmp_path / 'ctx.db'}"
    store = Store(url)
    for week in range(6):
        for offset in (0, 2, 4):
            add_run(store, "Ana", MONDAY + timedelta(days=7 * week + offset), 10.0)
    store.athlete("Ben", create=True)
    store.close()
    return url


@pytest.fixture
def data(store_url: str) -> DashboardData:
    return DashboardData(store_url, as_of=LAST_RUN)


def _store(data: DashboardData) -> Store:
    return Store(data.store_url)


def _trace(fig: Any, name: str) -> Any:
    matches = [t for t in fig.data if t.name == name]
    assert matches, f"no trace {name!r} in {[t.name for t in fig.data]}"
    return matches[0]


# ------------------------------------------------------------------ check-in
def test_a_check_in_is_saved_and_drawn(data: DashboardData) -> None:
    day = LAST_RUN - timedelta(days=1)
    text, cls, version = callbacks.save_checkin(
        data, "Ana", day.isoformat(), 6.5, 2, 7, 4, 5, "late night", 3
    )
    assert (cls, version) == ("lw-message ok", 4)
    assert day.isoformat() in text
    (row,) = _store(data).list_wellness("Ana")
    assert (row.date, row.source, row.sleep_h, row.sleep_quality) == (day, "self", 6.5, 2)
    assert (row.stress_self, row.soreness, row.fatigue, row.note) == (7, 4, 5, "late night")
    fig = callbacks.context_output(data, "Ana", None, None)
    sleep = _trace(fig, "sleep (h)")
    assert [str(x)[:10] for x in sleep.x] == [day.isoformat()]
    assert list(sleep.y) == [6.5]
    assert list(_trace(fig, "stress, own rating (0–10)").y) == [7.0]


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"quality": 6}, "sleep quality must be from 1 to 5"),
        ({"stress": 11}, "stress must be from 0 to 10"),
        ({"soreness": -1}, "soreness must be from 0 to 10"),
        ({"fatigue": 2.5}, "fatigue must be a whole number"),
        ({"sleep": 25}, "sleep hours must be from 0 to 24"),
        ({"day": (date.today() + timedelta(days=2)).isoformat(), "sleep": 7}, "future"),
        ({}, "at least one"),
    ],
)
def test_bad_check_ins_write_nothing(
    data: DashboardData, values: dict[str, Any], words: str
) -> None:
    text, cls, version = callbacks.save_checkin(
        data,
        "Ana",
        values.get("day", LAST_RUN.isoformat()),
        values.get("sleep"),
        values.get("quality"),
        values.get("stress"),
        values.get("soreness"),
        values.get("fatigue"),
        None,
        0,
    )
    assert cls == "lw-message error" and version is no_update
    assert words in text.lower()
    assert _store(data).list_wellness("Ana") == []


def test_a_check_in_needs_an_athlete(data: DashboardData) -> None:
    text, cls, _ = callbacks.save_checkin(data, None, None, 7, None, None, None, None, None, 0)
    assert cls == "lw-message error" and "athlete" in text


# --------------------------------------------------------------------- rehab
def _button_keys(children: Any) -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        node_id = getattr(node, "id", None)
        if isinstance(node_id, dict) and node_id.get("type") == ids.REHAB_LOG:
            found.append(node_id["index"])
        walk(getattr(node, "children", None) or [])

    walk(children)
    return found


def test_rehab_buttons_offer_the_plan_else_the_catalogue(data: DashboardData) -> None:
    # the nine exercises the issue lists, by their catalogue keys
    everything = callbacks.rehab_choices(data, "Ana")
    assert len(_button_keys(everything)) == 9
    assert {"quad-stretch", "bridge", "clams"} <= set(_button_keys(everything))
    store = _store(data)
    store.set_rehab_plan("Ana", "clams", 3)
    store.set_rehab_plan("Ana", "bridge", 2)
    assert sorted(_button_keys(callbacks.rehab_choices(data, "Ana"))) == ["bridge", "clams"]


def test_one_click_logs_the_usual_dose_and_it_is_drawn(data: DashboardData) -> None:
    day = LAST_RUN - timedelta(days=2)
    button = {"type": ids.REHAB_LOG, "index": "bridge"}
    text, cls, version = callbacks.log_rehab(data, "Ana", button, 1, day.isoformat(), 7)
    assert (cls, version) == ("lw-message ok", 8)
    (session,) = _store(data).list_rehab("Ana")
    # bridges: 3 x 8, no side (the physiotherapy material's dose)
    assert (session.date, session.exercise, session.sets, session.reps) == (day, "bridge", 3, 8)
    assert session.seconds is None and session.side is None
    assert "3 x 8" in text
    marks = _trace(callbacks.context_output(data, "Ana", None, None), "rehab session")
    assert list(marks.y) == ["Bridge"]
    assert [str(x)[:10] for x in marks.x] == [day.isoformat()]


def test_rehab_buttons_drawn_anew_log_nothing(data: DashboardData) -> None:
    button = {"type": ids.REHAB_LOG, "index": "bridge"}
    with pytest.raises(PreventUpdate):
        callbacks.log_rehab(data, "Ana", button, 0, None, 0)
    assert _store(data).list_rehab("Ana") == []


def test_rehab_in_the_future_or_unknown_is_refused(data: DashboardData) -> None:
    later = (date.today() + timedelta(days=3)).isoformat()
    bridge = {"type": ids.REHAB_LOG, "index": "bridge"}
    text, cls, version = callbacks.log_rehab(data, "Ana", bridge, 1, later, 0)
    assert cls == "lw-message error" and version is no_update and "future" in text
    odd = {"type": ids.REHAB_LOG, "index": "handstand"}
    text, cls, _ = callbacks.log_rehab(data, "Ana", odd, 1, None, 0)
    assert cls == "lw-message error" and "unknown exercise" in text
    assert _store(data).list_rehab("Ana") == []


def test_context_without_any_values_says_how_to_start(data: DashboardData) -> None:
    fig = callbacks.context_output(data, "Ana", None, None)
    assert "log a check-in" in fig.layout.annotations[0].text


# ------------------------------------------------------------------ upcoming
def _items(children: Any) -> list[str]:
    """The text of each upcoming day."""
    texts: list[str] = []

    def text(node: Any) -> str:
        if node is None:
            return ""
        if isinstance(node, str | int | float):
            return str(node)
        if isinstance(node, list | tuple):
            return " ".join(text(n) for n in node)
        return text(getattr(node, "children", None))

    def walk(node: Any) -> None:
        if isinstance(node, list | tuple):
            for n in node:
                walk(n)
            return
        if type(node).__name__ == "Li":
            texts.append(text(node))
            return
        walk(getattr(node, "children", None) or [])

    walk(children)
    return texts


def test_upcoming_lists_planned_days_with_status_and_ceiling(data: DashboardData) -> None:
    assert "Nothing planned" in str(callbacks.upcoming(data, "Ana", "km"))
    data.save_plans("Ana", [(date(2025, 4, 14), 10.0, "easy")])
    (monday,) = _items(callbacks.upcoming(data, "Ana", "km"))
    # longest run of 30 days 10 km: 11.0 km is +10 %, the spike caution; the ramp
    # would allow 30 x 1.3 - 20 = 19 km
    assert "ok" in monday and "10.0 km planned" in monday and "ceiling 11.0 km" in monday
    data.save_plans("Ana", [(date(2025, 4, 16), 25.0, "long")])
    rows = data.upcoming_rows("Ana")
    assert [r["date"] for r in rows] == [date(2025, 4, 14), date(2025, 4, 16)]
    wednesday = rows[1]
    assert wednesday["status"] in ("caution", "high")
    assert wednesday["planned"] == 25.0 and wednesday["ceiling"] == 11.0
    assert "+150%" in wednesday["reason"]  # 25 km on a longest of 10 km
    # Monday's own run is fine, but the rest of the plan fires anyway
    assert rows[0]["ceiling_status"] == "already"
    assert "no safe distance" in _items(callbacks.upcoming(data, "Ana", "km"))[0]


def test_upcoming_in_miles(data: DashboardData) -> None:
    data.save_plans("Ana", [(date(2025, 4, 14), 10.0, None)])
    (row,) = data.upcoming_rows("Ana", unit="mi")
    assert row["planned"] == round(10.0 / 1.609344, 1)
    assert row["ceiling"] == round(11.0 / 1.609344, 1)


# ----------------------------------------------------------------- calendars
ICS = b"""BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//loadwatch tests//EN\r
BEGIN:VEVENT\r
UID:run-1@test\r
DTSTAMP:20250401T000000Z\r
DTSTART;VALUE=DATE:%s\r
SUMMARY:10 km easy\r
END:VEVENT\r
BEGIN:VEVENT\r
UID:yoga-1@test\r
DTSTAMP:20250401T000000Z\r
DTSTART;VALUE=DATE:%s\r
SUMMARY:Yoga\r
END:VEVENT\r
END:VCALENDAR\r
"""


def _ics(day: date) -> bytes:
    stamp = day.strftime("%Y%m%d").encode()
    return ICS % (stamp, stamp)


def _upload(raw: bytes) -> str:
    return "data:text/calendar;base64," + base64.b64encode(raw).decode()


def test_an_ics_upload_adds_plans_and_again_changes_nothing(data: DashboardData) -> None:
    day = date.today() + timedelta(days=3)
    text, cls, version = callbacks.import_ics(data, "Ana", _upload(_ics(day)), "plan.ics", 1)
    assert (cls, version) == ("lw-message ok", 2)
    assert "1 added" in text and "1 skipped" in text and "Yoga" in text
    (plan,) = _store(data).list_plans("Ana")
    assert (plan.date, plan.distance_m) == (day, 10000.0)
    text, _, _ = callbacks.import_ics(data, "Ana", _upload(_ics(day)), "plan.ics", 2)
    assert "0 added" in text and "1 unchanged" in text
    assert len(_store(data).list_plans("Ana")) == 1
    listing = str(callbacks.calendars(data, "Ana"))
    assert "plan.ics" in listing and "1 planned run" in listing


def test_a_broken_upload_writes_nothing(data: DashboardData) -> None:
    text, cls, version = callbacks.import_ics(data, "Ana", "data:,%%%not-base64", "x.ics", 0)
    assert cls == "lw-message error" and version is no_update and "x.ics" in text
    text, cls, _ = callbacks.import_ics(data, "Ana", _upload(b"hello"), "x.ics", 0)
    assert cls == "lw-message error"
    assert _store(data).list_plans("Ana") == []
    with pytest.raises(PreventUpdate):
        callbacks.import_ics(data, "Ana", None, None, 0)


def test_subscribing_reads_the_feed_and_shows_only_its_host(data: DashboardData) -> None:
    day = date.today() + timedelta(days=4)
    with local_server() as server:
        server.files["/private-token-123/plan.ics"] = _ics(day)
        feed = f"http://127.0.0.1:{server.port}/private-token-123/plan.ics"
        text, cls, version = callbacks.subscribe_calendar(data, "Ana", feed, 5)
    assert (cls, version) == ("lw-message ok", 6)
    assert "1 added" in text
    assert [p.date for p in _store(data).list_plans("Ana")] == [day]
    listing = str(callbacks.calendars(data, "Ana"))
    assert "http://127.0.0.1/…" in listing and "private-token-123" not in listing
    assert "private-token-123" not in text


@pytest.mark.parametrize("url", ["", "ftp://example.org/plan.ics", "plan.ics"])
def test_a_bad_feed_address_is_refused(data: DashboardData, url: str) -> None:
    text, cls, version = callbacks.subscribe_calendar(data, "Ana", url, 0)
    assert cls == "lw-message error" and version is no_update
    assert "https://" in text
    assert _store(data).list_plans("Ana") == []


# ------------------------------------------------------------- notification
def test_a_test_notification_says_when_nothing_is_configured(data: DashboardData) -> None:
    text, cls = callbacks.test_notification(data, "Ana")
    assert cls == "lw-message error"
    assert "no notification address is configured for Ana" in text
    assert "[notify]" in text


def test_a_test_notification_reaches_the_configured_webhook(
    data: DashboardData, tmp_path: Path
) -> None:
    with local_server() as server:
        (tmp_path / "config.toml").write_text(
            "[notify]\nurls = []\n"
            f'[notify.athletes."Ana"]\nurls = ["json://127.0.0.1:{server.port}/hook"]\n'
        )
        text, cls = callbacks.test_notification(data, "Ana")
        assert cls == "lw-message ok"
        assert f"json://127.0.0.1:{server.port}/…" in text
        assert len(server.posts) == 1
        path, body = server.posts[0]
        assert path == "/hook" and "test message" in body["message"].lower()
        # Ben has no address of his own and there is no default
        text, cls = callbacks.test_notification(data, "Ben")
        assert cls == "lw-message error" and "Ben" in text
        assert len(server.posts) == 1


def test_a_failed_test_notification_is_reported(data: DashboardData, tmp_path: Path) -> None:
    with local_server() as server:
        server.post_status = 500
        (tmp_path / "config.toml").write_text(
            f'[notify]\nurls = ["json://127.0.0.1:{server.port}/hook"]\n'
        )
        text, cls = callbacks.test_notification(data, "Ana")
    assert cls == "lw-message error" and "Sent to 0 of 1" in text


# --------------------------------------------------------------- coach table
def test_coach_table_has_sleep_trend_and_rehab_adherence(store_url: str) -> None:
    store = Store(store_url)
    # 28 nights of 8 h, then 7 nights of 6 h up to the as-of date
    days = [LAST_RUN - timedelta(days=i) for i in range(35)]
    store.upsert_wellness(
        [WellnessDay("Ana", d, "self", sleep_h=6.0 if i < 7 else 8.0) for i, d in enumerate(days)]
    )
    # plan: bridge twice a week; the 4 calendar weeks up to Fri 11 Apr start Mon 17 Mar;
    # 4 bridge days in them (one more before they start does not count) -> 4 / 8 = 50 %
    store.set_rehab_plan("Ana", "bridge", 2)
    logged = [date(2025, 3, 10), date(2025, 3, 18), date(2025, 3, 25), date(2025, 4, 1)]
    logged.append(date(2025, 4, 8))
    store.add_rehab([RehabSession(None, "Ana", d, "bridge", 3, 8, None, None) for d in logged])
    store.close()
    data = DashboardData(store_url, as_of=LAST_RUN)
    rows = {r["athlete"]: r for r in callbacks.coach_rows(data, ids.TAB_COACH)[0]}
    assert rows["Ana"]["sleep"] == "6.0 (-2.0)"
    assert rows["Ana"]["rehab"] == "50%"
    assert rows["Ben"]["sleep"] == "–" and rehab_free(rows["Ben"])


def rehab_free(row: dict[str, Any]) -> bool:
    return row["rehab"] == "–"


# ------------------------------------------------------------- the figure
def test_context_figure_rows_and_shared_range() -> None:
    import pandas as pd

    from dashboards.figures import context_figure

    wellness = pd.DataFrame(
        {"sleep_h": [7.0, None], "resting_hr": [None, 52.0]},
        index=pd.to_datetime(["2025-04-01", "2025-04-02"]),
    )
    rehab = pd.DataFrame(columns=["date", "exercise", "name"])
    span = ("2025-03-01", "2025-04-10")
    fig = context_figure(wellness, rehab, x_range=span)
    assert list(_trace(fig, "sleep (h)").y) == [7.0]
    assert list(_trace(fig, "resting HR (bpm)").y) == [52.0]
    notes = [a.text for a in fig.layout.annotations]
    assert "no stress recorded in this period" in notes
    assert "no rehab sessions logged in this period" in notes
    assert "no sleep recorded in this period" not in notes
    for axis in ("xaxis", "xaxis2", "xaxis3", "xaxis4"):
        assert tuple(fig.layout[axis].range) == span


def test_coach_columns_follow_a_check_in_saved_again(data: DashboardData) -> None:
    def sleep() -> str:
        rows = callbacks.coach_rows(data, ids.TAB_COACH)[0]
        return next(r["sleep"] for r in rows if r["athlete"] == "Ana")

    assert sleep() == "–"
    callbacks.save_checkin(data, "Ana", LAST_RUN.isoformat(), 7, None, None, None, None, None, 0)
    assert sleep() == "7.0"  # no night in the 28 days before: no change shown
    # the same day corrected: the row is updated in place, the table follows
    callbacks.save_checkin(data, "Ana", LAST_RUN.isoformat(), 5, None, None, None, None, None, 1)
    assert sleep() == "5.0"


def test_coach_adherence_follows_a_changed_plan_target(data: DashboardData) -> None:
    def rehab() -> str:
        rows = callbacks.coach_rows(data, ids.TAB_COACH)[0]
        return next(r["rehab"] for r in rows if r["athlete"] == "Ana")

    store = _store(data)
    store.set_rehab_plan("Ana", "bridge", 1)
    button = {"type": ids.REHAB_LOG, "index": "bridge"}
    callbacks.log_rehab(data, "Ana", button, 1, LAST_RUN.isoformat(), 0)
    assert rehab() == "25%"  # 1 of 4 (once a week for 4 weeks)
    store.set_rehab_plan("Ana", "bridge", 2)
    assert rehab() == "12%"  # 1 of 8, rounded
