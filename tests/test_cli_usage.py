"""How the command line meets a new user: exit statuses, typos, negative numbers, paths.

Each test states the exact message or status a user sees; the expected
values are written out here, not taken from the code under test.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from loadwatch.cli import cli
from loadwatch.store import Store

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "sample_activities"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))
    path = str(tmp_path / "lw.db")
    monkeypatch.setenv("LOADWATCH_DB", path)
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def _leaf_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    ctx = click.Context(group)
    found: list[tuple[str, ...]] = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _leaf_commands(command, (*prefix, name))
    return found


# ---------------------------------------------------------------- exit statuses
def test_every_command_documents_its_exit_status() -> None:
    commands = _leaf_commands(cli)
    assert ("pain", "add") in commands and ("check",) in commands
    for path in commands:
        text = _help(*path)
        assert "Exit status" in text, path
        assert "science.md" not in text, path  # not in the repository: help points to the README
    assert "Exit status: 0 success, 1 error, 2 usage error" in _help("pain", "add")
    assert "3 something at caution or above" in _help("check")
    assert "3 check or notify found something" in _help()


def _help(*command: str) -> str:
    """A command's --help text with the line wrapping undone."""
    return " ".join(run(*command, "--help").output.split())


def test_a_typo_in_a_command_name_suggests_the_command() -> None:
    typo = run("improt")
    assert typo.exit_code == 2
    assert "Error: No such command 'improt'. Did you mean 'import'?" in typo.output
    nested = run("pain", "lsit")
    assert nested.exit_code == 2
    assert "Error: No such command 'lsit'. Did you mean 'list'?" in nested.output
    nothing_close = run("xyzzy")
    assert nothing_close.exit_code == 2
    assert "Error: No such command 'xyzzy'.\n" in nothing_close.output


def test_a_negative_number_reaches_the_command(db: str) -> None:
    negative = run("pain", "add", "-3")
    assert (negative.exit_code, negative.stderr) == (
        2,
        "Error: pain score must be from 0 to 10 (got -3)\n",
    )
    with_options = run("pain", "add", "--date", "2026-01-02", "-3", "--note", "x")
    assert with_options.stderr == "Error: pain score must be from 0 to 10 (got -3)\n"
    assert Store.open(db).list_athletes() == []  # nothing was written
    # an option's value may be negative, as it always could
    Store.open(db).add_athlete("me")
    too_few = run("check", "--run", "-5")
    assert too_few.stderr == "Error: --run must be a distance above 0 km (got -5.0)\n"


def test_options_after_a_double_dash_are_named(db: str) -> None:
    result = run("pain", "add", "--", "4", "--date", "2026-01-02")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --date after '--' would be read as an argument; put options before '--' "
        "(e.g. loadwatch pain add --athlete NAME -- -1)\n"
    )
    assert run("pain", "add", "--date", "2026-01-02", "--", "4").exit_code == 0


# ---------------------------------------------------------------------- import
def test_a_path_that_does_not_exist_is_a_usage_error(db: str, tmp_path: Path) -> None:
    missing = tmp_path / "export_123.zip"
    result = run("import", str(missing))
    assert result.exit_code == 2
    assert f"Path '{missing}' does not exist." in result.stderr
    assert "Import summary" not in result.output
    assert not Path(db).exists()  # nothing was opened or written


def test_the_samples_folder_keeps_one_athlete_per_subfolder(db: str) -> None:
    index = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))["athletes"]
    result = run("import", str(SAMPLES), "--json")
    assert result.exit_code == 0, result.stderr
    assert "is a samples folder: alex/ as 'Alex Steady', sam/ as 'Sam Jumps'" in result.stderr
    store = Store.open(db)
    assert {a.name: a.tz for a in store.list_athletes()} == {
        "Alex Steady": "Europe/Berlin",
        "Sam Jumps": "America/Denver",
    }
    for info in index.values():
        assert len(store.activities_frame(info["name"])) == len(info["runs"])
    assert json.loads(result.stdout)["activities_added"] == sum(
        len(info["runs"]) for info in index.values()
    )


def test_import_to_an_unknown_athlete_needs_create(db: str, tmp_path: Path) -> None:
    alex = SAMPLES / "alex"
    first = sorted(alex.glob("*.fit"))[:2]
    # the first import into an empty store creates the athlete it names
    assert run("import", str(first[0]), "-a", "Alex", "--json").exit_code == 0
    typo = run("import", str(first[1]), "-a", "Alx", "--json")
    assert typo.exit_code == 2
    assert typo.stderr == (
        "Error: no athlete called 'Alx' (known: Alex); "
        "check the spelling, or add --create to start a new athlete\n"
    )
    assert [a.name for a in Store.open(db).list_athletes()] == ["Alex"]
    created = run("import", str(first[1]), "-a", "Kim", "--create", "--json")
    assert created.exit_code == 0
    assert [a.name for a in Store.open(db).list_athletes()] == ["Alex", "Kim"]


# ---------------------------------------------------------------------- config
def test_config_shows_the_default_athletes_overrides(db: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[athletes."me".thresholds]\nramp_caution_pct = 12\n', encoding="utf-8"
    )
    table = run("config")
    assert table.exit_code == 0
    assert "Athlete: me\n" in table.output
    data = json.loads(run("config", "--format", "json").output)
    assert data["athlete"] == "me"
    assert data["thresholds"]["ramp_caution_pct"] == {"value": 12.0, "source": "athlete me"}


def test_config_refuses_an_unknown_athlete(db: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[athletes."Kim".thresholds]\nramp_caution_pct = 12\n', encoding="utf-8"
    )
    Store.open(db).add_athlete("Sam")
    nobody = run("config", "--athlete", "nobody")
    assert (nobody.exit_code, nobody.stderr) == (
        2,
        "Error: no athlete called 'nobody' (known: Sam)\n",
    )
    assert run("config", "--athlete", "Sam").exit_code == 0  # in the store
    assert run("config", "--athlete", "Kim").exit_code == 0  # in the config file


# --------------------------------------------------------------------- metrics
def test_a_mostly_empty_metrics_table_says_so(db: str) -> None:
    old = sorted((SAMPLES / "alex").glob("*.fit"))[:3]  # 2026-07-26 .. 2026-07-29
    assert run("import", *map(str, old), "--json").exit_code == 0
    until = date(2026, 7, 29) + timedelta(days=70)
    weekly = run("metrics", "--weekly", "--until", str(until))
    assert weekly.exit_code == 0
    # weeks from Monday 2026-07-20 to the week of 2026-10-07: 12 weeks, 10 after the last run
    assert weekly.stderr == (
        "Note: 10 of the 12 weeks shown come after the last run (2026-07-29); "
        "add --until 2026-07-29 (and --since) to show the period with runs.\n"
    )
    daily = run("metrics", "--until", str(until))
    assert daily.stderr == (
        "Note: 28 of the 28 days shown come after the last run (2026-07-29); "
        "add --until 2026-07-29 (and --since) to show the period with runs.\n"
    )
    assert run("metrics", "--weekly", "--until", "2026-08-09").stderr == ""


# ----------------------------------------------------------------------- serve
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_prints_one_start_up_line(tmp_path: Path) -> None:
    port = _free_port()
    env = {**os.environ, "LOADWATCH_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-m", "loadwatch", "serve", "--port", str(port)]
    cmd += ["--db", str(tmp_path / "lw.db")]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    listening = False
    try:
        # a generous deadline: on a loaded two-core CI machine start-up has taken over 60 s
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                listening = True
                break
            except OSError:
                time.sleep(0.2)
        time.sleep(0.5)  # let anything else the server would print arrive
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert listening, f"the server never listened (exit {proc.returncode}): {err}"
    assert out == f"loadwatch dashboard on http://127.0.0.1:{port}/ (Ctrl+C to stop)\n"
    assert err == ""


def test_a_plan_for_a_misspelt_athlete_is_refused(db: str, tmp_path: Path) -> None:
    Store.open(db).add_athlete("Sam Jumps")
    typo = run("plan", "add", "2026-04-04", "10", "-a", "Sam Jumsp")
    assert typo.exit_code == 2
    assert "no athlete called 'Sam Jumsp' (known: Sam Jumps)" in typo.stderr
    plans = tmp_path / "plans.csv"
    plans.write_text("date,distance_km\n2026-04-04,10\n", encoding="utf-8")
    assert run("plan", "import", str(plans), "-a", "Sam Jumsp").exit_code == 2
    assert [a.name for a in Store.open(db).list_athletes()] == ["Sam Jumps"]
    assert Store.open(db).list_plans() == []
    assert run("plan", "add", "2026-04-04", "10", "-a", "Kim", "--create").exit_code == 0
    assert [a.name for a in Store.open(db).list_athletes()] == ["Kim", "Sam Jumps"]
