"""Instant commands: a static command list for ``--help``, a paged activities table."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from click.utils import make_default_short_help

from loadwatch.cli import _COMMANDS, _SHORT_HELP, cli
from loadwatch.model import ActivitySummary
from loadwatch.store import FileRecord, Store


def test_static_short_help_is_each_commands_own() -> None:
    ctx = click.Context(cli)
    assert set(_SHORT_HELP) == set(_COMMANDS)
    for name in _COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None
        for limit in (30, 45, 60, 200):
            assert make_default_short_help(_SHORT_HELP[name], limit) == (
                command.get_short_help_str(limit)
            ), name


def test_help_lists_every_command_without_importing_pandas_or_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "from loadwatch.cli import cli\n"
        "try:\n"
        "    cli(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('pandas', 'sqlalchemy', 'numpy') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout
    for name in _COMMANDS:
        assert f"\n  {name} " in out, name
    assert out.strip().endswith("[]")


@pytest.fixture
def db(tmp_path: Path) -> str:
    store = Store(f"sqlite:///{tmp_path / 'runs.db'}")
    athlete = store.athlete("me")
    runs = []
    for i in range(5):
        day = date(2026, 1, 1) + timedelta(days=i)
        runs.append(
            ActivitySummary(
                sport="running",
                start_utc=datetime(2026, 1, 1 + i, 7, tzinfo=UTC),
                distance_m=1000.0 * (i + 1),
                timer_s=300.0 * (i + 1),
                elapsed_s=310.0 * (i + 1),
                source_format="fit",
                utc_offset_s=0,
                local_date=day,
                source_sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            )
        )
    store.add_file(athlete, FileRecord("a" * 64, "x.fit", 1, "fit", "imported"), runs)
    return f"sqlite:///{tmp_path / 'runs.db'}"


def _dates(output: str) -> list[str]:
    return [w for w in output.split() if w.startswith("2026-01-")]


def test_activities_table_is_newest_first_and_paged(db: str) -> None:
    runner = CliRunner()
    two = runner.invoke(cli, ["activities", "--db", db, "--limit", "2"])
    assert two.exit_code == 0, two.output
    assert _dates(two.output) == ["2026-01-05", "2026-01-04"]
    assert "newest 2 of 5 activities" in two.output
    every = runner.invoke(cli, ["activities", "--db", db, "--all"])
    assert _dates(every.output) == [f"2026-01-0{d}" for d in (5, 4, 3, 2, 1)]
    assert "5 activities" in every.output
    # machine-readable output: every activity, oldest first, whatever the table shows
    rows = json.loads(runner.invoke(cli, ["activities", "--db", db, "--format", "json"]).output)
    assert [r["local_date"] for r in rows] == [f"2026-01-0{d}" for d in (1, 2, 3, 4, 5)]


def test_long_tables_are_plain_text(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from loadwatch.cli import common

    monkeypatch.setattr(common, "RICH_MAX_ROWS", 3)
    out = CliRunner().invoke(cli, ["activities", "--db", db, "--all"]).output
    lines = out.splitlines()
    assert lines[0] == "5 activities"
    assert lines[1].split() == [
        "id",
        "athlete",
        "local_date",
        "sport",
        "distance",
        "moving",
        "avg_hr",
        "rpe",
        "device",
        "source_format",
        "name",
        "notes",
    ]
    assert "│" not in out and len(lines) == 3 + 5
    assert lines[3].split()[2:5] == ["2026-01-05", "running", "5.00"]
