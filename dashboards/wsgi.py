"""The WSGI entry point of a club server: ``gunicorn 'dashboards.wsgi:server'``.

``server`` is the dashboard's Flask server built from the settings
(:class:`loadwatch.settings.Settings`: environment variables, else the
``[server]`` table of the config file) exactly as ``loadwatch serve`` builds
it: the same authentication, security headers and Origin check. It refuses to
start without a way to authenticate (an account, or ``LOADWATCH_AUTH``) unless
``LOADWATCH_AUTH_MODE=none`` says the server answers its own machine only; with
accounts it needs ``LOADWATCH_SECRET_KEY`` (the same in every worker). Do not
use gunicorn's ``--preload``: each worker starts its own cache warm-up.
"""

from __future__ import annotations

import sys

from flask import Flask

from dashboards.app import build_server
from loadwatch.errors import LoadwatchError
from loadwatch.settings import Settings


def _server() -> Flask:
    try:
        return build_server(Settings.load())
    except LoadwatchError as e:
        # one line on stderr, then stop this process: gunicorn stops when a worker
        # cannot boot, so nothing serves without authentication
        print(f"loadwatch: {e}", file=sys.stderr)
        raise SystemExit(3) from e


server = _server()
