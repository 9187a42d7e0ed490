"""The upload endpoint under hostile or careless clients.

Limits count the bytes actually read (a chunked request has no
Content-Length), chunks of one upload are written one at a time, abandoned
uploads expire, open uploads are capped, long names are a 400, and no
state-changing request is accepted from another site.
"""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from dashboards.app import create_app
from dashboards.upload import UploadArea, UploadRefused, _exclusive

SAME = {"Origin": "http://localhost"}  # Flask's test client talks to http://localhost
TOKEN = "c" * 32


def _headers(name: str = "run.fit", offset: int = 0, final: bool = False) -> dict[str, str]:
    return {
        **SAME,
        "X-Upload-Name": name,
        "X-Upload-Offset": str(offset),
        "X-Upload-Final": "1" if final else "0",
    }


@pytest.fixture
def app(tmp_path: Path):  # type: ignore[no-untyped-def]
    return create_app(f"sqlite:///{tmp_path / 'u.db'}", work_dir=tmp_path / "work")


def _part(tmp_path: Path, token: str = TOKEN, name: str = "run.fit") -> Path:
    return tmp_path / "work" / "uploads" / token / f"{name}.part"


def test_a_chunked_request_over_the_limit_is_refused_by_what_was_read(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A real server and a real ``Transfer-Encoding: chunked`` POST: no Content-Length to check."""
    import http.client
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_port
        headers = {**_headers(), "Origin": f"http://127.0.0.1:{port}"}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("POST", "/_loadwatch/upload/" + TOKEN, body=b"x" * 1000, headers=headers)
        assert conn.getresponse().read() and True

        def body():  # type: ignore[no-untyped-def]
            for _ in range(20):  # 20 MiB in 1 MiB pieces, more than one 16 MiB chunk
                yield b"y" * (1 << 20)

        headers["X-Upload-Offset"] = "1000"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request(
            "POST",
            "/_loadwatch/upload/" + TOKEN,
            body=body(),
            headers=headers,
            encode_chunked=True,
        )
        response = conn.getresponse()
        assert response.status == 413
        assert b"chunk too large" in response.read()
    finally:
        server.shutdown()
    assert _part(tmp_path).read_bytes() == b"x" * 1000  # as it was before the refused chunk


def test_a_chunk_is_refused_while_another_of_the_same_upload_is_written(tmp_path: Path) -> None:
    area = UploadArea(tmp_path)
    folder = area.folder(TOKEN)
    folder.mkdir()
    with _exclusive(folder / ".lock"), pytest.raises(UploadRefused, match="another chunk") as err:
        area.receive_chunk(TOKEN, "run.fit", 0, False, io.BytesIO(b"abc").read)
    assert err.value.status == 409
    assert area.receive_chunk(TOKEN, "run.fit", 0, False, io.BytesIO(b"abc").read) == 3
    assert area.files(TOKEN) == []  # the lock file is not an uploaded file


def test_abandoned_uploads_expire_and_fresh_ones_stay(tmp_path: Path) -> None:
    area = UploadArea(tmp_path, expiry_s=3600)
    old, fresh = "d" * 32, "e" * 32
    area.receive_chunk(old, "a.fit", 0, True, io.BytesIO(b"1").read)
    area.receive_chunk(fresh, "b.fit", 0, False, io.BytesIO(b"2").read)
    long_ago = time.time() - 3700
    for p in [area.folder(old), *area.folder(old).iterdir()]:
        import os

        os.utime(p, (long_ago, long_ago))
    assert area.sweep() == 1
    assert not area.folder(old).exists() and area.folder(fresh).exists()


def test_open_uploads_and_their_bytes_are_capped(tmp_path: Path) -> None:
    area = UploadArea(tmp_path, max_open_uploads=2, max_open_bytes=10)
    area.receive_chunk("1" * 32, "a.fit", 0, False, io.BytesIO(b"12345").read)
    area.receive_chunk("2" * 32, "b.fit", 0, False, io.BytesIO(b"123").read)
    with pytest.raises(UploadRefused, match="too many uploads") as many:
        area.receive_chunk("3" * 32, "c.fit", 0, False, io.BytesIO(b"1").read)
    assert many.value.status == 429
    with pytest.raises(UploadRefused, match="upload space is full") as full:
        area.receive_chunk("1" * 32, "a.fit", 5, False, io.BytesIO(b"1").read, declared=3)
    assert full.value.status == 507


def test_a_very_long_file_name_is_a_400(app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    response = client.post(
        "/_loadwatch/upload/" + TOKEN, data=b"abc", headers=_headers(name="r" * 5000 + ".fit")
    )
    assert response.status_code == 400
    assert "file name longer than 255" in json.loads(response.data)["error"]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Referer": "http://evil.example/form.html"},
        {"Origin": "http://localhost.evil.example"},
        {},
    ],
)
def test_a_request_from_another_site_or_none_is_refused(
    app, tmp_path: Path, headers: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    upload = {k: v for k, v in _headers().items() if k != "Origin"}
    response = client.post(
        "/_loadwatch/upload/" + TOKEN, data=b"abc", headers={**upload, **headers}
    )
    assert response.status_code == 403
    assert not (tmp_path / "work" / "uploads" / TOKEN).exists()
    dash = client.post("/_dash-update-component", json={}, headers=headers)
    assert dash.status_code == 403


def test_the_pages_own_requests_pass(app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    client = app.server.test_client()
    url = "/_loadwatch/upload/" + TOKEN
    ok = client.post(url, data=b"abc", headers=_headers())
    assert ok.status_code == 200
    by_referer = {k: v for k, v in _headers(offset=3).items() if k != "Origin"}
    by_referer["Referer"] = "http://localhost/"
    assert client.post(url, data=b"d", headers=by_referer).status_code == 200
    assert client.get("/").status_code == 200  # reading needs no Origin


def test_trusted_origins_for_a_proxy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOADWATCH_TRUSTED_ORIGINS", "https://club.example")
    app = create_app(f"sqlite:///{tmp_path / 't.db'}", work_dir=tmp_path / "work")
    client = app.server.test_client()
    headers = {**_headers(), "Origin": "https://club.example"}
    assert client.post("/_loadwatch/upload/" + TOKEN, data=b"a", headers=headers).status_code == 200
