"""A read-only JSON API over the same accounts as the dashboard.

``GET /api/v1/athletes``, ``/api/v1/athletes/<name>/status``, ``/alerts`` and
``/activities`` answer the very JSON that ``loadwatch athletes``, ``status``,
``alerts`` and ``activities`` print with ``--format json`` (the records of
:mod:`loadwatch.service.records`), byte for byte. Query parameters mirror the
CLI's options: ``status?as_of=DATE``; ``alerts?since=DATE&until=DATE&
min_severity=info|caution|high&episodes=1&units=km|mi``;
``activities?since=DATE``.

Authentication is the server's (a signed-in session, basic auth, or in accounts
mode ``Authorization: Bearer TOKEN`` from ``loadwatch users token NAME``); each
call runs through the service with the caller's scope, so an athlete outside it
is a 404 with the same body as an athlete that does not exist. Errors are JSON
objects ``{"error": "..."}``: 400 for a malformed parameter, 404 for an athlete.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, Response, request

from dashboards.auth import request_scope
from loadwatch.errors import LoadwatchError, ValidationError
from loadwatch.service import SEVERITY_RANK, Service
from loadwatch.service.access import NotFound
from loadwatch.service.records import (
    activity_records,
    alert_records,
    athlete_records,
    status_records,
)

API_PREFIX = "/api/v1"
_TRUE = ("1", "true", "yes")


def _json(value: Any, status: int = 200) -> Response:
    # indent 2 and a final newline: exactly what the CLI prints
    return Response(json.dumps(value, indent=2) + "\n", status=status, mimetype="application/json")


def _date_arg(name: str) -> Any:
    from datetime import date

    value = request.args.get(name)
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise ValidationError(f"{name}: expected a date as YYYY-MM-DD, got {value!r}") from e


def api_blueprint(
    service: Callable[[], Service], *, units: str = "km", name: str = "loadwatch_api"
) -> Blueprint:
    """The API's routes; ``service()`` is the service of the current request's scope,
    ``units`` the default unit of alert messages (the settings', as for the CLI)."""
    default_units = units
    api = Blueprint(name, __name__, url_prefix=API_PREFIX)

    @api.get("/athletes")
    def athletes() -> Response:
        return _json(athlete_records(service().athlete_profiles()))

    @api.get("/athletes/<name>/status")
    def status(name: str) -> Response:
        return _json(status_records(service().status(name, as_of=_date_arg("as_of"))))

    @api.get("/athletes/<name>/alerts")
    def alerts(name: str) -> Response:
        units = request.args.get("units", default_units)
        if units not in ("km", "mi"):
            raise ValidationError(f"units: expected km or mi, got {units!r}")
        severity = request.args.get("min_severity", "info")
        if severity not in SEVERITY_RANK or severity is None:
            raise ValidationError(f"min_severity: expected info, caution or high, got {severity!r}")
        found = service().alerts(
            name, since=_date_arg("since"), until=_date_arg("until"), min_severity=severity
        )
        episodes = request.args.get("episodes", "").lower() in _TRUE
        return _json(alert_records(found, unit=units, episodes=episodes))

    @api.get("/athletes/<name>/activities")
    def activities(name: str) -> Response:
        return _json(activity_records(service().activities(name, since=_date_arg("since"))))

    @api.errorhandler(NotFound)
    def not_found(error: NotFound) -> Response:
        return _json({"error": str(error)}, 404)

    @api.errorhandler(LoadwatchError)
    def bad_request(error: LoadwatchError) -> Response:
        return _json({"error": str(error)}, 400)

    return api


def install_api(server: Flask, data: Service, *, units: str = "km") -> None:
    """Mount the API on ``server``, each call seen through the request's scope."""
    server.register_blueprint(api_blueprint(lambda: data.for_user(request_scope()), units=units))
