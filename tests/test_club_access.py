"""Who reaches what on a club server: every route of ``server.url_map`` for an anonymous
visitor and for each role, the Dash callbacks and the JSON API per role, on SQLite and on
PostgreSQL (tests/pgserver.py).

The club: athletes Ana and Ben in team "north", Cy in no team. Accounts: ``root``
(admin), ``cora`` (coach of north), ``ana`` (the athlete Ana). So, by hand: root sees
Ana, Ben and Cy; cora sees Ana and Ben; ana sees Ana.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from dash import no_update
from flask import Flask
from flask.testing import FlaskClient

from dashboards import ids
from dashboards.app import create_app
from dashboards.auth import resolve_auth
from dashboards.security import security_headers
from loadwatch.accounts import Accounts
from loadwatch.cli import cli
from loadwatch.model import ActivitySummary
from loadwatch.settings import Settings
from loadwatch.store import FileRecord, PainEntry, Store

PASSWORD = "correct horse battery"
SECRET = "s" * 64
#: The Origin a browser sends with the page's own POSTs (the test client's host).
ORIGIN = {"Origin": "http://localhost"}
MONDAY = date(2025, 3, 3)
AS_OF = date(2025, 4, 14)
#: Who sees whom, written out by hand from the club described above.
VISIBLE = {
    "root": ["Ana", "Ben", "Cy"],
    "cora": ["Ana", "Ben"],
    "ana": ["Ana"],
}
ROLES = {"root": "admin", "cora": "coach", "ana": "athlete"}
#: Runs per athlete: 10 km on Monday, Wednesday, Friday of 6 weeks; Ben adds a 25 km Sunday.
RUNS = {"Ana": 18, "Ben": 19, "Cy": 18}


def _run(store: Store, athlete: str, day: date, km: float) -> None:
    sha = hashlib.sha256(f"{athlete}{day}{km}".encode()).hexdigest()
    summary = ActivitySummary(
        sport="running",
        start_utc=datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
        distance_m=km * 1000,
        timer_s=km * 330,
        elapsed_s=km * 340,
        source_format="fit",
        utc_offset_s=0,
        source_sha256=sha,
    )
    store.add_file(
        store.athlete(athlete), FileRecord(sha, f"{day}.fit", 1, "fit", "imported"), [summary]
    )


@dataclass
class Club:
    url: str
    app: Any
    token: str  # cora's API token

    @property
    def server(self) -> Flask:
        return self.app.server  # type: ignore[no-any-return]

    def client(self, user: str | None = None) -> FlaskClient:
        """A test client, signed in as ``user`` through the login form (None: anonymous)."""
        client = self.server.test_client()
        if user is not None:
            answer = client.post(
                "/login", data={"username": user, "password": PASSWORD}, headers=ORIGIN
            )
            assert answer.status_code == 302, answer.data
        return client


def _fill(url: str) -> str:
    """The club's data and accounts; returns cora's API token."""
    store = Store(url)
    for name in ("Ana", "Ben", "Cy"):
        for week in range(6):
            for offset in (0, 2, 4):
                _run(store, name, MONDAY + timedelta(days=7 * week + offset), 10.0)
    _run(store, "Ben", MONDAY + timedelta(days=7 * 5 + 6), 25.0)
    store.add_pain([PainEntry(None, "Ben", MONDAY + timedelta(days=7 * 6), 6, note="sore")])
    accounts = Accounts(store)
    for user, role in ROLES.items():
        accounts.add_user(user, role, PASSWORD, athlete="Ana" if role == "athlete" else None)
    accounts.add_team("north")
    accounts.assign("north", coach="cora")
    accounts.assign("north", athlete="Ana")
    accounts.assign("north", athlete="Ben")
    token = accounts.new_token("cora")
    store.close()
    return token


def _club(url: str, work: Path) -> Club:
    token = _fill(url)
    settings = Settings(
        db_url=url, broker_url=None, secret_key=SECRET, upload_dir=None, auth="accounts", units="km"
    )
    plan = resolve_auth(
        "accounts",
        credentials=None,
        any_users=lambda: True,
        secret_key=SECRET,
        host=None,
    )
    return Club(url, create_app(settings, work_dir=work, plan=plan), token)


@contextmanager
def _database(kind: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A new, empty database at the current schema: a SQLite file, or one on the
    session's PostgreSQL server (tests/pgserver.py)."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'club.db'}"
        return
    from pgserver import _new_database

    from loadwatch.store import upgrade_schema

    with _new_database(request.getfixturevalue("postgres_server")) as url:
        upgrade_schema(url)
        yield url


@contextmanager
def _running_club(kind: str, folder: Path, request: pytest.FixtureRequest) -> Iterator[Club]:
    with _database(kind, folder, request) as url:
        made = _club(url, folder / "work")
        try:
            yield made
        finally:
            made.server.config["LOADWATCH_DATA"].store.close()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def club(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Club]:
    """The club, shared by the tests of this module that only read (and sign in)."""
    with _running_club(request.param, tmp_path_factory.mktemp("club"), request) as made:
        yield made


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_club(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Club]:
    """The club, for one test that writes."""
    with _running_club(request.param, tmp_path, request) as made:
        yield made


# ----------------------------------------------------------- the url map walk
#: A value for every kind of URL argument the server's routes take. A new route with
#: an argument not listed here fails the walk until it is given one.
ARGUMENTS = {
    "filename": "upload.js",
    "package_name": "dash",
    "fingerprinted_path": "deps/polyfill@7.v4_4_1m1.12.1.min.js",
    "path": "somewhere",
    "token": "a" * 32,
    "name": "Ana",
}
_ARG = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _requests(server: Flask, **arguments: str) -> list[tuple[str, str, str]]:
    """(endpoint, method, path) for every rule and method of the server's URL map,
    logout last (it ends the session the walk runs in). ``arguments``: values
    instead of those of :data:`ARGUMENTS`."""
    values = {**ARGUMENTS, **arguments}
    found = []
    for rule in server.url_map.iter_rules():
        path = _ARG.sub(lambda m: values[m.group(1)], rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((rule.endpoint, method, path))
    return sorted(found, key=lambda r: r[0] == "loadwatch_logout")


def _dash_body(app: Any, output: str, values: dict[tuple[str, str], Any], fired: str) -> dict:
    """The JSON the page posts to ``/_dash-update-component`` for the callback whose
    output names ``output`` (``id.property``), with ``values`` for its inputs and state."""
    key = next(k for k in app.callback_map if output in k)
    spec = app.callback_map[key]

    def items(kind: str) -> list[dict[str, Any]]:
        return [{**dep, "value": values.get((dep["id"], dep["property"]))} for dep in spec[kind]]

    parts = key.strip(".").split("...")
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [fired],
    }


def _athlete_options(club: Club, client: FlaskClient) -> list[str]:
    body = _dash_body(
        club.app,
        f"{ids.ATHLETE_DROPDOWN}.options",
        {(ids.DATA_VERSION, "data"): 0},
        f"{ids.DATA_VERSION}.data",
    )
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.data
    options = answer.get_json()["response"][ids.ATHLETE_DROPDOWN]["options"]
    return [o["value"] for o in options]


def _bodies(club: Club, user: str | None = None) -> dict[str, dict[str, Any]]:
    """What the walk sends to the routes that take a body (``user``: who signs in again)."""
    login = {"data": {"username": user, "password": PASSWORD}} if user else {}
    return {
        "loadwatch_login": login,
        "/_dash-update-component": {
            "json": _dash_body(
                club.app,
                f"{ids.ATHLETE_DROPDOWN}.options",
                {(ids.DATA_VERSION, "data"): 0},
                f"{ids.DATA_VERSION}.data",
            )
        },
        "loadwatch_upload": {
            "data": b"x",
            "headers": {"X-Upload-Name": "a.fit", "X-Upload-Offset": "0"},
        },
    }


def _send(client: FlaskClient, method: str, path: str, endpoint: str, bodies: dict) -> Any:
    """One request of the walk, from the page's origin, with the route's body if any."""
    extra = dict(bodies.get(endpoint, {}))
    headers = {**ORIGIN, **extra.pop("headers", {})}
    return client.open(path, method=method, headers=headers, **extra)


def test_the_walk_covers_every_route(club: Club) -> None:
    requests = _requests(club.server)
    endpoints = {e for e, _, _ in requests}
    # the routes of this change are among them (the rest is Dash's and Flask's own)
    assert {"loadwatch_login", "loadwatch_logout", "loadwatch_upload"} <= endpoints
    assert sum(p.startswith("/api/v1/") for _, _, p in requests) == 4
    assert len(requests) == len(set(requests))


def test_anonymous_reaches_nothing_but_the_login_page(club: Club) -> None:
    client = club.client()
    bodies = _bodies(club)
    headers = security_headers()
    for endpoint, method, path in _requests(club.server):
        answer = _send(client, method, path, endpoint, bodies)
        where = f"{method} {path}"
        for name in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
            assert answer.headers.get(name) == headers[name], where
        assert answer.headers["Content-Security-Policy"].startswith("default-src 'self'"), where
        if endpoint == "loadwatch_login":
            # the page itself, and a sign-in with no name and password is refused
            assert answer.status_code == (200 if method == "GET" else 401), where
            continue
        if answer.status_code == 302:
            assert method == "GET", where
            assert answer.headers["Location"].startswith("/login"), where
        else:
            assert answer.status_code == 401, where
        assert b"Ana" not in answer.data and b"Ben" not in answer.data, where
    # the page itself sends a browser to sign in; scripts get 401
    assert client.get("/").headers["Location"] == "/login"
    assert client.get("/_dash-layout").status_code == 401
    assert client.get("/api/v1/athletes").status_code == 401
    # the login page's stylesheet is the one asset served without a session
    assert client.get("/assets/style.css").status_code == 200
    assert client.get("/assets/upload.js").status_code == 401


@pytest.mark.parametrize("user", sorted(ROLES))
def test_each_role_reaches_every_route(club: Club, user: str) -> None:
    client = club.client(user)
    bodies = _bodies(club, user)
    token = hashlib.md5(user.encode()).hexdigest()  # an upload of this walk's own
    seen: dict[str, int] = {}
    for endpoint, method, path in _requests(club.server, token=token):
        answer = _send(client, method, path, endpoint, bodies)
        where = f"{user}: {method} {path}"
        assert answer.status_code not in (401, 403, 500), (where, answer.data[:200])
        if answer.status_code == 302 and endpoint != "loadwatch_logout":
            assert not answer.headers["Location"].startswith("/login"), where
        assert answer.headers["X-Frame-Options"] == "DENY", where
        seen[f"{method} {path}"] = answer.status_code
    # a few by hand: the page, Dash's layout, a callback, an upload chunk, the API
    assert seen["GET /"] == 200
    assert seen["GET /_dash-layout"] == 200
    assert seen["POST /_dash-update-component"] == 200
    assert seen[f"POST /_loadwatch/upload/{token}"] == 200
    assert seen["GET /api/v1/athletes"] == 200
    # the API routes named Ana: everyone here may see her
    assert seen["GET /api/v1/athletes/Ana/status"] == 200
    # logout was walked last: the session is over
    assert seen["POST /logout"] == 302
    assert client.get("/").headers["Location"] == "/login"
    assert client.get("/api/v1/athletes").status_code == 401


# ------------------------------------------------------------ Dash callbacks
@pytest.mark.parametrize("user", sorted(ROLES))
def test_the_athlete_dropdown_holds_the_users_athletes(club: Club, user: str) -> None:
    assert _athlete_options(club, club.client(user)) == VISIBLE[user]


def _coach_table(club: Club, client: FlaskClient) -> list[str]:
    body = _dash_body(
        club.app,
        f"{ids.COACH_GRID}.rowData",
        {(ids.TABS, "value"): ids.TAB_COACH, (ids.DATA_VERSION, "data"): 0},
        f"{ids.TABS}.value",
    )
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.data
    rows = answer.get_json()["response"][ids.COACH_GRID]["rowData"]
    return sorted(r["athlete"] for r in rows)


@pytest.mark.parametrize("user", sorted(ROLES))
def test_the_coach_table_holds_the_users_athletes(club: Club, user: str) -> None:
    assert _coach_table(club, club.client(user)) == VISIBLE[user]


def _save_pain(club: Club, client: FlaskClient, athlete: str, score: int) -> str:
    """Post the pain form for ``athlete`` as the page would; returns the form's message."""
    values = {
        (ids.PAIN_SUBMIT, "n_clicks"): 1,
        (ids.SELECTED_ATHLETE, "data"): athlete,
        (ids.PAIN_DATE, "date"): "2025-04-10",
        (ids.PAIN_SCORE, "value"): score,
        (ids.PAIN_WHERE, "value"): "lower_back",
        (ids.PAIN_WHEN, "value"): "not_running",
        (ids.PAIN_NOTE, "value"): None,
        (ids.DATA_VERSION, "data"): 0,
    }
    body = _dash_body(
        club.app, f"{ids.PAIN_MESSAGE}.children", values, f"{ids.PAIN_SUBMIT}.n_clicks"
    )
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.status_code == 200, answer.data
    return str(answer.get_json()["response"][ids.PAIN_MESSAGE]["children"])


@pytest.mark.parametrize("user", sorted(ROLES))
def test_a_pain_score_is_written_only_within_the_scope(fresh_club: Club, user: str) -> None:
    club = fresh_club
    client = club.client(user)
    for athlete in ("Ana", "Ben", "Cy", "Nobody"):
        message = _save_pain(club, client, athlete, 3)
        if athlete in VISIBLE[user]:
            assert message == "Saved pain 3/10 on 2025-04-10.", (user, athlete)
        else:
            # the browser named someone outside the scope: as if they did not exist
            assert message.startswith(f"no athlete called {athlete!r}"), (user, message)
            if user != "root":  # (an admin is told who exists: they may see everyone)
                assert message == f"no athlete called {athlete!r} (see 'loadwatch athletes list')"
    store = Store(club.url)
    try:
        written = {p.athlete for p in store.list_pain() if p.date == date(2025, 4, 10)}
        assert sorted(written) == VISIBLE[user]
        # every write is attributed: the fixture's own (local) ones, then the user's
        audit = [(e.user_name, e.athlete) for e in store.audit() if e.what == "pain"]
        assert audit == [(None, "Ben"), *((user, a) for a in VISIBLE[user])]
    finally:
        store.close()


def test_an_athlete_cannot_add_athletes(fresh_club: Club) -> None:
    club = fresh_club
    values = {
        (ids.ADD_ATHLETE, "n_clicks"): 1,
        (ids.NEW_ATHLETE_NAME, "value"): "Dee",
        (ids.DATA_VERSION, "data"): 0,
    }
    body = _dash_body(
        club.app, f"{ids.ATHLETE_MESSAGE}.children", values, f"{ids.ADD_ATHLETE}.n_clicks"
    )
    client = club.client("ana")
    answer = client.post("/_dash-update-component", json=body, headers=ORIGIN)
    message = answer.get_json()["response"][ids.ATHLETE_MESSAGE]["children"]
    assert message == "only coaches and admins add or rename athletes"
    answer = club.client("cora").post("/_dash-update-component", json=body, headers=ORIGIN)
    assert answer.get_json()["response"][ids.ATHLETE_MESSAGE]["children"] == "Added Dee."
    # the coach's new athlete joins their team: the coach sees them, the athlete does not
    assert "Dee" in _athlete_options(club, club.client("cora"))
    assert _athlete_options(club, club.client("ana")) == ["Ana"]


def test_the_page_names_who_is_signed_in(club: Club) -> None:
    layout = json.dumps(club.client("cora").get("/_dash-layout").get_json())
    assert '"cora (coach)"' in layout
    assert layout.count('"type": "Form"') == 1 and '"action": "/logout"' in layout


# ---------------------------------------------------------------------- API
def _cli_json(url: str, *args: str) -> Any:
    result = CliRunner().invoke(cli, [*args, "--db", url, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _api(client: FlaskClient, path: str, **kwargs: Any) -> Any:
    answer = client.get(path, **kwargs)
    assert answer.status_code == 200, (path, answer.data)
    assert answer.mimetype == "application/json"
    return json.loads(answer.data)


@pytest.mark.parametrize("user", sorted(ROLES))
def test_the_api_lists_the_users_athletes(club: Club, user: str) -> None:
    found = _api(club.client(user), "/api/v1/athletes")
    assert [a["name"] for a in found] == VISIBLE[user]
    # the records of `loadwatch athletes --format json`, for those athletes
    everyone = _cli_json(club.url, "athletes")
    assert found == [a for a in everyone if a["name"] in VISIBLE[user]]


@pytest.mark.parametrize("user", sorted(ROLES))
def test_the_api_answers_404_alike_for_unknown_and_hidden_athletes(club: Club, user: str) -> None:
    client = club.client(user)
    for what in ("status", "alerts", "activities"):
        for athlete in ("Ana", "Ben", "Cy"):
            answer = client.get(f"/api/v1/athletes/{athlete}/{what}")
            if athlete in VISIBLE[user]:
                assert answer.status_code == 200, (user, what, athlete)
                continue
            unknown = client.get(f"/api/v1/athletes/Zed/{what}")
            assert answer.status_code == unknown.status_code == 404
            # the same body but for the name itself: nothing says the athlete exists
            assert answer.data.replace(athlete.encode(), b"Zed") == unknown.data
            # and the same headers (the refreshed session cookie differs by its time only)
            assert sorted(answer.headers.keys()) == sorted(unknown.headers.keys())
            same = set(answer.headers.keys()) - {"Content-Length", "Set-Cookie"}
            assert {h: answer.headers[h] for h in same} == {h: unknown.headers[h] for h in same}


def test_the_api_gives_the_clis_json(club: Club) -> None:
    client = club.client("root")
    day = AS_OF.isoformat()
    status = _api(client, f"/api/v1/athletes/Ben/status?as_of={day}")
    assert status == _cli_json(club.url, "status", "--athlete", "Ben", "--as-of", day)
    assert [s["athlete"] for s in status] == ["Ben"]
    assert status[0]["latest_pain"] == 6  # the score written above, by hand
    alerts = _api(client, "/api/v1/athletes/Ben/alerts?units=mi&min_severity=caution")
    assert alerts == _cli_json(
        club.url, "alerts", "--athlete", "Ben", "--units", "mi", "--min-severity", "caution"
    )
    assert "spike" in {a["rule"] for a in alerts}  # the 25 km Sunday after 10 km runs
    episodes = _api(client, "/api/v1/athletes/Ben/alerts?episodes=1")
    assert episodes == _cli_json(
        club.url, "alerts", "--athlete", "Ben", "--episodes", "--units", "km"
    )
    runs = _api(client, "/api/v1/athletes/Ana/activities")
    assert runs == _cli_json(club.url, "activities", "--athlete", "Ana")
    # byte for byte, too
    printed = CliRunner().invoke(
        cli, ["activities", "--athlete", "Ana", "--db", club.url, "--format", "json"]
    )
    assert client.get("/api/v1/athletes/Ana/activities").get_data(as_text=True) == printed.stdout
    assert len(runs) == RUNS["Ana"] and {r["distance_m"] for r in runs} == {10000.0}
    since = _api(client, "/api/v1/athletes/Ana/activities?since=2025-04-07")
    assert [r["local_date"] for r in since] == ["2025-04-07", "2025-04-09", "2025-04-11"]


def test_a_coach_ranks_their_athletes_only(club: Club) -> None:
    day = AS_OF.isoformat()
    mine = _api(club.client("cora"), f"/api/v1/athletes/Ben/status?as_of={day}")
    everyone = _cli_json(club.url, "status", "--athlete", "Ben", "--as-of", day)
    # the same state; the rank counts the athletes the caller sees
    assert {k: v for k, v in mine[0].items() if k != "attention_rank"} == {
        k: v for k, v in everyone[0].items() if k != "attention_rank"
    }
    assert mine[0]["attention_rank"] in (1, 2)


def test_the_api_takes_a_bearer_token(club: Club) -> None:
    anonymous = club.client()
    bearer = {"Authorization": f"Bearer {club.token}"}
    assert [a["name"] for a in _api(anonymous, "/api/v1/athletes", headers=bearer)] == [
        "Ana",
        "Ben",
    ]
    assert anonymous.get("/api/v1/athletes/Cy/status", headers=bearer).status_code == 404
    wrong = {"Authorization": "Bearer " + "x" * 43}
    assert anonymous.get("/api/v1/athletes", headers=wrong).status_code == 401
    # a token opens the API only, and no session
    page = anonymous.get("/", headers=bearer)
    assert page.status_code == 302 and page.headers["Location"] == "/login"
    answer = anonymous.get("/api/v1/athletes", headers=bearer)
    assert "Set-Cookie" not in answer.headers


def test_the_api_refuses_bad_parameters(club: Club) -> None:
    client = club.client("root")
    for query in ("alerts?since=yesterday", "alerts?units=furlongs", "alerts?min_severity=x"):
        answer = client.get(f"/api/v1/athletes/Ana/{query}")
        assert answer.status_code == 400, query
        assert "error" in answer.get_json()


# ------------------------------------------------------- the background import
def _send_file(client: FlaskClient, token: str, payload: bytes) -> int:
    """Upload ``payload`` as one chunk, as the page's upload script does."""
    headers = {**ORIGIN, "X-Upload-Name": "run.fit", "X-Upload-Offset": "0", "X-Upload-Final": "1"}
    return int(
        client.post(f"/_loadwatch/upload/{token}", data=payload, headers=headers).status_code
    )


@pytest.mark.parametrize("user", sorted(ROLES))
def test_the_import_job_writes_only_within_the_scope(fresh_club: Club, user: str) -> None:
    from test_dash_callbacks import _fit_bytes

    from dashboards import callbacks

    client = fresh_club.client(user)
    area = fresh_club.server.config["LOADWATCH_UPLOADS"]
    for n, athlete in enumerate(("Ana", "Ben", "Cy")):
        token = f"{n:032x}"
        assert _send_file(client, token, _fit_bytes(date(2025, 4, 20), 12.0)) == 200
        # the job, as Dash runs it: the page's upload token and athlete, no request
        summary, version = callbacks.run_import(
            fresh_club.url, area, lambda _: None, {"token": token}, athlete, 1
        )
        if athlete in VISIBLE[user]:
            assert "1 new activity from 1 file(s)" in str(summary), (user, athlete)
            assert version == 2
        else:
            assert f"no athlete called {athlete!r}" in str(summary), (user, athlete)
            assert version is no_update
        assert not area.folder(token).exists()  # deleted either way
    store = Store(fresh_club.url)
    try:
        imported = [(e.user_name, e.athlete) for e in store.audit() if e.what == "import"]
        assert [(u, a) for u, a in imported if u is not None] == [(user, a) for a in VISIBLE[user]]
    finally:
        store.close()


def test_an_upload_belongs_to_who_sent_it(club: Club) -> None:
    from dashboards import callbacks

    area = club.server.config["LOADWATCH_UPLOADS"]
    token = "c0ffee" * 5 + "00"
    ana, root = club.client("ana"), club.client("root")
    assert _send_file(ana, token, b"not a fit file") == 200
    assert (area.folder(token) / ".owner").read_text() == "accounts:ana"
    # nobody else adds to it, whatever the page claims
    headers = {**ORIGIN, "X-Upload-Name": "x.fit", "X-Upload-Offset": "0", "X-Upload-Final": "1"}
    other = root.post(f"/_loadwatch/upload/{token}", data=b"x", headers=headers)
    assert other.status_code == 403
    assert sorted(p.name for p in area.files(token)) == ["run.fit"]
    # and the job acts as ana: Ben is nobody to her
    summary, _ = callbacks.run_import(club.url, area, lambda _: None, {"token": token}, "Ben", 1)
    assert "no athlete called 'Ben'" in str(summary)


def test_an_upload_without_a_recorded_sender_is_not_imported(club: Club) -> None:
    from test_dash_callbacks import _upload

    from dashboards import callbacks

    area = club.server.config["LOADWATCH_UPLOADS"]
    token = "d" * 32
    _upload(area, token, "run.fit", b"123")  # not through the server: no sender recorded
    summary, version = callbacks.run_import(
        club.url, area, lambda _: None, {"token": token}, "Ana", 1
    )
    assert "drop the files again" in str(summary) and version is no_update
    assert not area.folder(token).exists()


def test_basic_auth_guards_every_route(tmp_path: Path) -> None:
    import base64

    url = f"sqlite:///{tmp_path / 'basic.db'}"
    _fill(url)
    settings = Settings(
        db_url=url, broker_url=None, secret_key=None, upload_dir=None, auth="basic", units="km"
    )
    app = create_app(settings, auth={"coach": "pw-of-the-coach"}, work_dir=tmp_path / "work")
    club = Club(url, app, "")
    anonymous, coach = club.client(), club.client()
    good = base64.b64encode(b"coach:pw-of-the-coach").decode()
    bodies = _bodies(club)
    for endpoint, method, path in _requests(club.server):
        answer = _send(anonymous, method, path, endpoint, bodies)
        assert answer.status_code == 401, (method, path)
        assert answer.headers["WWW-Authenticate"].startswith("Basic"), (method, path)
        assert answer.headers["X-Frame-Options"] == "DENY"
        signed = dict(bodies.get(endpoint, {}))
        signed["headers"] = {**signed.get("headers", {}), "Authorization": f"Basic {good}"}
        answer = _send(coach, method, path, endpoint, {endpoint: signed})
        assert answer.status_code not in (401, 403, 500), (method, path, answer.data[:200])
    # a basic-auth user sees every athlete, and writes under their name
    assert _athlete_options(club, _BasicClient(coach, good)) == ["Ana", "Ben", "Cy"]
    app.server.config["LOADWATCH_DATA"].store.close()


class _BasicClient:
    """A test client that sends the basic-auth header with every POST."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client, self.token = client, token

    def post(self, path: str, *, headers: dict[str, str], **kwargs: Any) -> Any:
        headers = {**headers, "Authorization": f"Basic {self.token}"}
        return self.client.post(path, headers=headers, **kwargs)
