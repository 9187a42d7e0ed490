"""Chunked upload to disk, then the same import code as the CLI.

The browser (``assets/upload.js``) POSTs each file in chunks of a few MiB to
``/_loadwatch/upload/<token>``; every chunk is streamed straight onto the end
of a file in a per-upload folder, so neither the page nor the server ever
holds a whole archive in memory. When the last chunk of the last file has
arrived, a background callback hands the folder to
:func:`loadwatch.importer.import_paths` and deletes it afterwards.

The token is random and the athlete is never part of the URL: the athlete
comes from the page's state in the callback, not from the request path.

What a client can make the server do is bounded (each limit is an argument of
:class:`UploadArea`; defaults below):

- a chunk is counted as it is read, whatever ``Content-Length`` or
  ``Transfer-Encoding`` says, and refused (413) past ``MAX_CHUNK_BYTES``,
  leaving the partial file as it was before the chunk;
- one upload is at most ``MAX_UPLOAD_BYTES``; at most ``MAX_OPEN_UPLOADS``
  uploads and ``MAX_OPEN_BYTES`` in all wait on disk (429 / 507 beyond);
- chunks of one upload are written one at a time (a per-upload lock file), so
  concurrent retries cannot double a block;
- an upload untouched for ``EXPIRY_S`` (an hour) is deleted (checked when the
  area is opened and at most once a minute while chunks arrive); an imported
  one is deleted by the import;
- a file name longer than ``MAX_NAME_CHARS`` is a 400.

Every state-changing request to the dashboard (POST, PUT, PATCH, DELETE) must
come from the dashboard's own page: :func:`install_origin_check` refuses (403)
a request whose ``Origin`` (or, without one, ``Referer``) names another site,
or that names none, on loopback too. ``LOADWATCH_TRUSTED_ORIGINS`` lists extra
origins (comma-separated, e.g. ``https://club.example``) for a proxy that
rewrites the Host header.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from flask import Flask, Response, jsonify, request
from werkzeug.utils import secure_filename

from loadwatch.errors import ValidationError

#: URL prefix of the chunk endpoint (relative to the app's path prefix).
UPLOAD_ROUTE = "/_loadwatch/upload/"
#: Largest chunk the endpoint accepts, bytes actually read (the page sends 4 MiB).
MAX_CHUNK_BYTES = 16 * 1024 * 1024
#: Largest total upload, bytes (a Garmin export of many years is a few GB).
MAX_UPLOAD_BYTES = 20 * 1024**3
#: Uploads waiting on disk at once, and their bytes together.
MAX_OPEN_UPLOADS = 20
MAX_OPEN_BYTES = 40 * 1024**3
#: An upload untouched for this long is abandoned and deleted, seconds.
EXPIRY_S = 3600.0
#: Longest file name accepted, characters (most file systems stop at 255 bytes).
MAX_NAME_CHARS = 255
TRUSTED_ORIGINS_ENV = "LOADWATCH_TRUSTED_ORIGINS"
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_COPY_BYTES = 1 << 20
_LOCK_NAME = ".lock"
_SWEEP_EVERY_S = 60.0
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class UploadRefused(ValidationError):
    """A chunk the server will not take; ``status`` is the HTTP status to answer with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class UploadArea:
    """A folder holding one sub-folder per upload token."""

    def __init__(
        self,
        root: Path | None = None,
        *,
        max_chunk_bytes: int = MAX_CHUNK_BYTES,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
        max_open_uploads: int = MAX_OPEN_UPLOADS,
        max_open_bytes: int = MAX_OPEN_BYTES,
        expiry_s: float = EXPIRY_S,
    ) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="loadwatch-upload-"))
        self.root.mkdir(parents=True, exist_ok=True)
        self.max_chunk_bytes = max_chunk_bytes
        self.max_upload_bytes = max_upload_bytes
        self.max_open_uploads = max_open_uploads
        self.max_open_bytes = max_open_bytes
        self.expiry_s = expiry_s
        self._last_sweep = 0.0
        self.sweep()  # what an earlier server left behind

    def folder(self, token: str) -> Path:
        """The folder of one upload; the token must be 32 lowercase hex digits."""
        if not _TOKEN.match(token):
            raise ValidationError("malformed upload token")
        return self.root / token

    def files(self, token: str) -> list[Path]:
        """Completed files of an upload (partial ``.part`` files are left out)."""
        folder = self.folder(token)
        if not folder.is_dir():
            return []
        return sorted(
            p
            for p in folder.iterdir()
            if p.is_file() and p.suffix != ".part" and not p.name.startswith(".")
        )

    def discard(self, token: str) -> None:
        shutil.rmtree(self.folder(token), ignore_errors=True)

    # ------------------------------------------------------------ bookkeeping
    def _uploads(self) -> Iterator[tuple[Path, float, int]]:
        """(folder, last change, bytes) of every upload on disk."""
        for folder in self.root.iterdir():
            if not folder.is_dir() or not _TOKEN.match(folder.name):
                continue
            last, size = _stat(folder)
            for p in folder.iterdir():
                changed, n = _stat(p)
                last, size = max(last, changed), size + n
            yield folder, last, size

    def sweep(self, now: float | None = None) -> int:
        """Delete uploads untouched for longer than the expiry; returns how many."""
        now = time.time() if now is None else now
        self._last_sweep = now
        expired = [f for f, last, _ in self._uploads() if now - last > self.expiry_s]
        for folder in expired:
            shutil.rmtree(folder, ignore_errors=True)
        return len(expired)

    def _check_room(self, folder: Path, incoming: int) -> None:
        """Refuse a new upload past the open-upload cap, any chunk past the bytes cap."""
        now = time.time()
        if now - self._last_sweep > _SWEEP_EVERY_S:
            self.sweep(now)
        uploads = list(self._uploads())
        if not folder.exists() and len(uploads) >= self.max_open_uploads:
            raise UploadRefused(
                f"too many uploads in progress ({len(uploads)}); try again later", 429
            )
        if sum(size for _, _, size in uploads) + incoming > self.max_open_bytes:
            raise UploadRefused("the server's upload space is full; try again later", 507)

    # ---------------------------------------------------------------- writing
    def receive_chunk(
        self,
        token: str,
        name: str,
        offset: int,
        final: bool,
        read: Callable[[int], bytes],
        declared: int = 0,
    ) -> int:
        """Append one chunk (streamed through ``read``) at ``offset``; return the bytes so far.

        Chunks must arrive in order: a chunk whose offset is not the current
        length of the partial file is refused, so a retried or reordered chunk
        cannot leave a hole or a doubled block in the archive. Bytes are counted
        as they are read; a chunk over a limit is cut off again whole.
        """
        if len(name) > MAX_NAME_CHARS:
            raise UploadRefused(f"file name longer than {MAX_NAME_CHARS} characters", 400)
        safe = secure_filename(name)[:MAX_NAME_CHARS] or "upload.bin"
        folder = self.folder(token)
        self._check_room(folder, declared)
        folder.mkdir(exist_ok=True)
        part = folder / f"{safe}.part"
        with _exclusive(folder / _LOCK_NAME):
            have = part.stat().st_size if part.exists() else 0
            if offset != have:
                raise UploadRefused(f"chunk at byte {offset} does not follow byte {have}", 409)
            written = have
            try:
                with part.open("ab") as out:
                    while block := read(_COPY_BYTES):
                        written += len(block)
                        if written - have > self.max_chunk_bytes:
                            raise UploadRefused("chunk too large", 413)
                        if written > self.max_upload_bytes:
                            raise UploadRefused("upload larger than the limit", 413)
                        out.write(block)
            except BaseException:
                # nothing of a refused or broken chunk stays: the file is as before it
                with part.open("r+b") as out:
                    out.truncate(have)
                raise
            if final:
                part.replace(folder / safe)
        return written


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold the upload's lock file, or refuse at once: another chunk is being written."""
    try:
        import fcntl
    except ImportError:  # no fcntl (Windows): the in-order offset check still applies
        yield
        return
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadRefused("another chunk of this upload is being written", 409) from None
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _stat(p: Path) -> tuple[float, int]:
    try:
        st = p.stat()
    except OSError:
        return 0.0, 0
    return st.st_mtime, (st.st_size if p.is_file() else 0)


def install_upload_route(server: Flask, area: UploadArea) -> None:
    """Register the chunk endpoint on the Dash app's Flask server."""

    def receive(token: str) -> Response | tuple[Any, int]:
        length = request.content_length
        if length is not None and length > area.max_chunk_bytes:
            return jsonify(error="chunk too large"), 413
        try:
            offset = int(request.headers.get("X-Upload-Offset", "0"))
            name = unquote(request.headers.get("X-Upload-Name", ""))
            final = request.headers.get("X-Upload-Final") == "1"
            received = area.receive_chunk(
                token, name, offset, final, request.stream.read, length or 0
            )
        except ValueError:
            return jsonify(error="bad offset"), 400
        except UploadRefused as e:
            return jsonify(error=str(e)), e.status
        except ValidationError as e:
            return jsonify(error=str(e)), 409
        return jsonify(received=received)

    server.add_url_rule(f"{UPLOAD_ROUTE}<token>", "loadwatch_upload", receive, methods=["POST"])


def _netloc(url: str) -> str:
    """``https://club.example:443/x`` -> ``club.example``; default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return ""
    default = {"http": 80, "https": 443}.get(parts.scheme)
    return host if port is None or port == default else f"{host}:{port}"


def install_origin_check(server: Flask) -> None:
    """Refuse (403) state-changing requests that do not come from the dashboard's own page.

    The request's ``Origin`` (or ``Referer``) must name the host the request was
    sent to, or one of ``LOADWATCH_TRUSTED_ORIGINS``. Browsers send ``Origin``
    with every POST, so the dashboard's own page always passes; a form on
    another site, or a script elsewhere, does not. Register it after any
    authentication, so that an unauthenticated request still gets its 401.
    """
    trusted = {
        _netloc(o.strip()) for o in os.environ.get(TRUSTED_ORIGINS_ENV, "").split(",") if o.strip()
    }

    def _same_origin_only() -> Response | None:
        if request.method not in _STATE_CHANGING:
            return None
        claimed = request.headers.get("Origin") or request.headers.get("Referer") or ""
        here = _netloc(f"{request.scheme}://{request.host}")
        source = _netloc(claimed) if claimed != "null" else ""
        if source and (source == here or source in trusted):
            return None
        return Response(
            "Refused: this request did not come from the loadwatch page.\n",
            status=403,
            mimetype="text/plain",
        )

    server.before_request(_same_origin_only)
