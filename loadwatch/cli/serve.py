"""``loadwatch serve`` and ``loadwatch demo``: run the dashboard."""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import click

from loadwatch.cli.common import db_option, handle_errors, parse_date
from loadwatch.errors import LoadwatchError
from loadwatch.store import Store, resolve_db_url

#: Environment variable naming another samples folder for ``demo``.
SAMPLES_ENV = "LOADWATCH_SAMPLES"


def samples_dir() -> Path:
    """The bundled sample activities: shipped as the ``sample_activities`` package data."""
    env = os.environ.get(SAMPLES_ENV)
    if env:
        return Path(env)
    from importlib.resources import files

    return Path(str(files("sample_activities")))


def _server_options(f: Any) -> Any:
    f = click.option(
        "--users-file",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="File of user:password lines for HTTP basic auth (instead of accounts).",
    )(f)
    f = click.option(
        "--port", type=click.IntRange(1, 65535), default=8050, show_default=True, help="TCP port."
    )(f)
    f = click.option(
        "--host",
        default="127.0.0.1",
        show_default=True,
        help="Address to listen on. Anything but this machine needs a way to sign in: "
        "accounts (loadwatch users add), LOADWATCH_AUTH=user:password or --users-file.",
    )(f)
    return f


def _plan(url: str | None, host: str, users_file: Path | None) -> Any:
    """How the server authenticates (refusing, with what to do, when it cannot);
    ``url`` None: a store not made yet (no accounts)."""
    from dashboards.auth import load_credentials, resolve_auth
    from loadwatch.settings import Settings

    settings = Settings.load(db_url=url)

    def any_users() -> bool:
        from dashboards.app import store_has_users

        return url is not None and store_has_users(url)

    return resolve_auth(
        settings.auth,
        credentials=load_credentials(users_file),
        any_users=any_users,
        secret_key=settings.secret_key,
        host=host,
        ephemeral_secret=True,  # one process: a key of its own is enough
    )


def _run(
    url: str,
    host: str,
    port: int,
    users_file: Path | None,
    *,
    open_browser: bool,
    as_of: date | None = None,
    fill: Callable[[Any], None] | None = None,
) -> None:
    """Serve the dashboard over ``url`` until Ctrl+C.

    ``fill``: work that puts the data in (the demo's sample import), run in a
    thread once the server listens; it gets the app's data object. Until it
    has returned the page itself answers, and every request that reads data
    waits for it (:func:`_hold_data_requests`). If it fails, the server stops
    and its error is raised here.
    """
    with _loading():
        plan = _plan(url, host, users_file)  # refuse before importing Dash or touching the port
        with _without_notebook_support():
            from dashboards.app import create_app, store_has_users
        from loadwatch.settings import Settings

        app = create_app(Settings.load(db_url=url), auth=plan.credentials, as_of=as_of, plan=plan)
    data = app.server.config["LOADWATCH_DATA"]
    ready = threading.Event()
    if fill is not None:
        _hold_data_requests(app.server, ready)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    link = f"http://{shown}:{port}/"
    # werkzeug's own server, without the banners Dash and Flask print around it
    from werkzeug.serving import make_server

    try:
        server = make_server(host, port, app.server, threaded=True)
    except OSError as e:
        raise LoadwatchError(f"cannot listen on {host}:{port}: {e.strerror or e}") from e
    password = ""
    if plan.mode == "basic":
        password = ", password required"
    elif plan.mode == "accounts" and store_has_users(url):
        password = ", sign-in required"
    click.echo(f"loadwatch dashboard on {link} (Ctrl+C to stop{password})")
    failed: list[BaseException] = []

    def fill_then_warm_up() -> None:
        try:
            if fill is not None:
                fill(data)
        except BaseException as e:  # raised again in the main thread, after the server stops
            failed.append(e)
            ready.set()
            server.shutdown()
            return
        ready.set()
        data.warm_up()  # fill the caches so the first clicks answer at once

    threading.Thread(target=fill_then_warm_up, name="loadwatch-warm-up", daemon=True).start()
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(link,)).start()
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    if failed:
        raise failed[0]


#: Paths of the page itself (the HTML, its scripts, the layout without data):
#: answered while the demo's samples are still being imported.
PAGE_PATHS = (
    "_dash-layout",
    "_dash-dependencies",
    "_dash-component-suites/",
    "assets/",
    "_favicon.ico",
    "_reload-hash",
)


def _hold_data_requests(server: Any, ready: threading.Event) -> None:
    """Make every request that reads or writes data wait until ``ready`` is set.

    The page and its scripts answer at once; the callbacks and the API that
    fill it wait, so the browser shows the page while the samples go in and
    never an empty or half-imported store.
    """
    from flask import request

    def wait_for_data() -> None:
        path = request.path.lstrip("/")
        if path and not path.startswith(PAGE_PATHS):
            ready.wait()

    server.before_request(wait_for_data)


@contextmanager
def _loading() -> Iterator[None]:
    """Load modules and build the app without the garbage collector, then freeze what
    was loaded.

    Start-up creates a few hundred thousand objects that live as long as the
    process (modules, classes, functions) and next to no garbage; the collector
    would walk them again and again while they pile up. Frozen, later collections
    (while callbacks run) skip them too.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        gc.freeze()  # only once loaded: a refusal (an error) leaves nothing frozen
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _without_notebook_support() -> Iterator[None]:
    """Import Dash without its notebook support.

    Dash imports IPython (and jedi, requests, ...) when it is installed, only to
    run inside a notebook: about a third of a CPU-second that a server started
    from the command line never uses. Inside a notebook IPython is already
    loaded and nothing changes; afterwards IPython can be imported as usual.
    """
    if "IPython" in sys.modules:
        yield
        return
    sys.modules["IPython"] = None  # type: ignore[assignment]  # import IPython: ImportError
    try:
        yield
    finally:
        if "IPython" in sys.modules and sys.modules["IPython"] is None:
            del sys.modules["IPython"]


@click.command("serve")
@_server_options
@click.option(
    "--as-of", "as_of", metavar="DATE", help="Show the state as of this date (default: today)."
)
@db_option
@handle_errors
def serve(host: str, port: int, users_file: Path | None, as_of: str | None, db: str | None) -> None:
    """Run the dashboard (runner view and coach view) in your browser.

    It listens on 127.0.0.1 (this machine only) unless --host says otherwise;
    any other address needs credentials, because the dashboard shows health data.

    \b
    Example:
      loadwatch serve
      LOADWATCH_AUTH=coach:s3cret loadwatch serve --host 0.0.0.0 --port 8050
    """
    day = parse_date(as_of, "--as-of")
    _run(resolve_db_url(db), host, port, users_file, open_browser=False, as_of=day)


@click.command("demo")
@_server_options
@db_option
@click.option("--no-browser", is_flag=True, help="Do not open a browser window.")
@handle_errors
def demo(host: str, port: int, users_file: Path | None, db: str | None, no_browser: bool) -> None:
    """Import the bundled sample runs and pain log into a fresh store and show the dashboard.

    Without --db the store is a new temporary folder, so your own data is untouched.

    \b
    Example:
      loadwatch demo
      loadwatch demo --no-browser --port 8060
    """
    with _loading():
        _plan(resolve_db_url(db) if db else None, host, users_file)  # refuse before any work
        samples = samples_dir()
        from dashboards.demo import sample_listing

        sample_listing(samples)  # missing samples: refused before the server starts
        if db is None:
            db = str(Path(tempfile.mkdtemp(prefix="loadwatch-demo-")) / "demo.db")
        url = resolve_db_url(db)
        started = time.perf_counter()
        Store(url).close()  # create the schema once, before two processes open the file
    # The samples are imported in a second process while this one loads the
    # dashboard (Dash, plotly) and starts serving: the page answers at once and
    # its data requests wait until the samples are in (see _run).
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_fork_context())
    pending = pool.submit(_import_samples, url, samples)

    def fill(data: Any) -> None:
        try:
            report = pending.result()
        finally:
            pool.shutdown()
        for warning in report.warnings[:10]:
            click.echo(f"warning: {warning}", err=True)
        if len(report.warnings) > 10:
            click.echo(f"warning: ... and {len(report.warnings) - 10} more", err=True)
        summary = ", ".join(
            f"{name}: {n} runs, {report.pain.get(name, 0)} pain scores"
            for name, n in report.activities.items()
        )
        click.echo(f"Demo data ready in {time.perf_counter() - started:.1f} s ({summary}).")
        # The samples are a fixed 16 weeks: show them as of their last day, not an empty today.
        data.fixed_as_of = report.last_day
        click.echo(f"Showing the samples as of their last day, {report.last_day}.")

    try:
        _run(url, host, port, users_file, open_browser=not no_browser, fill=fill)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _fork_context() -> Any:
    """Fork where the platform has it (the child starts at once with what is loaded)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def _import_samples(url: str, samples: Path) -> Any:
    """The demo's sample import, run in the helper process (one process: 150 small files)."""
    from dashboards.demo import import_samples

    store = Store(url)
    try:
        return import_samples(store, samples, workers=1)
    finally:
        store.close()


COMMANDS = [serve, demo]
