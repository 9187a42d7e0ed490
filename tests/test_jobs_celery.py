"""Background imports through a real Celery worker over a real Redis (tests/redisserver.py).

The browser's side is played over HTTP: the chunks of one zip go alternately to
two ``loadwatch serve`` processes (one database, one shared upload folder), the
import callback is started through one and its result collected through the
other, while a ``loadwatch worker`` process runs the import.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path
from typing import Any

import pytest
import requests

from dashboards import ids
from loadwatch.store import Store

ROOT = Path(__file__).resolve().parents[1]
ALEX = ROOT / "sample_activities" / "alex"
#: More files than the importer's pool threshold (16): outside a worker it would fork.
FILES = 18
CHUNK = 256 * 1024
TOKEN = "c0ffee" + "0" * 26
ATHLETE = "Alex"


def _start_times(paths: list[Path]) -> set[str]:
    """Each file's session start (UTC, to the second), as fitparse reads it."""
    import fitparse

    out = set()
    for path in paths:
        (session,) = fitparse.FitFile(str(path)).get_messages("session")
        out.add(session.get_value("start_time").strftime("%Y-%m-%d %H:%M:%S"))
    return out


@pytest.fixture
def club(tmp_path: Path, redis_db: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The settings a club server and its workers share, in this process's environment."""
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    env = {
        "LOADWATCH_BROKER_URL": redis_db,
        "LOADWATCH_UPLOAD_DIR": str(uploads),
        "LOADWATCH_DB": f"sqlite:///{tmp_path / 'club.db'}",
        "LOADWATCH_HOME": str(tmp_path / "home"),
        # one key for every web process: it signs sessions and the job handles
        # Dash gives the page, which any process must verify
        "LOADWATCH_SECRET_KEY": secrets.token_hex(16),
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    store = Store(env["LOADWATCH_DB"])
    store.add_athlete(ATHLETE)
    store.close()
    return env


@pytest.fixture
def worker(club: dict[str, Any], tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """``loadwatch worker`` in its own process (one pool process: a daemonic one)."""
    env = {**os.environ, **club, "PYTHONPATH": str(ROOT)}
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "loadwatch", "worker", "-c", "1", "--loglevel", "info"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def web(club: dict[str, Any], tmp_path: Path) -> Iterator[list[str]]:
    """Two ``loadwatch serve`` processes on one database and upload folder: their URLs."""
    env = {**os.environ, **club, "PYTHONPATH": str(ROOT)}
    ports = [_free_port(), _free_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "loadwatch", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(tmp_path / f"web{port}.log").open("wb"),
            start_new_session=True,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        deadline = time.monotonic() + 120
        for url, process in zip(urls, processes, strict=True):
            while True:
                assert process.poll() is None, "a web process stopped"
                assert time.monotonic() < deadline, "a web process did not start"
                try:
                    if requests.get(url + "/", timeout=5).status_code == 200:
                        break
                except requests.ConnectionError:
                    time.sleep(0.2)
        yield urls
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _origin(url: str) -> dict[str, str]:
    return {"Origin": url}


def _dash_config(url: str) -> dict[str, Any]:
    page = requests.get(url + "/", timeout=30).text
    found = re.search(r'<script id="_dash-config" type="application/json">(.*?)</script>', page)
    assert found, "no Dash config in the page"
    return dict(json.loads(found.group(1)))


def _import_body(url: str, upload: dict[str, Any]) -> dict[str, Any]:
    """The request the page sends when upload.js reports every chunk arrived."""
    spec = next(
        c
        for c in requests.get(url + "/_dash-dependencies", timeout=30).json()
        if c["inputs"] == [{"id": ids.UPLOAD_DONE, "property": "data"}]
    )
    key = spec["output"]
    outputs = [
        {"id": part.split(".")[0], "property": part.split(".", 1)[1]}
        for part in key.strip(".").split("...")
    ]
    values = {ids.SELECTED_ATHLETE: ATHLETE, ids.DATA_VERSION: 3}
    return {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": ids.UPLOAD_DONE, "property": "data", "value": upload}],
        "state": [{**s, "value": values[s["id"]]} for s in spec["state"]],
        "changedPropIds": [f"{ids.UPLOAD_DONE}.data"],
    }


def _background_call(
    start: str, poll: str, body: dict[str, Any], timeout_s: float = 120.0
) -> dict[str, Any]:
    """Start a background callback through ``start``; poll ``poll`` until it answers."""
    end_id = _dash_config(start).get("end_id")  # Dash >= 4 signs the job's handles
    query = {"endId": end_id} if end_id else {}
    first = requests.post(
        start + "/_dash-update-component",
        params=query,
        json=body,
        headers=_origin(start),
        timeout=30,
    )
    assert first.status_code in (200, 202), first.text
    handles = first.json()
    assert "cacheKey" in handles and "job" in handles, handles
    query.update(cacheKey=handles["cacheKey"], job=handles["job"])
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = requests.post(
            poll + "/_dash-update-component",
            params=query,
            json=body,
            headers=_origin(poll),
            timeout=30,
        )
        assert answer.status_code in (200, 202, 204), answer.text
        if answer.status_code == 200 and answer.content:
            payload = answer.json()
            if "response" in payload:
                return dict(payload["response"])
        time.sleep(0.2)
    raise AssertionError("the background import did not finish in time")


@pytest.mark.slow
def test_a_multi_chunk_zip_through_two_web_processes_and_a_celery_worker(
    club: dict[str, Any], worker: subprocess.Popen[bytes], web: list[str], tmp_path: Path
) -> None:
    files = sorted(ALEX.glob("*.fit"))[:FILES]
    archive = tmp_path / "watch.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_STORED) as z:
        for f in files:
            z.write(f, f.name)
    payload = archive.read_bytes()
    assert len(payload) > 3 * CHUNK  # several chunks, so both processes take some

    for n, offset in enumerate(range(0, len(payload), CHUNK)):
        target = web[n % 2]  # consecutive chunks to different processes
        response = requests.post(
            f"{target}/_loadwatch/upload/{TOKEN}",
            data=payload[offset : offset + CHUNK],
            headers={
                **_origin(target),
                "X-Upload-Offset": str(offset),
                "X-Upload-Name": "watch.zip",
                "X-Upload-Final": "1" if offset + CHUNK >= len(payload) else "0",
            },
            timeout=30,
        )
        assert response.status_code == 200, (n, response.text)

    upload = {"token": TOKEN, "files": ["watch.zip"], "bytes": len(payload), "at": 1}
    response = _background_call(web[0], web[1], _import_body(web[0], upload))
    assert worker.poll() is None, "the worker stopped"
    summary = json.dumps(response[ids.IMPORT_SUMMARY])
    assert f"{FILES} new activit" in summary, summary
    assert response[ids.DATA_VERSION]["data"] == 4
    assert not (Path(club["LOADWATCH_UPLOAD_DIR"]) / TOKEN).exists()  # deleted once imported

    # the runs are in the database, as fitparse dates them
    store = Store(club["LOADWATCH_DB"])
    try:
        frame = store.activities_frame(ATHLETE)
    finally:
        store.close()
    starts = {t.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") for t in frame["start_utc"]}
    assert starts == _start_times(files)
    # the worker logs jobs by id: no athlete, no file name
    log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "received" in log and ATHLETE not in log and "watch.zip" not in log


def test_a_job_goes_through_the_broker_without_the_request_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboards.app import CeleryJobs, background_jobs

    monkeypatch.setenv("LOADWATCH_BROKER_URL", "redis://127.0.0.1:1/0")  # never reached
    monkeypatch.setenv("LOADWATCH_UPLOAD_DIR", str(tmp_path / "shared"))
    _, manager = background_jobs(tmp_path / "work")
    assert isinstance(manager, CeleryJobs)
    sent: list[Any] = []

    class Task:
        def delay(self, *args: Any) -> Any:
            sent.append(args)
            return type("Result", (), {"task_id": "t1"})()

    headers = {
        "Cookie": "session=abc",
        "Authorization": "Basic Y29hY2g6czNjcmV0",
        "X-Loadwatch-Actor": "accounts:coach",
        "Origin": "http://localhost",
    }
    context = {"headers": headers, "inputs_list": []}
    assert manager.call_job_fn("k", Task(), [1], context) == "t1"
    (args,) = sent
    assert args[3]["headers"] == {
        "X-Loadwatch-Actor": "accounts:coach",
        "Origin": "http://localhost",
    }
    assert args[3]["inputs_list"] == [] and args[2] == [1]
    assert context["headers"]["Cookie"] == "session=abc"  # the request's own is untouched


def test_with_a_broker_the_dashboard_needs_a_shared_upload_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dashboards.app import create_app
    from loadwatch.errors import LoadwatchError

    monkeypatch.setenv("LOADWATCH_BROKER_URL", "redis://127.0.0.1:1/0")
    monkeypatch.delenv("LOADWATCH_UPLOAD_DIR", raising=False)
    with pytest.raises(LoadwatchError) as caught:
        create_app(f"sqlite:///{tmp_path / 'x.db'}", work_dir=tmp_path / "w")
    assert "LOADWATCH_UPLOAD_DIR" in str(caught.value)


def test_without_a_broker_imports_stay_in_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dash

    from dashboards.app import background_jobs

    monkeypatch.delenv("LOADWATCH_BROKER_URL", raising=False)
    monkeypatch.setenv("LOADWATCH_UPLOAD_DIR", str(tmp_path / "shared"))
    area, manager = background_jobs(tmp_path / "work")
    assert isinstance(manager, dash.DiskcacheManager)
    assert area.root == tmp_path / "shared"


# ------------------------------------------------------- the daemonic importer
def _import_in(folder: str, url: str, out: Any) -> None:
    from loadwatch.importer import can_start_workers, import_paths

    store = Store(url)
    try:
        report = import_paths(store, [folder], athlete=ATHLETE, workers=2)
        out.put((can_start_workers(), report.imported, report.activities_added, report.errors))
    except BaseException as e:  # the test reads what went wrong
        out.put(("failed", repr(e)))
    finally:
        store.close()


def test_the_importer_decodes_in_process_inside_a_daemonic_process(tmp_path: Path) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    files = sorted(ALEX.glob("*.fit"))[:FILES]
    for f in files:
        (folder / f.name).write_bytes(f.read_bytes())
    url = f"sqlite:///{tmp_path / 'd.db'}"
    Store(url).close()
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    child = context.Process(target=_import_in, args=(str(folder), url, out), daemon=True)
    child.start()
    result = out.get(timeout=180)
    child.join(timeout=30)
    assert result == (False, FILES, FILES, [])
    store = Store(url)
    try:
        assert len(store.activity_rows(ATHLETE)) == FILES
    finally:
        store.close()
