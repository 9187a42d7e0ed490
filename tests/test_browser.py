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
    free_port,
    graph_traces,
    require_browser,
    trace_named,
    wait_until,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SAMPLES = Path(os.environ.get("LOADWATCH_SAMPLES") or REPO / "sample_activities")
RUN_TRACE_PREFIXES = ("first run", "no spike", "small spike", "moderate spike", "large spike")


def _samples_last_day() -> date:
    import json

    return date.fromisoformat(json.loads((SAMPLES / "expected.json").read_text())["last_day"])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_browser()
    if not (SAMPLES / "expected.json").exists():
        pytest.fail("sample_activities/ holds no generated samples (expected.json missing)")
    port = free_port()
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    with cli_server(["demo", "--no-browser", "--port", str(port), "--db", str(db)], port=port):
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
    names = [t["name"] for t in graph_traces(driver, "timeline-graph") or []]
    assert "ACWR (rolling 7:28)" in names and "ACWR (EWMA)" in names
    assert "back pain (0–10)" in names
    weekly = graph_traces(driver, "weekly-graph") or []
    assert len(weekly) == 1 and len(weekly[0]["y"]) >= 10  # 16 sample weeks, ~26 shown
    assert "Last 7 days" in _text(driver, "status")
    # the 16 weeks of the first sample athlete are all on screen
    assert len(_run_points(driver)) > 50


def test_coach_table_opens_an_athlete(driver: Any, server: str) -> None:
    from selenium.webdriver.common.by import By

    _open(driver, server)
    assert "Alex Steady" in _text(driver, "athlete-dropdown")  # first by name
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
    assert {r.get_attribute("row-id") for r in rows} == {"Alex Steady", "Sam Jumps"}
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
