"""Regenerate the README screenshots of the dashboard from the bundled samples.

Run: ``python scripts/screenshots.py [--out docs/screenshots]``. Needs Chromium
and chromedriver (Debian: ``apt-get install chromium chromium-driver``).

Imports the sample athletes into a temporary store exactly as ``loadwatch
demo`` does, serves the dashboard on a free local port, and saves
``runner.png`` (the "too much too soon" athlete) and ``coach.png``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from browser_support import chrome, free_port, graph_traces, wait_until  # noqa: E402

from dashboards.app import create_app  # noqa: E402
from dashboards.demo import import_samples  # noqa: E402
from loadwatch.store import PlannedRun, Store  # noqa: E402

ATHLETE = "Sam Jumps"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--samples", type=Path, default=ROOT / "sample_activities")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    work = Path(tempfile.mkdtemp(prefix="loadwatch-shots-"))
    url = f"sqlite:///{work / 'demo.db'}"
    store = Store(url)
    report = import_samples(store, args.samples)
    add_example_plans(store, report.last_day)
    store.close()

    from werkzeug.serving import make_server

    app = create_app(url, work_dir=work / "app", as_of=report.last_day)
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        shoot(f"http://127.0.0.1:{port}/", args.out)
    finally:
        server.shutdown()


def add_example_plans(store: Store, last_day: date) -> None:
    """Two planned runs for Sam after the samples' last day, so the upcoming panel
    has something to show: an easy run, and a long run that would be a spike."""
    store.add_plans(
        [
            PlannedRun(None, ATHLETE, last_day + timedelta(days=2), 8000.0, "8 km easy"),
            PlannedRun(None, ATHLETE, last_day + timedelta(days=5), 30000.0, "Long run 30k"),
        ]
    )


def shoot(url: str, out: Path) -> None:
    from selenium.webdriver.common.by import By

    with chrome(width=1400, height=1650) as driver:
        driver.get(url)
        wait_until(lambda: graph_traces(driver, "timeline-graph"), timeout=30, what="the charts")
        # the page opens on the athlete who needs attention first, which may already be ours
        if ATHLETE not in driver.find_element(By.ID, "athlete-dropdown").text:
            driver.find_element(By.ID, "athlete-dropdown").click()
            wait_until(
                lambda: driver.find_element(
                    By.XPATH, f"//*[@role='option'][.//input[@value='{ATHLETE}']]"
                ),
                what="the athlete list",
            ).click()
        wait_until(
            lambda: any(
                str(t["name"]).startswith(("moderate", "large"))
                for t in graph_traces(driver, "timeline-graph") or []
            ),
            what=f"{ATHLETE}'s spikes",
        )
        wait_until(lambda: graph_traces(driver, "context-graph"), what="the context chart")
        time.sleep(1.0)  # let plotly finish drawing
        driver.save_screenshot(str(out / "runner.png"))
        context = driver.find_element(By.ID, "context-graph")
        panel = context.find_element(By.XPATH, "ancestor::div[contains(@class,'lw-panel')][1]")
        driver.execute_script("arguments[0].scrollIntoView();", panel)
        time.sleep(0.5)
        panel.screenshot(str(out / "context.png"))

        driver.set_window_size(1400, 760)
        driver.find_element(By.XPATH, "//*[@id='tabs']//*[text()='Coach']").click()
        wait_until(
            lambda: driver.find_elements(By.CSS_SELECTOR, "#coach-grid .ag-row[row-id]"),
            what="the coach table",
        )
        time.sleep(1.0)
        driver.save_screenshot(str(out / "coach.png"))
    print(f"wrote {out / 'runner.png'}, {out / 'context.png'} and {out / 'coach.png'}")


if __name__ == "__main__":
    main()
