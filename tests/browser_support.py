"""Helpers for the dashboard tests: a headless system Chromium, a server on a free port.

The browser is Debian's ``chromium`` driven by its ``chromedriver`` through
Selenium, with the driver path set explicitly so Selenium never tries to
download one. Without Chromium the browser lane is deselected with one line
saying so, and ``--require-browser`` (passed by ``.ci/run``) makes that an
error, so a missing install step cannot hide behind a green run.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1400,1800",
)


def find_browser() -> tuple[str, str] | None:
    """(chromium, chromedriver) paths, or None when either is missing."""
    browser = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    driver = shutil.which("chromedriver")
    return (browser, driver) if browser and driver else None


def require_browser() -> tuple[str, str]:
    """The browser paths; fail without them.

    Tests marked ``browser`` are deselected (with a line saying so) when the
    browser is missing, see tests/conftest.py; reaching this without one
    means a test that drives the browser lacks the marker.
    """
    found = find_browser()
    if found is None:
        pytest.fail(
            "Chromium and chromedriver are not installed (apt-get install chromium "
            "chromium-driver); a test that drives them must carry @pytest.mark.browser"
        )
    return found


@contextmanager
def chrome(*, width: int = 1400, height: int = 1800) -> Iterator[Any]:
    """A headless Chromium WebDriver with a fresh profile, closed afterwards."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = require_browser()
    os.environ.setdefault("SE_OFFLINE", "true")  # never let Selenium Manager reach out
    profile = tempfile.mkdtemp(prefix="loadwatch-chrome-")
    options = webdriver.ChromeOptions()
    options.binary_location = browser
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--window-size={width},{height}")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # console_errors()
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_status(url: str, *, auth: tuple[str, str] | None = None, timeout: float = 5) -> int:
    """The HTTP status of a GET (errors included), optionally with basic auth."""
    request = urllib.request.Request(url)
    if auth is not None:
        import base64

        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as e:
        return int(e.code)


@contextmanager
def cli_server(
    args: list[str],
    *,
    port: int,
    env: dict[str, str] | None = None,
    ready_timeout: float = 60,
    auth: tuple[str, str] | None = None,
    log: Path | None = None,
) -> Iterator[subprocess.Popen[str]]:
    """Run ``python -m loadwatch ARGS`` until http://127.0.0.1:PORT/ answers; stop it after.

    The server's output goes to the process's ``stdout`` pipe, or into the file
    ``log`` when given (readable while the server runs).
    """
    full_env = {**os.environ, **(env or {})}
    sink = open(log, "w", encoding="utf-8") if log else subprocess.PIPE  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "loadwatch", *args],
        cwd=REPO,
        env=full_env,
        stdout=sink,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + ready_timeout
        while True:
            if proc.poll() is not None:
                out = proc.stdout.read() if proc.stdout else Path(str(log)).read_text()
                raise AssertionError(f"server exited with {proc.returncode}:\n{out}")
            try:
                http_status(f"http://127.0.0.1:{port}/_dash-layout", auth=auth, timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("server did not start in time") from None
                time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            sink.close()  # type: ignore[union-attr]


def wait_until(
    condition: Callable[[], Any], *, timeout: float = 20, what: str = "condition"
) -> Any:
    """Poll ``condition`` until it returns something truthy; fail naming ``what`` at ``timeout``.

    ``timeout`` is in seconds.
    """
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = condition()
        except Exception as e:  # the page may be mid-render; keep polling
            last_error = e
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(
        f"timed out waiting for {what}" + (f" ({last_error})" if last_error else "")
    )


_TRACES_JS = """
const el = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!el || !el._fullData) { return null; }
return JSON.stringify(el._fullData.map(t => ({
    name: t.name,
    x: Array.from(t.x || []).map(String),
    y: Array.from(t.y || []),
})));
"""


def graph_traces(driver: Any, graph_id: str) -> list[dict[str, Any]] | None:
    """The traces plotted in a dcc.Graph as plotly.js holds them (name, x as strings, y)."""
    raw = driver.execute_script(_TRACES_JS, graph_id)
    return None if raw is None else list(json.loads(raw))


def trace_named(traces: list[dict[str, Any]] | None, prefix: str) -> list[dict[str, Any]]:
    return [t for t in traces or [] if str(t.get("name", "")).startswith(prefix)]


_TICKS_JS = """
const el = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
if (!el) { return null; }
const out = {};
for (const axis of ['x', 'x2', 'x3']) {
    out[axis] = Array.from(el.querySelectorAll('.' + axis + 'tick text')).map(t => t.textContent);
}
return JSON.stringify(out);
"""


def x_tick_labels(driver: Any, graph_id: str) -> dict[str, list[str]]:
    """The tick labels plotly drew on each x axis (x, x2, x3) of a dcc.Graph."""
    raw = driver.execute_script(_TICKS_JS, graph_id)
    return {} if raw is None else dict(json.loads(raw))


def console_errors(driver: Any) -> list[str]:
    """Severe browser console messages since the last call (failed requests, script errors)."""
    return [e["message"] for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


@contextmanager
def phone_screen(driver: Any, *, width: int = 390, height: int = 844) -> Iterator[None]:
    """Emulate a phone's screen (CSS pixels, touch) for the duration of the block.

    Headless Chromium will not make a window narrower than 500 px, so the
    screen size is set through the DevTools protocol instead.
    """
    metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        yield
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
