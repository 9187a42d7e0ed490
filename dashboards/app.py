"""The Dash app factory.

``create_app`` builds the app without touching the database: the store is
opened on the first request that needs it. Health data never goes into a URL
(the selected athlete lives in a ``dcc.Store`` in the page) and the server's
request log is silenced, so it cannot leak into log files either.

``create_app`` also applies the authentication (:mod:`dashboards.auth`,
:mod:`dashboards.login`), the security headers (:mod:`dashboards.security`) and
the Origin check, so ``loadwatch serve``, ``loadwatch demo`` and the WSGI
module (:mod:`dashboards.wsgi`) serve the same app in the same way.
"""

from __future__ import annotations

import logging
import tempfile
import traceback
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any, cast

import dash
import diskcache
from flask import Flask
from werkzeug.exceptions import HTTPException

from dashboards import callbacks, layout
from dashboards.api import install_api
from dashboards.auth import (
    AuthPlan,
    install_basic_auth,
    install_loopback_only,
    install_upload_owner,
    load_credentials,
    request_scope,
    resolve_auth,
)
from dashboards.data import DashboardData
from dashboards.login import LOGOUT_ROUTE, account_bar, install_login
from dashboards.security import install_security_headers
from dashboards.upload import (
    UPLOAD_ROUTE,
    UploadArea,
    install_origin_check,
    install_upload_route,
)
from loadwatch.accounts import Accounts
from loadwatch.errors import LoadwatchError
from loadwatch.jobs import BROKER_ENV, celery_app, shared_upload_dir
from loadwatch.settings import Settings

ASSETS = Path(__file__).with_name("assets")
#: The endpoint :func:`install_upload_route` gives the chunk route.
UPLOAD_ENDPOINT = "loadwatch_upload"


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
    source: Settings | str,
    *,
    auth: Mapping[str, str] | None = None,
    work_dir: Path | None = None,
    as_of: date | None = None,
    plan: AuthPlan | None = None,
) -> dash.Dash:
    """The loadwatch dashboard over the store of ``source`` (settings, or a store URL
    read with the other settings from the environment and the config file).

    ``auth`` maps user names to passwords (or werkzeug password hashes); when
    given, every request needs HTTP basic auth. ``plan``: how to authenticate, as
    :func:`dashboards.auth.resolve_auth` decided it for the server's address;
    without one the app is planned for a loopback server (accounts if any exist,
    else the single-user app for this machine). ``work_dir`` holds uploads in
    progress and the background-callback cache (a new temporary folder when None)
    unless a broker and an upload folder are configured (see :func:`background_jobs`).
    ``as_of``: the date the views describe (default: today).
    """
    settings = source if isinstance(source, Settings) else Settings.load(db_url=source)
    store_url = settings.db_url
    work = Path(work_dir) if work_dir else Path(tempfile.mkdtemp(prefix="loadwatch-dash-"))
    area, background = background_jobs(work, settings)
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
    logout_url = app.get_relative_path(LOGOUT_ROUTE)
    app.layout = lambda: _with_account(layout.page(upload_url), account_bar(logout_url))
    data = DashboardData(store_url, as_of=as_of)

    def scoped() -> DashboardData:
        return cast(DashboardData, data.for_user(request_scope()))  # a copy: the same class

    callbacks.register(app, data, area, background=background, scoped=scoped)
    install_upload_route(app.server, area)
    install_api(app.server, data, units=settings.units)
    app.server.register_error_handler(Exception, log_without_data)
    if plan is None:
        plan = resolve_auth(
            settings.auth,
            credentials=auth or load_credentials(None),
            any_users=lambda: Accounts(data.store).any_users(),
            secret_key=settings.secret_key,
            host="127.0.0.1",
            ephemeral_secret=True,
        )
    _install_auth(app, plan, data)
    install_upload_owner(app.server, area, UPLOAD_ENDPOINT)
    install_origin_check(app.server)  # after auth: an unauthenticated request gets its 401
    install_security_headers(app.server, app.csp_hashes())
    quiet_request_log()
    app.server.config["LOADWATCH_DATA"] = data
    app.server.config["LOADWATCH_UPLOADS"] = area
    app.server.config["LOADWATCH_AUTH_PLAN"] = plan.mode
    app.server.config["LOADWATCH_BACKGROUND"] = background  # Dash's background manager
    return app


def _install_auth(app: dash.Dash, plan: AuthPlan, data: DashboardData) -> None:
    """Authentication as ``plan`` says."""
    if plan.mode == "accounts":
        assert plan.secret_key is not None
        install_login(
            app.server,
            lambda: Accounts(data.store),
            plan.secret_key,
            prefix=app.config.requests_pathname_prefix,
        )
    elif plan.mode == "basic":
        assert plan.credentials
        install_basic_auth(app.server, plan.credentials)
    else:
        install_loopback_only(app.server)


def _with_account(page: Any, bar: Any) -> Any:
    """The page with who is signed in (and a logout button) at the end of its header."""
    if bar is not None:
        header = page.children[0]
        header.children = [*header.children, bar]
    return page


def store_has_users(store_url: str) -> bool:
    """Whether the store holds any account; a SQLite file that does not exist yet holds
    none (and is not created by asking)."""
    from loadwatch.store import Store, _sqlite_path

    path = _sqlite_path(store_url)
    if path is not None and not path.exists():
        return False
    store = Store(store_url)
    try:
        return Accounts(store).any_users()
    finally:
        store.close()


def build_server(settings: Settings, *, work_dir: Path | None = None) -> Flask:
    """The dashboard's WSGI server for a club deployment, from ``settings``.

    Refuses (:class:`~loadwatch.errors.LoadwatchError`, one line saying what to do)
    when there is no way to authenticate: no account and no basic-auth credentials
    (``LOADWATCH_AUTH``), unless ``auth = "none"`` says explicitly that this server
    answers its own machine only (it then refuses every other client). Accounts
    need ``secret_key``: every worker must sign sessions with the same key. A
    database at an older schema is refused too (:class:`~loadwatch.errors.StoreError`
    naming ``loadwatch db upgrade``). The computed-state warm-up starts in the
    background, as under ``loadwatch serve``.
    """
    import threading

    credentials = load_credentials(None)
    plan = resolve_auth(
        settings.auth,
        credentials=credentials,
        any_users=lambda: store_has_users(settings.db_url),
        secret_key=settings.secret_key,
        host=None,
        ephemeral_secret=False,
    )
    if plan.mode != "accounts":
        store_has_users(settings.db_url)  # opened anyway: an old schema is refused now
    app = create_app(settings, auth=credentials, work_dir=work_dir, plan=plan)
    warm = app.server.config["LOADWATCH_DATA"].warm_up
    threading.Thread(target=warm, name="loadwatch-warm-up", daemon=True).start()
    return app.server
