"""``loadwatch demo`` starts serving while the samples are imported, and no request
that reads data sees the store before they are in."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from browser_support import REPO, cli_server, free_port
from flask import Flask

from loadwatch.cli.serve import _hold_data_requests

SAMPLES = Path(os.environ.get("LOADWATCH_SAMPLES") or REPO / "sample_activities")


def _expected() -> dict[str, Any]:
    return dict(json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8")))


def _get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as r:
        return json.loads(r.read())


@pytest.mark.slow
def test_first_data_request_waits_for_every_sample(tmp_path: Path) -> None:
    expected = _expected()
    athletes: dict[str, Any] = expected["athletes"]
    port = free_port()
    log = tmp_path / "demo.log"
    args = ["demo", "--no-browser", "--port", str(port), "--db", str(tmp_path / "d.db")]
    with cli_server(args, port=port, log=log):
        base = f"http://127.0.0.1:{port}"
        # asked as soon as the page answers: the samples may still be going in
        listed = _get(f"{base}/api/v1/athletes")
        assert sorted(a["name"] for a in listed) == sorted(i["name"] for i in athletes.values())
        name = next(iter(athletes.values()))["name"]
        runs = _get(f"{base}/api/v1/athletes/{quote(name)}/activities")
        assert len(runs) == len(next(iter(athletes.values()))["runs"])
        text = log.read_text(encoding="utf-8")
    assert f"as of their last day, {date.fromisoformat(str(expected['last_day']))}" in text
    assert text.index("loadwatch dashboard on") < text.index("Demo data ready")
    # the samples ship with loadwatch: no copies of them beside the store
    assert not (tmp_path / "originals").exists()


def test_page_answers_at_once_and_data_requests_wait() -> None:
    server = Flask(__name__)
    for rule in (
        "/",
        "/_dash-layout",
        "/assets/x.css",
        "/api/v1/athletes",
        "/_dash-update-component",
    ):
        server.add_url_rule(rule, rule, lambda: "ok", methods=["GET", "POST"])
    ready = threading.Event()
    _hold_data_requests(server, ready)
    client = server.test_client()
    for path in ("/", "/_dash-layout", "/assets/x.css"):
        assert client.get(path).status_code == 200, path
    answered: list[int] = []
    waiting = [
        threading.Thread(target=lambda p=p: answered.append(client.post(p).status_code))
        for p in ("/api/v1/athletes", "/_dash-update-component")
    ]
    for thread in waiting:
        thread.start()
    time.sleep(0.3)
    assert answered == []  # held until the data is in
    ready.set()
    for thread in waiting:
        thread.join(10)
    assert answered == [200, 200]


def test_missing_samples_are_refused_before_serving(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOADWATCH_SAMPLES": str(tmp_path)}
    args = ["demo", "--no-browser", "--port", str(free_port()), "--db", str(tmp_path / "d.db")]
    done = subprocess.run(
        [sys.executable, "-m", "loadwatch", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "the sample activities are missing" in done.stderr
    assert "dashboard on" not in done.stdout


@pytest.mark.slow
def test_a_failing_sample_import_stops_the_server(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    samples.mkdir()
    # an athlete without a name: the import fails in the helper process
    (samples / "expected.json").write_text('{"athletes": {"x": {"folder": "x"}}}')
    env = {**os.environ, "PYTHONPATH": str(REPO), "LOADWATCH_SAMPLES": str(samples)}
    args = ["demo", "--no-browser", "--port", str(free_port()), "--db", str(tmp_path / "d.db")]
    done = subprocess.run(
        [sys.executable, "-m", "loadwatch", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "KeyError: 'name'" in done.stderr


def test_dash_is_loaded_without_notebook_support_and_ipython_stays_importable() -> None:
    code = (
        "import importlib.util, sys\n"
        "from loadwatch.cli.serve import _without_notebook_support\n"
        "with _without_notebook_support():\n"
        "    import dashboards.app\n"
        "print('IPython' in sys.modules, 'IPython' in sys.modules and sys.modules['IPython'])\n"
        "if importlib.util.find_spec('IPython'):\n"
        "    import IPython\n"
        "    print(IPython.__name__)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.splitlines()
    assert out[0] == "False False"
    assert out[1:] in ([], ["IPython"])


def test_loading_pauses_the_collector_and_freezes_what_was_loaded() -> None:
    code = (
        "import gc\n"
        "from loadwatch.cli.serve import _loading\n"
        "with _loading():\n"
        "    paused = not gc.isenabled()\n"
        "    import dashboards.layout\n"
        "print(paused, gc.isenabled(), gc.get_freeze_count() > 10000)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    assert out.split() == ["True", "True", "True"]


def test_loading_that_fails_freezes_nothing_and_collects_again() -> None:
    from loadwatch.cli.serve import _loading

    frozen = gc.get_freeze_count()
    with pytest.raises(ValueError), _loading():
        assert not gc.isenabled()
        raise ValueError("refused")
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
