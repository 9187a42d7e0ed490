"""Callbacks called directly as functions, over a small hand-made store."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from club_support import add_run
from dash import no_update
from dash.exceptions import PreventUpdate

from dashboards import callbacks, ids
from dashboards.app import create_app
from dashboards.data import KM_TO_MI, DashboardData
from dashboards.upload import UploadArea
from loadwatch.store import PainEntry, PlannedRun, Store

MONDAY = date(2025, 3, 3)
WEEKS = 6
STEADY_KM = 10.0
JUMP_KM = 25.0
#: The coach table's date in these tests: Ben's pain score, the Monday after week 6.
COACH_AS_OF = MONDAY + timedelta(days=7 * WEEKS)
PIA_PLAN = date.today() + timedelta(days=7)


@pytest.fixture
def data(tmp_path: Path) -> DashboardData:
    """Two athletes: 'Ana' runs 10 km Mon/Wed/Fri for 6 weeks; 'Ben' does the same, then 25 km."""
    url = f"sqlite:///{tmp_path / 'cb.db'}"
    store = Store(url)
    for name in ("Ana", "Ben"):
        for week in range(WEEKS):
            for offset in (0, 2, 4):
                add_run(store, name, MONDAY + timedelta(days=7 * week + offset), STEADY_KM)
    # Ben: a 25 km run on the Sunday closing week 6 (150% over his longest of 30 days)
    add_run(store, "Ben", MONDAY + timedelta(days=7 * (WEEKS - 1) + 6), JUMP_KM)
    store.add_pain([PainEntry(None, "Ben", MONDAY + timedelta(days=7 * WEEKS), 6, note="sore")])
    store.close()
    return DashboardData(url)


def _names(fig: Any) -> list[str]:
    return [t.name for t in fig.data]


# ------------------------------------------------------------------ athletes
def test_athlete_options_keep_the_current_choice(data: DashboardData) -> None:
    options, value, rename = callbacks.athlete_options(data, "Ben")
    assert [o["value"] for o in options] == ["Ana", "Ben"]
    assert value == "Ben"
    assert rename == options
    # without a (valid) choice, the view opens on who needs attention first: Ben's spike
    assert callbacks.athlete_options(data, "gone")[1] == "Ben"
    assert callbacks.athlete_options(data, None)[1] == "Ben"


def test_first_athlete_falls_back_to_the_first_name(
    data: DashboardData, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> list[dict[str, Any]]:
        raise KeyError("Ben: pain 6/10")

    monkeypatch.setattr(data, "coach_rows", broken)
    with caplog.at_level("ERROR"):
        assert callbacks.athlete_options(data, None)[1] == "Ana"
    assert "KeyError" in caplog.text and "pain" not in caplog.text


def test_add_and_rename_athletes(data: DashboardData) -> None:
    text, cls, version = callbacks.add_athlete(data, "  Cleo ", 3)
    assert (text, cls, version) == ("Added Cleo.", "lw-message ok", 4)
    text, cls, version = callbacks.add_athlete(data, "Cleo", 4)
    assert "already exists" in text and cls.endswith("error") and version is no_update
    text, _, version, selected = callbacks.rename_athlete(data, "Cleo", "Cleo Fast", 4)
    assert text == "Renamed Cleo to Cleo Fast." and version == 5 and selected == "Cleo Fast"
    assert data.athletes() == ["Ana", "Ben", "Cleo Fast"]
    text, _, version, _ = callbacks.rename_athlete(data, "Ana", "Ben", 5)
    assert "already exists" in text and version is no_update
    assert callbacks.rename_athlete(data, None, "x", 5)[0] == "Choose the athlete to rename."


# --------------------------------------------------------------- runner view
def test_runner_view_figures(data: DashboardData) -> None:
    weekly, timeline, alerts, _status = callbacks.runner_outputs(
        data, "Ana", None, None, "km", "distance"
    )
    bars = weekly.data[0]
    # six weeks of 3 x 10 km; the history ended long before today, so its last
    # week is a whole calendar week (the weekend passed without runs) with a ramp
    assert list(bars.y) == [30.0] * WEEKS
    assert list(bars.text) == ["", *["+0%"] * (WEEKS - 1)]
    names = _names(timeline)
    assert names[:3] == ["first run after a break", "no spike (≤10%)", "ACWR (rolling 7:28)"]
    runs = sum(len(t.x) for t in timeline.data if t.yaxis == "y")
    assert runs == 3 * WEEKS
    assert "No alerts" in str(alerts)


def test_runner_view_in_miles_and_minutes(data: DashboardData) -> None:
    weekly, timeline, _, _ = callbacks.runner_outputs(data, "Ana", None, None, "mi", "distance")
    assert weekly.data[0].y[0] == pytest.approx(30.0 * KM_TO_MI)
    assert weekly.layout.yaxis.title.text == "mi"
    steady = next(t for t in timeline.data if t.name.startswith("no spike"))
    assert steady.y[0] == pytest.approx(10.0 * KM_TO_MI)
    weekly, _, _, _ = callbacks.runner_outputs(data, "Ana", None, None, "km", "duration")
    assert weekly.data[0].y[0] == pytest.approx(3 * 10.0 * 330 / 60)  # moving minutes
    assert weekly.layout.yaxis.title.text == "min"


def test_runner_view_date_range(data: DashboardData) -> None:
    start = (MONDAY + timedelta(days=14)).isoformat()
    end = (MONDAY + timedelta(days=20)).isoformat()
    weekly, timeline, _, _ = callbacks.runner_outputs(data, "Ana", start, end, "km", "distance")
    assert len(weekly.data[0].y) == 1
    assert sum(len(t.x) for t in timeline.data if t.yaxis == "y") == 3


def test_runner_view_shows_the_spike_and_its_alert(data: DashboardData) -> None:
    weekly, timeline, alerts, status = callbacks.runner_outputs(
        data, "Ben", None, None, "km", "distance"
    )
    large = next(t for t in timeline.data if t.name == "large spike (>100%)")
    assert list(large.y) == [JUMP_KM]
    text = str(alerts)
    assert "single-run spike" in text and "frandsen2025" in text
    # Ben's last week is coloured by its worst alert (the spike is high)
    assert weekly.data[0].marker.color[-1] == "#d62728"
    pain = next(t for t in timeline.data if t.name.startswith("back pain"))
    assert list(pain.y) == [6.0]
    assert "Latest run" in str(status) and "+150%" in str(status)


def test_runner_view_without_athlete(data: DashboardData) -> None:
    weekly, _, _, status = callbacks.runner_outputs(data, None, None, None, "km", "distance")
    assert "Add an athlete" in weekly.layout.annotations[0].text
    assert status == []


# ------------------------------------------------- runner view: data shapes
@pytest.fixture
def shapes(tmp_path: Path) -> DashboardData:
    """One athlete per shape of data a new user meets.

    Nia: runs, no pain. Omar: only pain. Pia: only a run planned for next week. Quin: a single
    run. Rita: runs that ended in January 2018. Sol: nothing at all.
    """
    url = f"sqlite:///{tmp_path / 'shapes.db'}"
    store = Store(url)
    for week in range(3):
        for offset in (0, 2, 4):
            add_run(store, "Nia", MONDAY + timedelta(days=7 * week + offset), STEADY_KM)
    store.add_athlete("Omar")
    store.add_pain(
        [PainEntry(None, "Omar", MONDAY, 3), PainEntry(None, "Omar", MONDAY + timedelta(9), 5)]
    )
    store.add_athlete("Pia")
    store.add_plans([PlannedRun(None, "Pia", PIA_PLAN, 8000.0)])
    add_run(store, "Quin", MONDAY, 5.0)
    for n in range(10):
        add_run(store, "Rita", date(2018, 1, 1) + timedelta(days=3 * n), 8.0)
    store.add_athlete("Sol")
    store.close()
    return DashboardData(url)


def _x_axes(fig: Any) -> list[Any]:
    return [fig.layout.xaxis, fig.layout.xaxis2, fig.layout.xaxis3]


def _points(fig: Any) -> list[tuple[str, float]]:
    return [
        (str(x)[:10], float(y))
        for t in fig.data
        if t.x is not None and t.y is not None
        for x, y in zip(t.x, t.y, strict=True)
        if y is not None
    ]


def _error_shown(status: Any) -> bool:
    return "lw-message error" in str(status)


def test_no_pain_timeline_keeps_its_dates(shapes: DashboardData) -> None:
    weekly, timeline, _, status = callbacks.runner_outputs(
        shapes, "Nia", None, None, "km", "distance"
    )
    # 9 runs from Mon 3 Mar to Fri 21 Mar 2025 on every row's date axis,
    # padded by a day: 2 Mar to 22 Mar
    for axis in _x_axes(timeline):
        assert axis.type == "date"
        assert list(axis.range) == ["2025-03-02T00:00:00", "2025-03-22T00:00:00"]
    notes = [a for a in timeline.layout.annotations if "no pain" in a.text]
    assert len(notes) == 1
    pain_row = timeline.layout.yaxis3.domain
    assert pain_row[0] <= notes[0].y <= pain_row[1]  # on the pain panel, not the runs panel
    assert len([p for p in _points(timeline) if p[1] == STEADY_KM]) == 9
    assert weekly.layout.xaxis.type == "date"
    assert not _error_shown(status)


def test_a_single_run_gets_a_fortnight_axis(shapes: DashboardData) -> None:
    weekly, timeline, _, _ = callbacks.runner_outputs(shapes, "Quin", None, None, "km", "distance")
    assert _points(timeline) == [(MONDAY.isoformat(), 5.0)]
    lo, hi = (date.fromisoformat(v[:10]) for v in timeline.layout.xaxis3.range)
    assert lo < MONDAY < hi and (hi - lo).days == 14
    assert list(weekly.data[0].y) == [5.0]


def test_runs_that_ended_years_ago_are_dated_and_aged(shapes: DashboardData) -> None:
    weekly, timeline, _, status = callbacks.runner_outputs(
        shapes, "Rita", None, None, "km", "distance"
    )
    lo, hi = timeline.layout.xaxis3.range
    assert lo.startswith("2017-12-31") and hi.startswith("2018-01-29")  # 1 to 28 Jan 2018
    assert "years ago" in str(status)
    assert weekly.layout.xaxis.range[0].startswith("2017-12-31")


def test_only_pain_shows_the_pain_on_dated_axes(shapes: DashboardData) -> None:
    weekly, timeline, _, status = callbacks.runner_outputs(
        shapes, "Omar", None, None, "km", "distance"
    )
    assert not _error_shown(status)
    assert "No runs" in weekly.layout.annotations[0].text
    pain = next(t for t in timeline.data if t.name.startswith("back pain"))
    assert list(pain.y) == [3.0, 5.0]
    assert all(a.type == "date" for a in _x_axes(timeline))
    assert any(a.text == "no runs in this period" for a in timeline.layout.annotations)


def test_only_plans_shows_the_plan(shapes: DashboardData) -> None:
    _, timeline, _, status = callbacks.runner_outputs(shapes, "Pia", None, None, "km", "distance")
    assert not _error_shown(status)
    planned = next(t for t in timeline.data if t.name == "planned")
    assert list(planned.y) == [8.0]


def test_no_data_at_all_says_how_to_start(shapes: DashboardData) -> None:
    weekly, timeline, alerts, status = callbacks.runner_outputs(
        shapes, "Sol", None, None, "km", "distance"
    )
    assert not _error_shown(status)
    assert "No runs or pain scores for Sol" in weekly.layout.annotations[0].text
    assert "No runs or pain scores for Sol" in timeline.layout.annotations[0].text
    assert "No alerts" in str(alerts)


def test_a_failing_view_clears_every_output(
    data: DashboardData, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise TypeError("Ben pain 6/10")

    monkeypatch.setattr(data, "runner", broken)
    with caplog.at_level("ERROR"):
        weekly, timeline, alerts, status = callbacks.runner_outputs(
            data, "Ben", None, None, "km", "distance"
        )
    assert weekly.data == () and timeline.data == ()
    assert alerts == []
    assert _error_shown(status) and "could not be built" in str(status)
    # the log names the error's type, never its message (health data)
    assert "TypeError" in caplog.text and "6/10" not in caplog.text


def test_a_refused_view_says_why(data: DashboardData) -> None:
    weekly, timeline, alerts, status = callbacks.runner_outputs(
        data, "Nobody", None, None, "km", "distance"
    )
    assert weekly.data == () and timeline.data == () and alerts == []
    assert "no athlete called 'Nobody'" in str(status)


def test_switching_to_an_athlete_without_runs_shows_nothing_of_the_last(
    data: DashboardData,
) -> None:
    ben = callbacks.runner_outputs(data, "Ben", None, None, "km", "distance")
    assert (MONDAY + timedelta(days=7 * (WEEKS - 1) + 6)).isoformat() in dict(_points(ben[1]))
    data.add_athlete("Sol")
    weekly, timeline, alerts, status = callbacks.runner_outputs(
        data, "Sol", None, None, "km", "distance"
    )
    assert _points(weekly) == [] and _points(timeline) == []
    assert "spike" not in str(alerts) and "+150%" not in str(status)


# ---------------------------------------------------------------------- pain
def test_save_pain_then_it_is_on_the_chart(data: DashboardData) -> None:
    day = MONDAY + timedelta(days=10)
    text, cls, version = callbacks.save_pain(
        data, "Ana", day.isoformat(), 4, "hip", "after_run", "  tight  ", 7
    )
    assert (text, cls, version) == (f"Saved pain 4/10 on {day}.", "lw-message ok", 8)
    _, timeline, _, _ = callbacks.runner_outputs(data, "Ana", None, None, "km", "distance")
    pain = next(t for t in timeline.data if t.name.startswith("back pain"))
    assert list(pain.y) == [4.0]
    assert list(pain.customdata[0]) == ["hip", "after run", "tight"]


@pytest.mark.parametrize("score", [11, -1, 2.5, "abc", None, ""])
def test_bad_pain_scores_are_refused_and_nothing_is_written(
    data: DashboardData, score: Any
) -> None:
    before = data.store.counts()["pain_entries"]
    text, cls, version = callbacks.save_pain(
        data, "Ana", MONDAY.isoformat(), score, "lower_back", "not_running", None, 1
    )
    assert cls == "lw-message error" and version is no_update
    assert "pain score" in text
    assert data.store.counts()["pain_entries"] == before


def test_pain_in_the_future_is_refused(data: DashboardData) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    text, cls, _ = callbacks.save_pain(data, "Ana", tomorrow, 3, "hip", "after_run", None, 1)
    assert cls == "lw-message error" and "future" in text


def test_pain_needs_an_athlete(data: DashboardData) -> None:
    assert callbacks.save_pain(data, None, None, 3, "hip", "after_run", None, 1)[0] == (
        "Choose an athlete first."
    )


# ---------------------------------------------------------------------- plan
def _after_last_run(days: int) -> str:
    return (MONDAY + timedelta(days=7 * WEEKS - 1 + days)).isoformat()


def test_planned_long_run_warns_with_the_ceiling(data: DashboardData) -> None:
    text = str(callbacks.check_plan(data, "Ana", _after_last_run(1), 30, None, "km"))
    assert "single-run spike" in text and "(planned)" in text
    assert "Safe ceiling" in text
    assert "Longest run that day: 11.0 km (limited by spike)" in text  # 10 km x 1.10
    assert "spike +200%" in text  # projected: 30 km vs 10 km


def test_modest_planned_run_triggers_nothing(data: DashboardData) -> None:
    text = str(callbacks.check_plan(data, "Ana", _after_last_run(2), 10, None, "km"))
    assert "Nothing at caution or above" in text


def test_plan_in_miles_is_converted(data: DashboardData) -> None:
    text = str(callbacks.check_plan(data, "Ana", _after_last_run(1), 30 * KM_TO_MI, None, "mi"))
    assert "spike +200%" in text
    assert f"Longest run that day: {11.0 * KM_TO_MI:.1f} mi" in text


def test_plan_week_total_and_the_last_field_touched_wins(data: DashboardData) -> None:
    week = str(
        callbacks.check_plan(data, "Ana", _after_last_run(1), 30, 90, "km", prefer_week=True)
    )
    assert "Largest total for the next 7 days" in week
    assert "ramp" in week
    run = str(
        callbacks.check_plan(data, "Ana", _after_last_run(1), 30, 90, "km", prefer_week=False)
    )
    assert "spike +200%" in run


def test_plan_prompts_and_errors(data: DashboardData) -> None:
    assert "Enter a date" in str(callbacks.check_plan(data, "Ana", None, None, None, "km"))
    before = str(callbacks.check_plan(data, "Ana", MONDAY.isoformat(), 12, None, "km"))
    assert "looks ahead" in before
    assert "more than 0" in str(
        callbacks.check_plan(data, "Ana", _after_last_run(1), -3, None, "km")
    )


def test_saved_plan_shows_on_the_timeline(data: DashboardData) -> None:
    day = _after_last_run(3)
    _text, cls, version = callbacks.save_plan(data, "Ana", day, 12, "km", 2)
    assert cls == "lw-message ok" and version == 3
    _, timeline, _, _ = callbacks.runner_outputs(data, "Ana", None, None, "km", "distance")
    planned = next(t for t in timeline.data if t.name == "planned")
    assert list(planned.y) == [12.0]
    assert callbacks.save_plan(data, "Ana", None, 12, "km", 3)[2] is no_update


# --------------------------------------------------------------------- coach
@pytest.fixture
def coach_data(data: DashboardData, monkeypatch: pytest.MonkeyPatch) -> DashboardData:
    """``data`` whose coach table is as of :data:`COACH_AS_OF` (not today)."""
    monkeypatch.setattr(data, "coach_rows", partial(data.coach_rows, as_of=COACH_AS_OF))
    return data


def test_coach_rows_sorted_by_attention(coach_data: DashboardData) -> None:
    data = coach_data
    rows, as_of, _cards = callbacks.coach_rows(data, ids.TAB_COACH)
    assert as_of.startswith(f"As of {COACH_AS_OF.isoformat()}:")
    assert [r["athlete"] for r in rows] == ["Ben", "Ana"]
    ben, ana = rows
    assert ben["alert"] == "high" and ben["latest_pain"] == 6
    assert ben["latest_spike_pct"] == 150.0
    assert ben["reason"]  # why Ben is first, in words
    # no alert at caution or above reads "none", with no date and no reason
    assert (ana["alert"], ana["alert_date"], ana["reason"]) == ("none", "", "")
    assert ana["latest_pain"] is None
    # as of the newest date in the store (Ben's pain, the Monday after week 6)
    assert ana["last_7d"] == 20.0  # Wednesday's and Friday's runs are within the 7 days
    assert ana["last_run"] == (MONDAY + timedelta(days=7 * (WEEKS - 1) + 4)).isoformat()


def test_coach_cards_repeat_the_rows_in_order(coach_data: DashboardData) -> None:
    data = coach_data
    _, _, cards = callbacks.coach_rows(data, ids.TAB_COACH)
    # the cards as Dash sends them to the page (plain JSON objects of html.Button)
    assert {c["type"] for c in cards} == {"Button"}
    assert [c["props"]["id"] for c in cards] == [
        {"type": ids.COACH_CARD, "index": "Ben"},
        {"type": ids.COACH_CARD, "index": "Ana"},
    ]
    assert "high" in str(cards[0]) and "+150%" not in str(cards[1])
    assert "none" in str(cards[1]) and "last 7 days 20.0 km" in str(cards[1])
    assert callbacks.open_card({"type": ids.COACH_CARD, "index": "Ana"}, 1) == (
        "Ana",
        ids.TAB_RUNNER,
    )
    with pytest.raises(PreventUpdate):  # cards being drawn are not clicks
        callbacks.open_card({"type": ids.COACH_CARD, "index": "Ana"}, 0)


def test_coach_rows_only_computed_on_the_coach_tab(data: DashboardData) -> None:
    with pytest.raises(PreventUpdate):
        callbacks.coach_rows(data, ids.TAB_RUNNER)


def test_clicking_a_row_opens_the_runner_view() -> None:
    assert callbacks.open_athlete({"rowId": "Ben", "colId": "acwr"}) == ("Ben", ids.TAB_RUNNER)
    with pytest.raises(PreventUpdate):
        callbacks.open_athlete(None)


# -------------------------------------------------------------------- import
def _fit_bytes(day: date, km: float) -> bytes:
    from loadwatch.synth import synth_run, to_fit

    run = synth_run(
        datetime(day.year, day.month, day.day, 6, 30, tzinfo=UTC),
        km,
        utc_offset_s=0,
        lat=48.1,
        lon=11.6,
        pace_s_per_km=320,
        hr_rest=48,
        hr_max=186,
        seed=5,
        hz=0.2,
    )
    return to_fit(run)


def _upload(area: UploadArea, token: str, name: str, payload: bytes, chunk: int = 7000) -> None:
    for offset in range(0, max(len(payload), 1), chunk):
        part = payload[offset : offset + chunk]
        final = offset + chunk >= len(payload)
        area.receive_chunk(token, name, offset, final, io.BytesIO(part).read)


def test_run_import_uses_the_importer_and_reports_per_file(
    data: DashboardData, tmp_path: Path
) -> None:
    area = UploadArea(tmp_path / "up")
    token = "0123456789abcdef0123456789abcdef"
    day = MONDAY + timedelta(days=7 * WEEKS + 2)
    _upload(area, token, "morning run.fit", _fit_bytes(day, 21.0))
    _upload(area, token, "broken.fit", b".FIT" + b"\x00" * 40)
    (area.folder(token) / ".owner").write_text("local")  # sent by the single user
    progress: list[tuple[str, str]] = []
    summary, version = callbacks.run_import(
        data.store_url, area, progress.append, {"token": token}, "Ana", 4
    )
    text = str(summary)
    assert version == 5
    assert "1 new activity from 1 file(s)" in text
    assert "1 error(s)" in text and "broken.fit:" in text
    assert str(area.root) not in text  # the server's temporary path is not shown
    assert progress[-1] == ("2", "2")
    assert not area.folder(token).exists()  # the upload is deleted after the import
    _, timeline, _, _ = callbacks.runner_outputs(data, "Ana", None, None, "km", "distance")
    runs = [
        (str(x)[:10], y)
        for t in timeline.data
        if t.yaxis == "y"
        for x, y in zip(t.x, t.y, strict=True)
    ]
    assert (day.isoformat(), pytest.approx(21.0)) in runs


def test_run_import_needs_an_athlete(tmp_path: Path) -> None:
    area = UploadArea(tmp_path / "up")
    token = "f" * 32
    _upload(area, token, "a.fit", b"123")
    summary, version = callbacks.run_import("sqlite://", area, print, {"token": token}, None, 1)
    assert "Choose an athlete" in str(summary) and version is no_update
    assert not area.folder(token).exists()
    with pytest.raises(PreventUpdate):
        callbacks.run_import("sqlite://", area, print, None, "Ana", 1)


# -------------------------------------------------------------------- upload
def test_chunks_are_assembled_in_order(tmp_path: Path) -> None:
    area = UploadArea(tmp_path)
    token = "a" * 32
    payload = bytes(range(256)) * 100
    _upload(area, token, "../../etc/export.zip", payload, chunk=1000)
    (saved,) = area.files(token)
    assert saved.name == "etc_export.zip"  # no path from the client is trusted
    assert saved.parent == area.folder(token)
    assert saved.read_bytes() == payload


def test_upload_endpoint(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'u.db'}", work_dir=tmp_path / "work")
    client = app.server.test_client()
    url = "/_loadwatch/upload/" + "b" * 32
    headers = {
        "X-Upload-Name": "run%201.fit",
        "X-Upload-Offset": "0",
        "X-Upload-Final": "0",
        "Origin": "http://localhost",  # the dashboard's own page (Flask's test host)
    }
    ok = client.post(url, data=b"abc", headers=headers)
    assert ok.status_code == 200 and json.loads(ok.data) == {"received": 3}
    # a chunk that does not follow the previous one is refused (no holes, no doubles)
    again = client.post(url, data=b"abc", headers=headers)
    assert again.status_code == 409
    last = client.post(
        url, data=b"def", headers={**headers, "X-Upload-Offset": "3", "X-Upload-Final": "1"}
    )
    assert last.status_code == 200
    assert (tmp_path / "work" / "uploads" / ("b" * 32) / "run_1.fit").read_bytes() == b"abcdef"
    not_a_token = client.post("/_loadwatch/upload/not-a-token", data=b"x", headers=headers)
    assert not_a_token.status_code == 409
    bad = client.post(url, data=b"x", headers={**headers, "X-Upload-Offset": "x"})
    assert bad.status_code == 400


# -------------------------------------------------------------- app factory
def test_create_app_touches_no_database(tmp_path: Path) -> None:
    db = tmp_path / "later" / "x.db"
    app = create_app(f"sqlite:///{db}", work_dir=tmp_path / "work")
    assert not db.exists()
    # the first request opens it: whether anyone must sign in depends on its accounts
    client = app.server.test_client()
    assert client.get("/").status_code == 200
    layout = client.get("/_dash-layout")
    assert layout.status_code == 200


def test_page_loads_nothing_from_other_hosts(tmp_path: Path) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'x.db'}", work_dir=tmp_path / "work")
    page = app.server.test_client().get("/").data.decode()
    assert "http://" not in page and "https://" not in page and "//cdn" not in page


def test_request_log_is_silenced(tmp_path: Path) -> None:
    import logging

    create_app(f"sqlite:///{tmp_path / 'x.db'}", work_dir=tmp_path / "work")
    assert not logging.getLogger("werkzeug").isEnabledFor(logging.INFO)


def test_unexpected_errors_are_logged_without_their_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(f"sqlite:///{tmp_path / 'x.db'}", work_dir=tmp_path / "work")

    def fails() -> str:
        raise KeyError("Sam Jumps: pain 8/10")

    app.server.add_url_rule("/boom", "boom", fails)
    with caplog.at_level("ERROR"):
        response = app.server.test_client().get("/boom")
    assert response.status_code == 500
    assert "KeyError" in caplog.text
    assert "Sam" not in caplog.text and "pain" not in caplog.text


def _click(app: Any, button: str, values: dict[tuple[str, str], Any]) -> dict[str, Any]:
    """Click ``button`` through Dash's callback endpoint, with the form's fields in ``values``."""
    key, spec = next(
        (k, c)
        for k, c in app.callback_map.items()
        if c["inputs"] == [{"id": button, "property": "n_clicks"}]
    )
    outputs = [
        {"id": part.split(".")[0], "property": part.split(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": button, "property": "n_clicks", "value": 1}],
        "state": [{**s, "value": values[(s["id"], s["property"])]} for s in spec["state"]],
        "changedPropIds": [f"{button}.n_clicks"],
    }
    response = app.server.test_client().post(
        "/_dash-update-component", json=body, headers={"Origin": "http://localhost"}
    )
    assert response.status_code == 200, response.data
    return {
        f"{i}.{p.split('@')[0]}": v
        for i, props in json.loads(response.data)["response"].items()
        for p, v in props.items()
    }


def test_forms_that_write_are_wired_to_their_fields(data: DashboardData, tmp_path: Path) -> None:
    app = create_app(data.store_url, work_dir=tmp_path / "work")
    version = (ids.DATA_VERSION, "data")
    added = _click(app, ids.ADD_ATHLETE, {(ids.NEW_ATHLETE_NAME, "value"): "Cleo", version: 2})
    assert added == {
        f"{ids.ATHLETE_MESSAGE}.children": "Added Cleo.",
        f"{ids.ATHLETE_MESSAGE}.className": "lw-message ok",
        f"{ids.DATA_VERSION}.data": 3,
    }
    renamed = _click(
        app,
        ids.RENAME_ATHLETE,
        {(ids.RENAME_FROM, "value"): "Cleo", (ids.RENAME_TO, "value"): "Cleo Fast", version: 3},
    )
    assert renamed[f"{ids.ATHLETE_MESSAGE}.children"] == "Renamed Cleo to Cleo Fast."
    assert renamed[f"{ids.DATA_VERSION}.data"] == 4
    assert renamed[f"{ids.ATHLETE_DROPDOWN}.value"] == "Cleo Fast"
    day = (MONDAY + timedelta(days=7 * WEEKS)).isoformat()
    planned = _click(
        app,
        ids.PLAN_SAVE,
        {
            (ids.SELECTED_ATHLETE, "data"): "Ana",
            (ids.PLAN_DATE, "date"): day,
            (ids.PLAN_DISTANCE, "value"): 12,
            (ids.UNIT, "value"): "km",
            version: 4,
        },
    )
    assert planned[f"{ids.PLAN_MESSAGE}.children"] == f"Planned 12 km on {day}."
    assert planned[f"{ids.DATA_VERSION}.data"] == 5
    pain = _click(
        app,
        ids.PAIN_SUBMIT,
        {
            (ids.SELECTED_ATHLETE, "data"): "Ana",
            (ids.PAIN_DATE, "date"): day,
            (ids.PAIN_SCORE, "value"): 11,
            (ids.PAIN_WHERE, "value"): "hip",
            (ids.PAIN_WHEN, "value"): "after_run",
            (ids.PAIN_NOTE, "value"): None,
            version: 5,
        },
    )
    assert pain[f"{ids.PAIN_MESSAGE}.className"] == "lw-message error"
    assert f"{ids.DATA_VERSION}.data" not in pain  # refused: the version is left alone
    assert data.athletes() == ["Ana", "Ben", "Cleo Fast"]
    assert [p.distance_m for p in data.store.list_plans("Ana")] == [12000.0]


# ---------------------------------------------------------------- fragments
def _alerts_frame(**extra: list[Any]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        {
            "rule": ["spike", "ramp", "spike"],
            "severity": ["high", "caution", "caution"],
            "first_date": [date(2025, 4, 13), date(2025, 4, 7), date(2025, 3, 30)],
            "last_date": [date(2025, 4, 13), date(2025, 4, 13), date(2025, 3, 30)],
            "message": ["Your run was 150% longer.", "Your week was 35% up.", "A 20% longer run."],
            "evidence": ["frandsen2025", "nielsen2014", "frandsen2025"],
            **extra,
        }
    )


def _details(fragment: Any) -> list[Any]:
    from dash import html

    return [c for c in fragment.children if isinstance(c, html.Details)]


def test_alert_evidence_is_cited_once_per_rule() -> None:
    from dashboards import layout

    citations = {"spike": "Frandsen 2025, 5,205 runners", "ramp": "Nielsen 2014, novices"}
    fragment = layout.alerts_list(_alerts_frame(), citations=citations)
    text = str(fragment)
    # one short sentence per alert, each once
    for sentence in ("Your run was 150% longer.", "Your week was 35% up.", "A 20% longer run."):
        assert text.count(sentence) == 1
    assert "2025-04-07 to 2025-04-13 (7 days)" in text
    # one expandable block per rule, each citation once although spike fired twice
    blocks = _details(fragment)
    assert [b.children[0].children for b in blocks] == [
        "Evidence: single-run spike",
        "Evidence: 7-day distance ramp",
    ]
    assert text.count("Frandsen 2025, 5,205 runners") == 1
    assert text.count("Nielsen 2014, novices") == 1


def test_alert_evidence_from_a_citation_column_or_the_rule() -> None:
    from dashboards import layout

    with_column = layout.alerts_list(
        _alerts_frame(citation=["Spike study", "Ramp study", "Spike study"])
    )
    assert str(with_column).count("Spike study") == 1
    # without citations, the service words each rule's evidence, naming its keys once
    keys_only = str(layout.alerts_list(_alerts_frame()))
    assert keys_only.count("frandsen2025") == 1 and keys_only.count("nielsen2014") == 1
    # a per-alert detail, when given, is also shown once per rule
    detailed = layout.alerts_list(_alerts_frame(detail=["Spikes matter.", None, "Spikes matter."]))
    assert str(detailed).count("Spikes matter.") == 1


def test_status_cards_say_how_old_the_numbers_are() -> None:
    from dashboards import layout

    status = {
        "as_of": date(2018, 1, 28),
        "unit": "km",
        "week_load": 16.0,
        "ramp_pct": None,
        "acwr": 1.0,
        "acwr_ewma": 1.02,
        "last_run_distance": 8.0,
        "last_run_date": date(2018, 1, 28),
        "last_spike_pct": 0.0,
        "last_spike_category": "reference",
    }
    text = str(layout.status_cards(status, today=date(2026, 12, 3)))
    assert "as of 2018-01-28 (8 years ago)" in text
    assert "8 years ago; spike +0% (reference)" in text
    recent = str(layout.status_cards(status, today=date(2018, 2, 2)))
    assert "as of 2018-01-28 (5 days ago)" in recent
    assert layout.ago(date(2026, 1, 1), date(2026, 1, 1)) == "today"
    assert layout.ago(date(2026, 1, 1), date(2026, 5, 1)) == "4 months ago"


def test_coach_rows_of_the_status_shape_and_the_as_of_line() -> None:
    from dashboards import layout

    rows = layout.coach_table_rows(
        [
            {
                "athlete": "Sam",
                "as_of": "2025-04-14",
                "last_run_date": "2025-04-13",
                "last_7d_km": 41.0,
                "ramp_pct": 35.0,
                "acwr": 1.4,
                "acwr_ewma": 1.3,
                "latest_spike_pct": 150.0,
                "latest_pain": 4,
                "worst_alert": {"rule": "spike", "severity": "high", "date": "2025-04-13"},
                "reason": "Sam's run was 150% longer than his longest of 30 days.",
                "days_since_last_run": 1,
            },
            {
                "athlete": "Alex",
                "as_of": "2025-04-14",
                "worst_alert": {"rule": "ramp", "severity": "info", "date": "2025-04-10"},
                "reason": "Alex's week was 15% up.",
            },
        ]
    )
    sam, alex = rows
    assert (sam["alert"], sam["alert_date"], sam["last_7d"], sam["last_run"]) == (
        "high",
        "2025-04-13",
        41.0,
        "2025-04-13",
    )
    assert sam["reason"].startswith("Sam's run")
    # info is not an alert for the coach table: "none", no date, no reason
    assert (alex["alert"], alex["alert_date"], alex["reason"]) == ("none", "", "")
    assert layout.coach_as_of(rows).startswith("As of 2025-04-14:")
    sam_card, alex_card = (str(c) for c in layout.coach_cards(rows))
    assert "last run 2025-04-13 (1 day ago)" in sam_card
    assert "last run –" in alex_card and "No alert at caution or above." in alex_card
    assert layout.coach_as_of([]) == ""


def test_coach_columns_fit_a_1400_px_screen() -> None:
    from dashboards import layout

    # 1400 px less the page's margins (2 x 24), the panel's padding and border
    # (2 x 15) and a vertical scroll bar (15): 1307 px for the grid
    fixed = sum(c.get("width", 0) for c in layout.COACH_COLUMNS)
    flexible = sum(c.get("minWidth", 0) for c in layout.COACH_COLUMNS if c.get("flex"))
    assert fixed + flexible <= 1400 - 48 - 30 - 15
