"""Background jobs for a club server: Celery workers with Redis as broker and result store.

Without a broker URL loadwatch runs its background work (dashboard imports)
in processes of its own, as a single-user install always has. With one
(:class:`~loadwatch.settings.Settings` ``broker_url``: ``LOADWATCH_BROKER_URL``
or the config file, e.g. ``redis://127.0.0.1:6379/0``) the dashboard
hands imports to Celery workers (``loadwatch worker``) through Redis, and the
computed per-athlete state is shared through the same Redis.

A job never carries the uploaded bytes: the browser's chunks land in the
upload folder (``upload_dir``, ``LOADWATCH_UPLOAD_DIR``), which every web process and every
worker must be able to read (one machine's folder, or a shared volume), and
the job names the upload by its random token.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from loadwatch.errors import LoadwatchError
from loadwatch.settings import ENV, Settings

if TYPE_CHECKING:
    from celery import Celery

BROKER_ENV = ENV["broker_url"]
UPLOAD_DIR_ENV = ENV["upload_dir"]
#: Results (an import's summary) not collected within this time are dropped, seconds.
RESULT_EXPIRY_S = 24 * 3600


def shared_upload_dir(settings: Settings) -> Path | None:
    """The upload folder to use; with a broker one must be configured (a worker cannot
    read a web process's private temporary folder)."""
    if settings.broker_url and settings.upload_dir is None:
        raise LoadwatchError(
            f"{BROKER_ENV} is set but {UPLOAD_DIR_ENV} is not: background imports need an "
            "upload folder that the web processes and the workers all read "
            f"(e.g. {UPLOAD_DIR_ENV}=/srv/loadwatch/uploads, or upload_dir in the "
            "config file's [server] table)"
        )
    return settings.upload_dir


def celery_app(url: str) -> Celery:
    """A Celery app using the Redis at ``url`` as broker and result store.

    Tasks are sent as JSON (never pickle): a job's arguments are an upload token,
    an athlete name and a counter. Each worker process takes one job at a time,
    so a long import does not hold others back behind it.
    """
    try:
        from celery import Celery
    except ImportError as e:
        raise LoadwatchError(
            f"{BROKER_ENV} is set but Celery is not installed: pip install 'loadwatch[server]'"
        ) from e
    app = Celery("loadwatch", broker=url, backend=url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_expires=RESULT_EXPIRY_S,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    return app


def run_worker(app: Celery, *, concurrency: int | None = None, loglevel: str = "info") -> None:
    """Run a Celery worker for ``app`` in this process until it is stopped."""
    argv: list[str] = ["worker", f"--loglevel={loglevel}"]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    app.worker_main(argv)


def describe(url: str) -> str:
    """A broker URL without its password, for messages."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"
