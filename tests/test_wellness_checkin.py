"""The daily check-in: validation like the pain log's, idempotent CSV import, sources apart."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from loadwatch.cli import cli
from loadwatch.errors import ValidationError
from loadwatch.store import Store, WellnessDay

TODAY = date.today()


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"LOADWATCH_HOME": str(tmp_path / "home"), "LOADWATCH_DB": str(tmp_path / "lw.db")}


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.output


def _rows(env: dict[str, str]) -> list[dict[str, object]]:
    code, out = _run(env, "wellness", "list", "--format", "json")
    assert code == 0, out
    return json.loads(out)


def _counts(env: dict[str, str]) -> dict[str, int]:
    return Store.open(env["LOADWATCH_DB"]).counts()


def test_add_and_list_json(env: dict[str, str]) -> None:
    code, out = _run(
        env, "wellness", "add", "--date", "2026-03-02", "--sleep-h", "6.5", "--sleep-quality", "3",
        "--stress", "6", "--soreness", "4", "--fatigue", "5", "--note", "late flight",
    )  # fmt: skip
    assert code == 0, out
    assert _rows(env) == [
        {
            "date": "2026-03-02",
            "sleep_h": 6.5,
            "sleep_score": None,
            "resting_hr": None,
            "hrv_ms": None,
            "stress_device": None,
            "stress_self": 6,
            "soreness": 4,
            "fatigue": 5,
            "source": "self",
            "sleep_quality": 3,
            "note": "late flight",
        }
    ]
    # amending keeps what is not given
    assert _run(env, "wellness", "add", "--date", "2026-03-02", "--fatigue", "2")[0] == 0
    [row] = _rows(env)
    assert (row["fatigue"], row["soreness"], row["sleep_h"]) == (2, 4, 6.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sleep-h", "25"], "sleep hours must be from 0 to 24"),
        (["--sleep-h", "lots"], "sleep hours must be a number"),
        (["--sleep-quality", "0"], "sleep quality must be from 1 to 5"),
        (["--stress", "11"], "stress must be from 0 to 10"),
        (["--soreness", "4.5"], "soreness must be a whole number"),
        (["--fatigue", "-1"], "fatigue must be from 0 to 10"),
        (["--date", (TODAY + timedelta(days=1)).isoformat(), "--fatigue", "3"], "in the future"),
        (["--date", "03/02/2026", "--fatigue", "3"], "date must look like"),
        ([], "needs at least one of"),
    ],
)
def test_bad_check_in_writes_nothing(env: dict[str, str], args: list[str], message: str) -> None:
    assert _run(env, "wellness", "add", "--date", "2026-03-01", "--soreness", "2")[0] == 0
    before = _counts(env)
    code, out = _run(env, "wellness", "add", *args)
    assert code == 2
    assert message in out
    assert _counts(env) == before


CSV = """date,sleep_h,sleep_quality,stress,soreness,fatigue,note
2026-03-01,7.5,4,3,2,3,
2026-03-02,6.0,2,6,4,5,"slept badly, hotel"
2026-03-03,,,,5,,
"""


def test_csv_import_is_idempotent(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "checkins.csv"
    path.write_text(CSV)
    code, out = _run(env, "wellness", "import", str(path))
    assert code == 0, out
    assert "Imported 3 new, 0 updated and 0 unchanged" in out
    first = _rows(env)
    code, out = _run(env, "wellness", "import", str(path))
    assert "Imported 0 new, 0 updated and 3 unchanged" in out
    assert _rows(env) == first
    assert [r["soreness"] for r in first] == [2, 4, 5]
    assert first[1]["note"] == "slept badly, hotel"

    # list --format csv imports again to the same rows
    code, listed = _run(env, "wellness", "list", "--format", "csv")
    again = tmp_path / "again.csv"
    again.write_text(listed)
    code, out = _run(env, "wellness", "import", str(again))
    assert code == 0, out
    assert "0 new, 0 updated and 3 unchanged" in out


@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        ("2026-03-04,7,9,,,,", "row 5: sleep quality must be from 1 to 5"),
        ("2026-03-01,7,3,,,,", "row 5: 2026-03-01 is already on row 2"),
        (f"{TODAY + timedelta(days=2)},7,3,,,,", "row 5: date"),
    ],
)
def test_csv_with_a_bad_row_writes_nothing(
    env: dict[str, str], tmp_path: Path, bad_row: str, reason: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(CSV + bad_row + "\n")
    code, out = _run(env, "wellness", "import", str(path))
    assert code == 2
    assert reason in out
    assert _counts(env).get("wellness_days", 0) == 0

    code, out = _run(env, "wellness", "import", str(path), "--skip-bad-rows")
    assert code == 0
    assert _counts(env)["wellness_days"] == 3


def test_device_values_and_self_ratings_stay_apart(env: dict[str, str]) -> None:
    store = Store.open(env["LOADWATCH_DB"])
    day = date(2026, 3, 2)
    store.upsert_wellness(
        [WellnessDay("me", day, "garmin", sleep_h=7.25, resting_hr=48, stress_device=31)]
    )
    assert (
        _run(env, "wellness", "add", "--date", day.isoformat(), "--sleep-h", "6", "--stress", "7")[
            0
        ]
        == 0
    )
    device, own = _rows(env)
    assert (
        device["source"],
        device["sleep_h"],
        device["stress_device"],
        device["stress_self"],
    ) == (
        "garmin",
        7.25,
        31,
        None,
    )
    assert (own["source"], own["sleep_h"], own["stress_self"], own["stress_device"]) == (
        "self",
        6.0,
        7,
        None,
    )
    # a row may not fill another source's columns
    with pytest.raises(ValidationError, match="cannot hold"):
        store.upsert_wellness([WellnessDay("me", day, "garmin", soreness=3)])
    # deleting the check-in leaves the watch's day
    assert _run(env, "wellness", "delete", day.isoformat())[0] == 0
    assert [r["source"] for r in _rows(env)] == ["garmin"]
    code, out = _run(env, "wellness", "delete", day.isoformat())
    assert code == 2 and "no self wellness entry" in out
