"""``loadwatch notify`` against a JSON webhook on 127.0.0.1 (Apprise ``json://``).

The history is six weeks of three runs (6, 8 and 12 km, 1, 3 and 5 days before
each week's end) up to yesterday: 26 km a week, the longest run 12 km, and no
alert at caution or above. Worked out by hand for a plan 4 days ahead (day
T+4, T = today):

- 13.8 km is 15% longer than the 12 km longest run: a spike caution. The
  rolling 7 days to T+4 hold 6 (T-1) + 13.8 = 19.8 km against 26 km before
  (no ramp); 4 x 19.8 / (84 + 13.8) = 0.81 coupled ACWR (the 28 days to T+4
  hold 84 km of history); the EWMA ratio stays near 1.2. So: one finding.
- 12 km is not longer than 12 km: nothing.
- The day's ceiling is the spike's: 1.1 x 12 = 13.2 km (rounded down to
  0.01 km, and a hair below when 13.2 km itself rounds over in binary); the
  ramp would allow 1.1 x 26 - 6 = 22.6 km, the coupled ACWR 31.6 km.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from local_http import LocalServer, local_server

from loadwatch.cli import cli
from loadwatch.model import ActivitySummary
from loadwatch.store import FileRecord, PlannedRun, Store

TODAY = date.today()
WEEKDAY = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.fixture
def http_server() -> Iterator[LocalServer]:
    with local_server() as server:
        yield server


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))
    path = str(tmp_path / "lw.db")
    monkeypatch.setenv("LOADWATCH_DB", path)
    store = Store.open(path)
    for athlete in ("me", "Calm Casey"):
        add_history(store, athlete)
    return path


def add_history(store: Store, athlete: str) -> None:
    who = store.athlete(athlete)
    for week in range(6):
        for back, km in ((1, 6.0), (3, 8.0), (5, 12.0)):
            d = TODAY - timedelta(days=7 * week + back)
            sha = f"{athlete}-{d.isoformat()}".encode().hex().ljust(64, "0")[:64]
            summary = ActivitySummary(
                sport="running",
                start_utc=datetime(d.year, d.month, d.day, 7, tzinfo=UTC),
                distance_m=km * 1000.0,
                timer_s=km * 330.0,
                elapsed_s=km * 340.0,
                source_format="fit",
                utc_offset_s=0,
                source_sha256=sha,
            )
            store.add_file(who, FileRecord(sha, f"{sha}.fit", 1, "fit", "imported"), [summary])


def plan(db: str, days_ahead: int, km: float, athlete: str = "me") -> int:
    day = TODAY + timedelta(days=days_ahead)
    (plan_id,) = Store.open(db).add_plans([PlannedRun(None, athlete, day, km * 1000.0)])
    return plan_id


def unplan(db: str, plan_id: int) -> None:
    Store.open(db).delete_plan(plan_id)


def notify(server: LocalServer, *args: str) -> Result:
    target = f"json://127.0.0.1:{server.port}/hook"
    return CliRunner().invoke(cli, ["notify", "--to", target, *args])


def day_text(days_ahead: int) -> str:
    d = TODAY + timedelta(days=days_ahead)
    return f"{WEEKDAY[d.weekday()]} {d.isoformat()}"


def test_one_message_per_new_risky_plan_and_never_twice(db: str, http_server: LocalServer) -> None:
    safe = plan(db, 4, 12.0)
    result = notify(http_server)
    assert result.exit_code == 0, result.output
    assert http_server.posts == []

    unplan(db, safe)
    risky = plan(db, 4, 13.8)
    result = notify(http_server)
    assert result.exit_code == 3, result.output
    assert len(http_server.posts) == 1
    path, body = http_server.posts[0]
    assert path == "/hook"  # the message travels in the body, never in the URL
    message = body["message"]
    assert message.startswith(f"The 13.8 km planned for {day_text(4)} would be 15% longer")
    assert "spike, caution" in message and "frandsen2025" in message
    assert "a run of up to 13.19 km" in message or "a run of up to 13.20 km" in message

    again = notify(http_server)
    assert again.exit_code == 3  # the finding still exists...
    assert len(http_server.posts) == 1  # ...but was sent already
    assert "[sent before]" in again.output

    # a new risky plan: the same run moved to the next day
    unplan(db, risky)
    plan(db, 5, 13.8)
    moved = notify(http_server)
    assert moved.exit_code == 3, moved.output
    assert len(http_server.posts) == 2
    assert http_server.messages()[1].startswith(f"The 13.8 km planned for {day_text(5)}")


def test_dry_run_sends_and_records_nothing(db: str, http_server: LocalServer) -> None:
    plan(db, 4, 13.8)
    dry = notify(http_server, "--dry-run")
    assert dry.exit_code == 3, dry.output
    assert http_server.posts == []
    assert "[would send]" in dry.output
    assert dry.output.endswith("0 message(s) sent (dry run: nothing sent or recorded).\n")
    real = notify(http_server)
    assert real.exit_code == 3
    assert len(http_server.posts) == 1


def test_json_output(db: str, http_server: LocalServer) -> None:
    plan(db, 4, 13.8)
    result = notify(http_server, "--format", "json")
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert data["sent"] == 1
    (finding,) = data["findings"]
    assert finding["athlete"] == "me"
    assert finding["date"] == (TODAY + timedelta(days=4)).isoformat()
    assert (finding["rule"], finding["severity"], finding["planned_km"]) == (
        "spike",
        "caution",
        13.8,
    )
    assert 13.19 <= finding["ceiling_km"] <= 13.2
    assert finding["message"] == http_server.messages()[0]


def test_cleared_message_when_configured(db: str, http_server: LocalServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[notify]\ncleared = true\n")
    risky = plan(db, 4, 13.8)
    notify(http_server)
    unplan(db, risky)
    result = notify(http_server)
    assert result.exit_code == 0, result.output
    assert (
        http_server.messages()[1]
        == f"Cleared: the plan for {day_text(4)} no longer sets off spike."
    )
    notify(http_server)
    assert len(http_server.posts) == 2


def test_failed_delivery_is_an_error_and_is_tried_again(db: str, http_server: LocalServer) -> None:
    plan(db, 4, 13.8)
    http_server.post_status = 500
    failed = notify(http_server)
    assert failed.exit_code == 1
    assert "[not sent]" in failed.output
    assert f"Error: delivery to json://127.0.0.1:{http_server.port}/… failed" in failed.output
    http_server.post_status = 200
    retried = notify(http_server)
    assert retried.exit_code == 3
    assert len(http_server.posts) == 2  # the failed one, then the retry


def test_config_urls_and_usage_errors(db: str, http_server: LocalServer, tmp_path: Path) -> None:
    runner = CliRunner()
    nowhere = runner.invoke(cli, ["notify"])
    assert nowhere.exit_code == 2
    assert "nowhere to send" in nowhere.output
    team = runner.invoke(cli, ["notify", "--digest", "--team", "A"])
    assert team.exit_code == 2
    assert "teams are not available yet" in team.output
    (tmp_path / "config.toml").write_text(
        '[notify]\nurls = ["json://127.0.0.1:${HOOK_PORT}/hook"]\n'
    )
    plan(db, 4, 13.8)
    unset = runner.invoke(cli, ["notify"])
    assert unset.exit_code == 1
    assert "environment variable HOOK_PORT is not set" in unset.output
    ok = runner.invoke(cli, ["notify"], env={"HOOK_PORT": str(http_server.port)})
    assert ok.exit_code == 3, ok.output
    assert len(http_server.posts) == 1


def test_no_health_data_in_logs(
    db: str, http_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    plan(db, 4, 13.8)
    with caplog.at_level(logging.DEBUG):
        result = notify(http_server)
    assert result.exit_code == 3
    assert len(http_server.posts) == 1
    assert not [r for r in caplog.records if "13.8" in r.getMessage() or "spike" in r.getMessage()]


def test_weekly_digest_once_per_week(db: str, http_server: LocalServer) -> None:
    plan(db, 4, 13.8)
    first = notify(http_server, "--digest", "--all")
    assert first.exit_code == 3, first.output
    (message,) = http_server.messages()
    monday = TODAY - timedelta(days=TODAY.weekday())
    lines = message.splitlines()
    assert lines[0] == f"Week of {monday.isoformat()}: 1 of 2 athlete(s) need attention."
    assert lines[1] == f"1. me — ahead on {day_text(4)}: spike (caution), " + (
        "a run of up to 13.19 km that day stays clear"
        if "13.19" in lines[1]
        else "a run of up to 13.20 km that day stays clear"
    )
    assert len(lines) == 2  # Calm Casey has nothing to see
    second = notify(http_server, "--digest", "--all")
    assert second.exit_code == 3
    assert "already sent for the week" in second.output
    assert len(http_server.posts) == 1
    # a digest for one athlete is another digest
    own = notify(http_server, "--digest", "--athlete", "Calm Casey")
    assert own.exit_code == 0, own.output
    assert (
        http_server.messages()[1]
        == f"Week of {monday.isoformat()}: none of 1 athlete(s) needs attention."
    )


def _feed(days_ahead: int, summary: str) -> bytes:
    day = (TODAY + timedelta(days=days_ahead)).strftime("%Y%m%d")
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//loadwatch tests//feed//EN\r\n"
        "BEGIN:VEVENT\r\nUID:long-run@loadwatch.test\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART;VALUE=DATE:{day}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def test_notify_rereads_the_subscribed_calendar(db: str, http_server: LocalServer) -> None:
    http_server.files["/feed.ics"] = _feed(4, "Long run 12 km")
    url = f"http://127.0.0.1:{http_server.port}/feed.ics"
    subscribed = CliRunner().invoke(cli, ["plan", "subscribe", url])
    assert subscribed.exit_code == 0, subscribed.output
    assert notify(http_server).exit_code == 0
    assert http_server.posts == []
    http_server.files["/feed.ics"] = _feed(4, "Long run 13.8 km")  # the coach changed it
    result = notify(http_server)
    assert result.exit_code == 3, result.output
    (message,) = http_server.messages()
    assert message.startswith(f"The 13.8 km planned for {day_text(4)} would be 15% longer")


def test_a_duration_in_the_feed_is_estimated_and_said_so(db: str, http_server: LocalServer) -> None:
    # the history runs at 330 s/km: 75 min is 75 x 60 / 330 = 13.6 km, 13% over 12 km
    http_server.files["/feed.ics"] = _feed(4, "Progression 75 min")
    url = f"http://127.0.0.1:{http_server.port}/feed.ics"
    assert CliRunner().invoke(cli, ["plan", "subscribe", url]).exit_code == 0
    result = notify(http_server)
    assert result.exit_code == 3, result.output
    (message,) = http_server.messages()
    assert message.startswith(
        f"The 13.6 km (estimated from its duration) planned for {day_text(4)} would be 13% longer"
    )


def test_notify_config_section(tmp_path: Path) -> None:
    from loadwatch.alerts.config import ConfigError
    from loadwatch.notify.config import read_notify_config

    path = tmp_path / "config.toml"
    path.write_text(
        "[thresholds]\nramp_caution_pct = 15\n\n"
        '[notify]\nurls = ["json://a/hook"]\ndays = 3\ncleared = true\n\n'
        '[notify.athletes."Sam Jumps"]\nurls = ["json://sam/hook"]\n'
    )
    config = read_notify_config(path)
    assert (config.days, config.cleared) == (3, True)
    assert config.urls_for("Sam Jumps") == ["json://sam/hook"]
    assert config.urls_for("Alex") == ["json://a/hook"]
    assert config.digest_targets() == ["json://a/hook"]
    # the thresholds reader accepts the [notify] section next to its own
    from loadwatch.alerts.config import thresholds_for

    assert thresholds_for(path=path).ramp_caution_pct == 15
    path.write_text('[notify]\nurl = ["json://a/hook"]\n')
    with pytest.raises(ConfigError, match="unknown key 'url'"):
        read_notify_config(path)
    path.write_text("[notify]\ndays = 0\n")
    with pytest.raises(ConfigError, match="days must be a whole number from 1 to 28"):
        read_notify_config(path)


def test_all_leaves_out_athletes_without_a_target(
    db: str, http_server: LocalServer, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text(
        f'[notify.athletes.me]\nurls = ["json://127.0.0.1:{http_server.port}/me"]\n'
    )
    plan(db, 4, 13.8)
    plan(db, 4, 13.8, athlete="Calm Casey")
    result = CliRunner().invoke(cli, ["notify", "--all"])
    assert result.exit_code == 3, result.output
    assert [path for path, _ in http_server.posts] == ["/me"]
    assert "Warning: Calm Casey: no notification URL configured; skipped" in result.output


def test_a_risky_week_names_its_worst_day_and_what_the_rest_of_the_plan_does(db: str) -> None:
    from loadwatch.notify.findings import findings_for
    from loadwatch.notify.render import finding_message

    # T+2: 20 km; T+4: 16 km. Worked out by hand:
    # - spike at T+2: 20 / 12 = +67% (caution); T+4 is no spike (16 < 20).
    # - ramp: the 7 days to T+2 hold 8 + 6 + 20 = 34 km against 12 + 6 + 8 = 26 km
    #   (+30.8%, over 30%); to T+4, 6 + 20 + 16 = 42 km against 26 km: +61.5%, the peak.
    # - ceiling at T+2: any run there up to 14.5 km leaves T+4's 16 km a spike
    #   over it, so no run that day keeps the rest of the plan quiet.
    plan(db, 2, 20.0, athlete="Calm Casey")
    plan(db, 4, 16.0, athlete="Calm Casey")
    found = findings_for(Store.open(db), "Calm Casey", 7, TODAY)
    assert [(f.rule, f.date, f.peak_date) for f in found] == [
        ("ramp", TODAY + timedelta(days=2), TODAY + timedelta(days=4)),
        ("spike", TODAY + timedelta(days=2), TODAY + timedelta(days=2)),
    ]
    ramp, spike = found
    assert ramp.value == pytest.approx(100 * (42 / 26 - 1))
    assert ramp.ceiling_km == 0 and ramp.ceiling_trigger == ("spike", TODAY + timedelta(days=4))
    assert finding_message(ramp) == (
        f"Calm Casey: the 20.0 km planned for {day_text(2)} would put 62% more distance in the "
        f"7 days to {day_text(4)} than in the 7 before (42.0 km against 26.0 km), over the 30% "
        "threshold (ramp, caution; associated with a higher injury rate in nielsen2014); "
        f"whatever is run that day, the rest of the plan sets off spike on {day_text(4)}."
    )
    assert spike.value == pytest.approx(100 * (20 / 12 - 1))


def test_cron_command_as_a_process(db: str, http_server: LocalServer, tmp_path: Path) -> None:
    """What cron runs: ``python -m loadwatch notify`` with the config file's target."""
    import os
    import subprocess
    import sys

    (tmp_path / "config.toml").write_text(
        f'[notify]\nurls = ["json://127.0.0.1:{http_server.port}/hook"]\n'
    )
    plan(db, 4, 13.8)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    command = [sys.executable, "-m", "loadwatch", "notify"]
    first = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert first.returncode == 3, first.stderr
    second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert second.returncode == 3, second.stderr
    assert len(http_server.posts) == 1
    assert first.stderr == "" and second.stderr == ""
