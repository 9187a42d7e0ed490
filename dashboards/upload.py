"""Chunked upload to disk, then the same import code as the CLI.

The browser (``assets/upload.js``) POSTs each file in chunks of a few MiB to
``/_loadwatch/upload/<token>``; every chunk is streamed straight onto the end
of a file in a per-upload folder, so neither the page nor the server ever
holds a whole archive in memory. When the last chunk of the last file has
arrived, a background callback hands the folder to
:func:`loadwatch.importer.import_paths` and deletes it afterwards.

The token is random and the athlete is never part of the URL: the athlete
comes from the page's state in the callback, not from the request path.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from flask import Flask, Response, jsonify, request
from werkzeug.utils import secure_filename

from loadwatch.errors import ValidationError

#: URL prefix of the chunk endpoint (relative to the app's path prefix).
UPLOAD_ROUTE = "/_loadwatch/upload/"
#: Largest chunk the endpoint accepts, bytes (the page sends 4 MiB).
MAX_CHUNK_BYTES = 16 * 1024 * 1024
#: Largest total upload, bytes (a Garmin export of many years is a few GB).
MAX_UPLOAD_BYTES = 20 * 1024**3
_TOKEN = re.compile(r"^[0-9a-f]{32}$")
_COPY_BYTES = 1 << 20


class UploadArea:
    """A folder holding one sub-folder per upload token."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or Path(tempfile.mkdtemp(prefix="loadwatch-upload-"))
        self.root.mkdir(parents=True, exist_ok=True)

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
        return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".part")

    def discard(self, token: str) -> None:
        shutil.rmtree(self.folder(token), ignore_errors=True)

    def receive_chunk(
        self, token: str, name: str, offset: int, final: bool, read: Callable[[int], bytes]
    ) -> int:
        """Append one chunk (streamed through ``read``) at ``offset``; return the bytes so far.

        Chunks must arrive in order: a chunk whose offset is not the current
        length of the partial file is refused, so a retried or reordered chunk
        cannot leave a hole or a doubled block in the archive.
        """
        safe = secure_filename(name) or "upload.bin"
        folder = self.folder(token)
        folder.mkdir(exist_ok=True)
        part = folder / f"{safe}.part"
        have = part.stat().st_size if part.exists() else 0
        if offset != have:
            raise ValidationError(f"chunk at byte {offset} does not follow byte {have}")
        written = have
        with part.open("ab") as out:
            while block := read(_COPY_BYTES):
                written += len(block)
                if written > MAX_UPLOAD_BYTES:
                    raise ValidationError("upload larger than the limit")
                out.write(block)
        if final:
            part.replace(folder / safe)
        return written


def install_upload_route(server: Flask, area: UploadArea) -> None:
    """Register the chunk endpoint on the Dash app's Flask server."""

    def receive(token: str) -> Response | tuple[Any, int]:
        length = request.content_length
        if length is not None and length > MAX_CHUNK_BYTES:
            return jsonify(error="chunk too large"), 413
        try:
            offset = int(request.headers.get("X-Upload-Offset", "0"))
            name = unquote(request.headers.get("X-Upload-Name", ""))
            final = request.headers.get("X-Upload-Final") == "1"
            received = area.receive_chunk(token, name, offset, final, request.stream.read)
        except ValueError:
            return jsonify(error="bad offset"), 400
        except ValidationError as e:
            return jsonify(error=str(e)), 409
        return jsonify(received=received)

    server.add_url_rule(f"{UPLOAD_ROUTE}<token>", "loadwatch_upload", receive, methods=["POST"])
