"""Rehab routines: the catalogue, logging with validation, the plan and weekly adherence."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.rehab import CATALOGUE
from loadwatch.store import Store

TODAY = date.today()
REQUIRED = {
    "quad-stretch",
    "bridge",
    "clams",
    "supine-hip-flexion",
    "side-plank-abduction",
    "bird-dog",
    "reverse-lunge",
    "hip-flexion-triple-extension",
    "overhead-pulls",
}


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LOADWATCH_HOME": str(tmp_path / "home"), "LOADWATCH_DB": str(tmp_path / "lw.db")}


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def test_catalogue_has_the_routine_with_doses_and_no_claims() -> None:
    assert set(CATALOGUE) == REQUIRED
    assert CATALOGUE["quad-stretch"].dose == "3 x 30 s per side"
    assert CATALOGUE["bridge"].dose == "3 x 8"
    assert CATALOGUE["clams"].dose == "3 x 8 per side"
    for e in CATALOGUE.values():
        assert e.name and len(e.description) > 40
        text = e.description.lower()
        for claim in ("cure", "heal", "prevent", "treat", "fix", "relieve", "reduce pain"):
            assert claim not in text, (e.key, claim)


def test_log_list_json(env: dict[str, str]) -> None:
    assert _run(env, "rehab", "log", "bridge", "--date", "2026-03-02")[0] == 0
    code, out = _run(
        env, "rehab", "log", "Quad stretch", "--sets", "2", "--seconds", "45", "--side", "left",
        "--date", "2026-03-03",
    )  # fmt: skip
    assert code == 0, out
    code, out = _run(env, "rehab", "list", "--format", "json")
    rows = [
        {k: r[k] for k in ("date", "exercise", "sets", "reps", "seconds", "side")}
        for r in json.loads(out)
    ]
    assert rows == [
        {
            "date": "2026-03-02",
            "exercise": "bridge",
            "sets": 3,
            "reps": 8,
            "seconds": None,
            "side": None,
        },
        {
            "date": "2026-03-03",
            "exercise": "quad-stretch",
            "sets": 2,
            "reps": None,
            "seconds": 45,
            "side": "left",
        },
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["bridgee"], "unknown exercise"),
        (["bridge", "--sets", "0"], "sets must be a whole number from 1 to 20"),
        (["bridge", "--reps", "8", "--seconds", "30"], "reps or seconds, not both"),
        (["bridge", "--reps", "2.5"], "reps must be a whole number"),
        (["clams", "--side", "middle"], "Invalid value for '--side'"),
        (["clams", "--date", (TODAY + timedelta(days=1)).isoformat()], "in the future"),
    ],
)
def test_bad_log_writes_nothing(env: dict[str, str], args: list[str], message: str) -> None:
    assert _run(env, "rehab", "log", "bridge")[0] == 0
    before = Store.open(env["LOADWATCH_DB"]).counts()
    code, out = _run(env, "rehab", "log", *args)
    assert code == 2
    assert message in out
    assert Store.open(env["LOADWATCH_DB"]).counts() == before


def test_plan_and_weekly_adherence(env: dict[str, str]) -> None:
    assert _run(env, "rehab", "plan", "set", "bridge", "--per-week", "3")[0] == 0
    assert _run(env, "rehab", "plan", "set", "clams", "--per-week", "2")[0] == 0
    code, out = _run(env, "rehab", "plan", "--format", "json")
    assert json.loads(out) == [
        {"exercise": "bridge", "per_week": 3, "dose": "3 x 8"},
        {"exercise": "clams", "per_week": 2, "dose": "3 x 8 per side"},
    ]
    # week of Monday 2026-03-02: bridge on 4 days (one twice), clams once, bird-dog once
    for day, ex in [
        ("2026-03-02", "bridge"),
        ("2026-03-02", "bridge"),
        ("2026-03-03", "bridge"),
        ("2026-03-05", "bridge"),
        ("2026-03-07", "bridge"),
        ("2026-03-04", "clams"),
        ("2026-03-08", "bird-dog"),
        ("2026-03-09", "clams"),  # the next week
    ]:
        assert _run(env, "rehab", "log", ex, "--date", day)[0] == 0
    code, out = _run(
        env, "rehab", "adherence", "--until", "2026-03-10", "--weeks", "3", "--format", "json"
    )
    assert code == 0, out
    assert json.loads(out) == [
        {"week_start": "2026-02-23", "planned": 5, "done": 0, "extra": 0, "adherence": 0.0},
        # bridge 4 days capped at 3, clams 1 of 2; extra: 1 bridge day + bird-dog
        {"week_start": "2026-03-02", "planned": 5, "done": 4, "extra": 2, "adherence": 0.8},
        {"week_start": "2026-03-09", "planned": 5, "done": 1, "extra": 0, "adherence": 0.2},
    ]
    assert _run(env, "rehab", "plan", "remove", "clams")[0] == 0
    assert [p.exercise for p in Store.open(env["LOADWATCH_DB"]).rehab_plan("me")] == ["bridge"]
    code, out = _run(env, "rehab", "plan", "set", "bridge", "--per-week", "15")
    assert code == 2 and "from 0 to 14" in out


def test_rehab_csv_import_adds_each_session_once(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "rehab.csv"
    path.write_text(
        "date,exercise,sets,reps,seconds,side\n2026-03-02,bridge,3,8,,\n2026-03-02,clams,3,8,,left\n"
    )
    code, out = _run(env, "rehab", "import", str(path))
    assert code == 0 and "Imported 2" in out
    code, out = _run(env, "rehab", "import", str(path))
    assert "Imported 0" in out and "(2 already logged)" in out
    assert Store.open(env["LOADWATCH_DB"]).counts()["rehab_sessions"] == 2
    path.write_text("date,exercise\n2026-03-02,bridge\n2026-03-03,hopping\n")
    code, out = _run(env, "rehab", "import", str(path))
    assert code == 2 and "row 3: unknown exercise" in out
    assert Store.open(env["LOADWATCH_DB"]).counts()["rehab_sessions"] == 2
