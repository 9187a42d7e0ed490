"""A small HTTP server on 127.0.0.1 for tests: serves files, records what is POSTed.

Tests use it as a calendar feed (GET ``files[path]``) and as a JSON webhook
(every POST is kept in ``posts`` with its path and parsed JSON body). It
listens on the loopback address only, on a port the system picks.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class LocalServer:
    port: int
    files: dict[str, bytes] = field(default_factory=dict)
    posts: list[tuple[str, Any]] = field(default_factory=list)
    #: status to answer POSTs with (to test failed deliveries)
    post_status: int = 200

    def messages(self) -> list[str]:
        return [body["message"] for _, body in self.posts]


@contextmanager
def local_server() -> Iterator[LocalServer]:
    """Run the server for the duration of a ``with`` block."""
    state = LocalServer(0)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            with lock:
                body = state.files.get(self.path)
            if body is None:
                self.send_response(404)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            with lock:
                state.posts.append((self.path, json.loads(raw)))
                status = state.post_status
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
