"""End-to-end journeys in a real headless Chromium against ``loadwatch demo``.

One demo server per module (the real command, on a free port, with the
bundled samples) and one browser. Each test loads the page afresh and works on
its own athlete or dates, so the tests do not depend on their order.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import (
    REPO,
    chrome,
    cli_server,
    console_errors,
    free_port,
    graph_traces,
    phone_screen,
    require_browser,
    trace_named,
    wait_until,
    x_tick_labels,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAMPLES = Path(os.environ.get("LOADWATCH_SAMPLES") or REPO / "sample_activities")
RUN_TRACE_PREFIXES = ("first run", "no spike", "small spike", "moderate spike", "large spike")
#: Added to the demo's athletes: runs without any pain score, and pain scores without runs.
NO_PAIN = "Nia NoPain"
NO_RUNS = "Omar NoRuns"
NO_PAIN_RUN_KM = 9.5
NO_RUNS_PAIN = (2, 3)  # below every pain rule: this athlete has no alert
#: A date as plotly labels a date axis ("Mar 9", "Mar 9<br>2025", "Mar 2025", "2025").
DATE_LABEL = re.compile(r"^(?:(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\d{4}$)")
#: What the server prints when a request fails (dashboards/app.py, dashboards/callbacks.py).
SERVER_ERRORS = ("internal error", "failed:", "Traceback")


def _samples_last_day() -> date:
    import json

    return date.fromisoformat(json.loads((SAMPLES / "expected.json").read_text())["last_day"])


def _add_shape_athletes(db: Path) -> None:
    """An athlete with runs and no pain, and one with pain and no runs, next to the demo's."""
    import hashlib

    from loadwatch.model import ActivitySummary
    from loadwatch.store import FileRecord, PainEntry, Store

    last = _samples_last_day()
    store = Store(f"sqlite:///{db}")
    try:
        for n in range(12):
            day = last - timedelta(days=3 * n)
            sha = hashlib.sha256(f"{NO_PAIN}{day}".encode()).hexdigest()
            run = ActivitySummary(
                sport="running",
                start_utc=datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
                distance_m=NO_PAIN_RUN_KM * 1000,
                timer_s=NO_PAIN_RUN_KM * 330,
                elapsed_s=NO_PAIN_RUN_KM * 340,
                source_format="fit",
                utc_offset_s=0,
                source_sha256=sha,
            )
            store.add_file(
                store.athlete(NO_PAIN), FileRecord(sha, f"{day}.fit", 1, "fit", "imported"), [run]
            )
        store.add_athlete(NO_RUNS)
        store.add_pain(
            [
                PainEntry(None, NO_RUNS, last - timedelta(days=10), NO_RUNS_PAIN[0]),
                PainEntry(None, NO_RUNS, last - timedelta(days=2), NO_RUNS_PAIN[1]),
            ]
        )
    finally:
        store.close()


@pytest.fixture(scope="module")
def server_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("log") / "server.log"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, server_log: Path) -> Iterator[str]:
    require_browser()
    if not (SAMPLES / "expected.json").exists():
        pytest.fail("sample_activities/ holds no generated samples (expected.json missing)")
    port = free_port()
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    args = ["demo", "--no-browser", "--port", str(port), "--db", str(db)]
    with cli_server(args, port=port, log=server_log):
        _add_shape_athletes(db)  # the dashboard reads the store afresh on every request
        yield f"http://127.0.0.1:{port}/"


@pytest.fixture(scope="module")
def driver(server: str) -> Iterator[Any]:
    with chrome() as d:
        yield d


def _open(driver: Any, url: str) -> None:
    driver.get(url)
    wait_until(lambda: _run_points(driver), timeout=30, what="the timeline chart")


def _run_points(driver: Any) -> list[tuple[str, float]]:
    """(date, distance) of every run marker in the timeline."""
    traces = graph_traces(driver, "timeline-graph") or []
    points = []
    for t in traces:
        if str(t["name"]).startswith(RUN_TRACE_PREFIXES):
            points += [(x[:10], float(y)) for x, y in zip(t["x"], t["y"], strict=True)]
    return points


def _text(driver: Any, element_id: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.ID, element_id).text)


def _choose_athlete(driver: Any, name: str) -> None:
    from selenium.webdriver.common.by import By

    driver.find_element(By.ID, "athlete-dropdown").click()
    option = wait_until(
        lambda: driver.find_element(By.XPATH, f"//*[@role='option'][.//input[@value='{name}']]"),
        what=f"the option {name}",
    )
    option.click()
    wait_until(lambda: name in _text(driver, "athlete-dropdown"), what=f"{name} selected")


def _type(driver: Any, element_id: str, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    box = driver.find_element(By.CSS_SELECTOR, f"input#{element_id}")
    box.click()
    box.send_keys(Keys.CONTROL, "a")
    box.send_keys(text)
    box.send_keys(Keys.TAB)
    box.send_keys(Keys.ESCAPE)  # closes a date picker's calendar, which would cover the form


def test_demo_shows_the_charts(driver: Any, server: str) -> None:
    _open(driver, server)
    _choose_athlete(driver, "Alex Steady")
    wait_until(
        lambda: trace_named(graph_traces(driver, "timeline-graph"), "back pain"),
        what="Alex's pain scores",
    )
    names = [t["name"] for t in graph_traces(driver, "timeline-graph") or []]
    assert "ACWR (rolling 7:28)" in names and "ACWR (EWMA)" in names
    assert "back pain (0–10)" in names
    weekly = trace_named(graph_traces(driver, "weekly-graph"), "weekly total")
    assert len(weekly) == 1 and len(weekly[0]["y"]) >= 10  # 16 sample weeks, ~26 shown
    key = [
        t["name"]
        for t in graph_traces(driver, "weekly-graph") or []
        if not t["y"] or t["y"] == [None]
    ]
    assert key == ["none or info", "caution", "high"]  # the colours' legend
    assert "Last 7 days" in _text(driver, "status")
    # the 16 weeks of the first sample athlete are all on screen
    assert len(_run_points(driver)) > 50


def test_coach_table_opens_an_athlete(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    opened_on = _text(driver, "athlete-dropdown")
    driver.find_element(By.XPATH, "//*[@id='tabs']//*[text()='Coach']").click()
    cell = wait_until(
        lambda: driver.find_element(
            By.CSS_SELECTOR, "#coach-grid .ag-row[row-id='Sam Jumps'] [col-id='athlete']"
        ),
        what="Sam's row in the coach table",
    )
    rows = driver.find_elements(
        By.CSS_SELECTOR, "#coach-grid .ag-pinned-left-cols-container .ag-row"
    )
    assert {r.get_attribute("row-id") for r in rows} == {
        "Alex Steady",
        "Sam Jumps",
        NO_PAIN,
        NO_RUNS,
    }
    # the runner view opened on the athlete who needs attention first: the table's first row
    first = next(r for r in rows if r.get_attribute("row-index") == "0")
    assert first.get_attribute("row-id") in opened_on
    # every column fits a 1400 px window: nothing scrolls sideways
    widths = driver.execute_script(
        "const v = document.querySelector('#coach-grid .ag-center-cols-viewport');"
        "return [v.scrollWidth, v.clientWidth, document.documentElement.scrollWidth,"
        " window.innerWidth];"
    )
    assert widths[0] <= widths[1] and widths[2] <= widths[3], widths
    # an athlete without any alert reads "none"
    alert = driver.find_element(
        By.CSS_SELECTOR, f"#coach-grid .ag-row[row-id='{NO_RUNS}'] [col-id='alert']"
    )
    assert alert.text == "none"
    cell.click()
    wait_until(lambda: "Sam Jumps" in _text(driver, "athlete-dropdown"), what="runner view of Sam")
    wait_until(
        lambda: (
            trace_named(graph_traces(driver, "timeline-graph"), "large spike")
            or trace_named(graph_traces(driver, "timeline-graph"), "moderate spike")
        ),
        what="Sam's spikes in the timeline",
    )


def test_pain_score_entered_in_the_form_appears_on_the_chart(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    _choose_athlete(driver, "Sam Jumps")
    day = _samples_last_day() - timedelta(days=1)
    _type(driver, "pain-date", day.isoformat())
    _type(driver, "pain-score", "9")
    _type(driver, "pain-note", "after the hill session")
    driver.find_element(By.ID, "pain-submit").click()
    wait_until(lambda: "Saved pain 9/10" in _text(driver, "pain-message"), what="pain saved")

    def nine_on_the_day() -> bool:
        for t in trace_named(graph_traces(driver, "timeline-graph"), "back pain"):
            if any(
                x[:10] == day.isoformat() and y == 9 for x, y in zip(t["x"], t["y"], strict=True)
            ):
                return True
        return False

    wait_until(nine_on_the_day, what="the new pain score in the chart")


def test_out_of_range_pain_score_is_refused(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    _type(driver, "pain-score", "11")
    driver.find_element(By.ID, "pain-submit").click()
    wait_until(lambda: "0 to 10" in _text(driver, "pain-message"), what="the range error")


def _context_points(driver: Any, name: str) -> list[tuple[str, Any]]:
    """(date, value) of a trace of the context chart (sleep, rehab marks...)."""
    return [
        (str(x)[:10], y)
        for t in trace_named(graph_traces(driver, "context-graph"), name)
        for x, y in zip(t["x"], t["y"], strict=True)
    ]


def test_check_in_and_rehab_session_appear_on_the_context_chart(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    _choose_athlete(driver, NO_PAIN)
    day = _samples_last_day() - timedelta(days=2)
    # a bad rating is refused with the CLI's message, and nothing is drawn
    _type(driver, "checkin-date", day.isoformat())
    _type(driver, "checkin-quality", "7")
    driver.find_element(By.ID, "checkin-submit").click()
    wait_until(
        lambda: "sleep quality must be from 1 to 5" in _text(driver, "checkin-message"),
        what="the check-in's range error",
    )
    _type(driver, "checkin-quality", "2")
    _type(driver, "checkin-sleep", "4.5")
    _type(driver, "checkin-stress", "8")
    driver.find_element(By.ID, "checkin-submit").click()
    wait_until(
        lambda: f"Saved the check-in of {day.isoformat()}" in _text(driver, "checkin-message"),
        what="check-in saved",
    )
    wait_until(
        lambda: (day.isoformat(), 4.5) in _context_points(driver, "sleep"),
        what="the night's sleep in the context chart",
    )
    assert (day.isoformat(), 8) in _context_points(driver, "stress, own rating")
    # one click logs a bridge (3 x 8) on the chosen day
    _type(driver, "rehab-date", day.isoformat())
    button = wait_until(
        lambda: driver.find_element(By.CSS_SELECTOR, "#rehab-buttons button[title^='Log Bridge']"),
        what="the bridge button",
    )
    button.click()
    wait_until(
        lambda: f"Logged bridge 3 x 8 on {day.isoformat()}" in _text(driver, "rehab-message"),
        what="rehab logged",
    )
    wait_until(
        lambda: (day.isoformat(), "Bridge") in _context_points(driver, "rehab session"),
        what="the rehab mark in the context chart",
    )


def test_planned_long_run_shows_its_warning(driver: Any, server: str) -> None:
    _open(driver, server)
    _choose_athlete(driver, "Alex Steady")
    on = _samples_last_day() + timedelta(days=2)
    _type(driver, "plan-date", on.isoformat())
    _type(driver, "plan-distance", "30")
    text = wait_until(
        lambda: (t := _text(driver, "plan-result")) and "single-run spike" in t and t,
        what="the spike warning",
    )
    assert "HIGH" in text.upper()
    assert re.search(r"Longest run that day: \d+\.\d km", text), text


def test_fit_file_dropped_on_the_upload_area_appears_in_the_charts(
    driver: Any, server: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    from loadwatch.synth import synth_run, to_fit

    day = _samples_last_day() + timedelta(days=5)
    run = synth_run(
        datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
        27.5,
        utc_offset_s=3600,
        lat=52.52,
        lon=13.40,
        pace_s_per_km=330,
        hr_rest=50,
        hr_max=188,
        seed=11,
        hz=0.2,
    )
    path = tmp_path / "long-run.fit"
    path.write_bytes(to_fit(run))

    _open(driver, server)
    _choose_athlete(driver, "Alex Steady")
    before = _run_points(driver)
    assert all(x != day.isoformat() for x, _ in before)
    upload = wait_until(lambda: driver.find_element(By.ID, "upload-input"), what="the file input")
    upload.send_keys(str(path))
    wait_until(
        lambda: "1 new activity" in _text(driver, "import-summary"),
        timeout=60,
        what="the import summary",
    )
    wait_until(
        lambda: any(x == day.isoformat() and abs(y - 27.5) < 0.1 for x, y in _run_points(driver)),
        what="the uploaded run in the timeline",
    )
    large = trace_named(graph_traces(driver, "timeline-graph"), "large spike")
    assert any(x[:10] == day.isoformat() for t in large for x in t["x"])


def _server_errors(log: Path) -> list[str]:
    return [line for line in log.read_text().splitlines() if any(e in line for e in SERVER_ERRORS)]


def _ticks_are_dates(driver: Any) -> dict[str, list[str]]:
    """The timeline's x tick labels, when every row (runs, ACWR, pain) has dated ones."""
    ticks = x_tick_labels(driver, "timeline-graph")
    dated = {axis: [t for t in labels if DATE_LABEL.match(t)] for axis, labels in ticks.items()}
    return ticks if len(dated) == 3 and all(len(v) >= 2 for v in dated.values()) else {}


def test_athlete_without_pain_has_a_dated_timeline(
    driver: Any, server: str, server_log: Path
) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    console_errors(driver)  # forget what came before
    _choose_athlete(driver, NO_PAIN)
    wait_until(
        lambda: _run_points(driver) and all(y == NO_PAIN_RUN_KM for _, y in _run_points(driver)),
        what=f"{NO_PAIN}'s runs in the timeline",
    )
    assert len(_run_points(driver)) == 12
    wait_until(lambda: _ticks_are_dates(driver), what="dated tick labels on every row")
    # the runs are spread over the axis, not squashed into one column
    xs = driver.execute_script(
        "return Array.from(document.querySelectorAll('#timeline-graph .subplot.xy .points path'))"
        ".map(p => p.getBoundingClientRect().x);"
    )
    assert max(xs) - min(xs) > 300, xs
    # the empty-state note is drawn on the pain panel, below the ACWR panel
    note = driver.find_element(
        By.XPATH, "//*[@id='timeline-graph']//*[text()='no pain scores logged in this period']"
    )
    acwr_title = driver.find_element(
        By.XPATH, "//*[@id='timeline-graph']//*[text()='Acute:chronic ratio']"
    )
    assert note.rect["y"] > acwr_title.rect["y"]
    assert not _server_errors(server_log)
    assert not [m for m in console_errors(driver) if "500" in m]


def test_athlete_without_runs_never_shows_the_previous_one(driver: Any, server: str) -> None:
    _open(driver, server)
    _choose_athlete(driver, "Sam Jumps")
    wait_until(lambda: len(_run_points(driver)) > 50, what="Sam's runs")
    _choose_athlete(driver, NO_RUNS)
    wait_until(lambda: not _run_points(driver), what="Sam's runs gone")
    assert "Sam" not in _text(driver, "alerts-list")
    assert "Latest run" not in _text(driver, "status")  # Sam's status cards are gone
    for trace in trace_named(graph_traces(driver, "timeline-graph"), "back pain"):
        assert sorted(trace["y"]) == sorted(NO_RUNS_PAIN)  # only Omar's own scores


def test_athlete_without_runs_shows_their_pain_on_dated_axes(
    driver: Any, server: str, server_log: Path
) -> None:
    _open(driver, server)
    console_errors(driver)
    _choose_athlete(driver, NO_RUNS)

    def own_pain() -> bool:
        pain = trace_named(graph_traces(driver, "timeline-graph"), "back pain")
        return [[float(y) for y in t["y"]] for t in pain] == [[float(s) for s in NO_RUNS_PAIN]]

    wait_until(own_pain, what=f"{NO_RUNS}'s pain scores (and only theirs)")
    assert not _run_points(driver)
    wait_until(lambda: _ticks_are_dates(driver), what="dated tick labels on every row")
    assert not _server_errors(server_log)
    assert not [m for m in console_errors(driver) if "500" in m]


def test_phone_shows_status_and_weekly_chart_above_the_fold(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    with phone_screen(driver, width=390, height=844):
        _open(driver, server)
        wait_until(lambda: graph_traces(driver, "weekly-graph"), what="the weekly chart")
        wait_until(lambda: "Last 7 days" in _text(driver, "status"), what="the status cards")
        box = driver.execute_script(
            "const r = id => document.getElementById(id).getBoundingClientRect().toJSON();"
            "return {status: r('status'), weekly: r('weekly-graph'), height: window.innerHeight,"
            " width: window.innerWidth, page: document.documentElement.scrollWidth};"
        )
        assert box["width"] == 390
        assert box["status"]["top"] >= 0 and box["status"]["bottom"] <= box["height"], box
        assert box["weekly"]["bottom"] <= box["height"], box  # the whole chart, unscrolled
        assert box["page"] <= box["width"], box  # nothing scrolls sideways
        # the coach table becomes a list of cards; a tap on one opens that athlete
        driver.find_element(By.XPATH, "//*[@id='tabs']//*[text()='Coach']").click()
        cards = wait_until(
            lambda: [
                c
                for c in driver.find_elements(By.CSS_SELECTOR, ".lw-coach-card")
                if c.is_displayed()
            ],
            what="the coach cards",
        )
        assert not driver.find_element(By.ID, "coach-grid").is_displayed()
        assert len(cards) == 4 and all(c.rect["width"] <= 390 for c in cards)
        target = next(c for c in cards if NO_PAIN in c.text)
        target.click()
        wait_until(lambda: NO_PAIN in _text(driver, "athlete-dropdown"), what="the card's athlete")
