"""The Dash app factory.

``create_app`` builds the app without touching the database: the store is
opened on the first request that needs it. Health data never goes into a URL
(the selected athlete lives in a ``dcc.Store`` in the page) and the server's
request log is silenced, so it cannot leak into log files either.
"""

from __future__ import annotations

import logging
import tempfile
import traceback
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

import dash
import diskcache
from werkzeug.exceptions import HTTPException

from dashboards import callbacks, layout
from dashboards.auth import install_basic_auth
from dashboards.data import DashboardData
from dashboards.upload import (
    UPLOAD_ROUTE,
    UploadArea,
    install_origin_check,
    install_upload_route,
)
from loadwatch.errors import LoadwatchError
from loadwatch.jobs import BROKER_ENV, celery_app, shared_upload_dir
from loadwatch.settings import Settings

ASSETS = Path(__file__).with_name("assets")


LOG = logging.getLogger("loadwatch.dashboard")


def quiet_request_log() -> None:
    """Drop werkzeug's per-request lines (method, path, status): they are not needed."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def log_without_data(error: Exception) -> Any:
    """Log an unexpected error by type and place only: its message may name an athlete."""
    if isinstance(error, HTTPException):
        return error
    where = traceback.extract_tb(error.__traceback__)[-1] if error.__traceback__ else None
    place = f"{Path(where.filename).name}:{where.lineno}" if where else "?"
    LOG.error(
        "internal error %s at %s (message withheld from the log)", type(error).__name__, place
    )
    return "Internal error: see the server log.", 500


#: Request headers that carry credentials: never sent through the broker with a job.
CREDENTIAL_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie"})


def without_credentials(context: Any) -> Any:
    """A background job's callback context without the request's credentials.

    Dash hands a job the headers of the request that started it; through Celery
    they travel in a Redis message, where a session cookie or a basic-auth
    password has no business (a Redis may write its data to disk).
    """
    if not isinstance(context, dict) or not isinstance(context.get("headers"), dict):
        return context
    headers = {k: v for k, v in context["headers"].items() if k.lower() not in CREDENTIAL_HEADERS}
    return {**context, "headers": headers}


class CeleryJobs(dash.CeleryManager):
    """Dash's ``CeleryManager``, sending jobs without the request's credentials."""

    def call_job_fn(self, key: Any, job_fn: Any, args: Any, context: Any) -> Any:
        return super().call_job_fn(key, job_fn, args, without_credentials(context))


def background_jobs(work: Path, settings: Settings | None = None) -> tuple[UploadArea, Any]:
    """The upload area and Dash's background-callback manager, as configured.

    With a broker URL: Dash's ``CeleryManager`` over it (imports run in
    ``loadwatch worker`` processes) and uploads in the configured shared upload
    folder, so any web process can take any chunk and any worker can read the
    upload. Without: ``DiskcacheManager`` in ``work`` (imports in a child process
    of this one) and uploads in the upload folder if one is configured, else in
    ``work``.
    """
    settings = settings or Settings.load()
    folder = shared_upload_dir(settings)
    area = UploadArea(folder or work / "uploads")
    if settings.broker_url:
        return area, CeleryJobs(celery_app(settings.broker_url))
    return area, dash.DiskcacheManager(diskcache.Cache(str(work / "jobs")))


def worker_jobs(settings: Settings) -> Any:
    """The Celery app of ``loadwatch worker``: the dashboard's import callback as its task.

    The callback is registered on a Dash app that is never served, with the
    same id and code as the dashboard's, so the task name the dashboard sends
    is the one registered here.
    """
    if not settings.broker_url:
        raise LoadwatchError(
            f"no broker configured: set {BROKER_ENV} (e.g. redis://127.0.0.1:6379/0) "
            "or broker_url in the config file's [server] table"
        )
    area = UploadArea(shared_upload_dir(settings))
    manager = CeleryJobs(celery_app(settings.broker_url))
    app = dash.Dash(__name__, assets_folder=str(ASSETS), background_callback_manager=manager)
    callbacks.register_import(app, settings.db_url, area, background=manager)
    return manager.handle


def create_app(
    store_url: str,
    *,
    auth: Mapping[str, str] | None = None,
    work_dir: Path | None = None,
    as_of: date | None = None,
) -> dash.Dash:
    """The loadwatch dashboard over the store at ``store_url``.

    ``auth`` maps user names to passwords (or werkzeug password hashes); when
    given, every request needs HTTP basic auth. ``work_dir`` holds uploads in
    progress and the background-callback cache (a new temporary folder when None)
    unless a broker and an upload folder are configured (see :func:`background_jobs`).
    ``as_of``: the date the views describe (default: today).
    """
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="loadwatch-dash-"))
    area, background = background_jobs(work)
    app = dash.Dash(
        __name__,
        title="loadwatch",
        assets_folder=str(ASSETS),
        serve_locally=True,
        update_title="",  # keep the tab title still while callbacks run
        suppress_callback_exceptions=False,
        background_callback_manager=background,
    )
    upload_url = app.get_relative_path(UPLOAD_ROUTE)
    app.layout = lambda: layout.page(upload_url)
    data = DashboardData(store_url, as_of=as_of)
    callbacks.register(app, data, area, background=background)
    install_upload_route(app.server, area)
    app.server.register_error_handler(Exception, log_without_data)
    if auth:
        install_basic_auth(app.server, auth)
    install_origin_check(app.server)  # after auth: an unauthenticated request gets its 401
    quiet_request_log()
    app.server.config["LOADWATCH_DATA"] = data
    app.server.config["LOADWATCH_BACKGROUND"] = background  # Dash's background manager
    return app
