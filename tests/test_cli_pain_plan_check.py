"""``loadwatch pain``, ``plan``, ``check`` and ``config`` through the click CLI.

Bad input must give a one-line message, a usage exit status (2) and leave the
database exactly as it was.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from loadwatch.cli import cli
from loadwatch.errors import ValidationError
from loadwatch.model import ActivitySummary
from loadwatch.store import FileRecord, PainEntry, PlannedRun, Store

SAM = "Sam Jumps"
FIRST = date(2025, 1, 6)  # a Monday
WEEK = [6.0, 0.0, 8.0, 0.0, 7.0, 12.0, 0.0]  # 33 km: Mon, Wed, Fri, Sat
ON = FIRST + timedelta(days=42)  # the Monday after six such weeks


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("LOADWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LOADWATCH_CONFIG", str(tmp_path / "config.toml"))
    path = str(tmp_path / "lw.db")
    monkeypatch.setenv("LOADWATCH_DB", path)
    Store.open(path).add_athlete(SAM)  # writes go to athletes that exist (or --create)
    return path


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def snapshot(db: str) -> tuple[dict[str, int], list[PainEntry], list[PlannedRun]]:
    store = Store.open(db)
    return store.counts(), store.list_pain(), store.list_plans()


def add_runs(db: str, km_by_day: list[float], athlete: str = SAM) -> None:
    store = Store.open(db)
    who = store.athlete(athlete)
    for i, km in enumerate(km_by_day):
        if km <= 0:
            continue
        d = FIRST + timedelta(days=i)
        sha = f"{i:064x}"
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
        store.add_file(who, FileRecord(sha, f"run{i}.fit", 1000, "fit", "imported"), [summary])


# ----------------------------------------------------------------------- pain
def test_pain_add_and_list(db: str) -> None:
    result = run(
        "pain", "add", "4", "--date", "2026-01-02", "--time", "07:30", "--where", "hip",
        "--when", "after_run", "--sleep", "7", "--stress", "3", "--note", "stiff", "-a", SAM,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output == "Logged pain 4/10 (hip, after_run) on 2026-01-02 for Sam Jumps (id 1)\n"
    run("pain", "add", "2", "--date", "2026-01-01", "-a", SAM)
    listed = run("pain", "list", "-a", SAM, "--format", "csv")
    assert listed.output == (
        "id,date,time,score,where,when,sleep_h,stress,note\n"
        "2,2026-01-01,,2,lower_back,not_running,,,\n"
        "1,2026-01-02,07:30,4,hip,after_run,7.0,3,stiff\n"
    )
    data = json.loads(run("pain", "list", "-a", SAM, "--format", "json").output)
    assert [row["score"] for row in data] == [2, 4]
    table = run("pain", "list", "-a", SAM)
    assert table.exit_code == 0 and "Pain log: Sam Jumps" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["11"], "Error: pain score must be from 0 to 10 (got 11)\n"),
        (["5.5"], "Error: pain score must be a whole number from 0 to 10 (got '5.5')\n"),
        (["lots"], "Error: pain score must be a whole number from 0 to 10 (got 'lots')\n"),
        (["--", "-1"], "Error: pain score must be from 0 to 10 (got -1)\n"),
        (["-1"], "Error: pain score must be from 0 to 10 (got -1)\n"),
        (["-2.5"], "Error: pain score must be a whole number from 0 to 10 (got '-2.5')\n"),
        (["--", "-1", "--note", "x"], "Error: --note after '--' would be read as an argument"),
        (["3", "--date", "2999-01-01"], "Error: date 2999-01-01 is in the future"),
        (["3", "--date", "2026-02-30"], "Error: date must look like 2026-03-31 (got '2026-02-30')"),
        (["3", "--sleep", "30"], "Error: sleep hours must be from 0 to 24 (got 30)\n"),
        (["3", "--stress", "12"], "Error: stress must be a whole number from 0 to 10 (got '12')\n"),
        (["3", "--time", "25:00"], "Error: time must look like 07:30 (got '25:00')\n"),
        (["3", "--where", "knee"], "Invalid value for '--where': 'knee' is not one of"),
    ],
)
def test_bad_pain_input_writes_nothing(db: str, args: list[str], message: str) -> None:
    run("pain", "add", "1", "--date", "2026-01-01", "-a", SAM)
    before = snapshot(db)
    result = run("pain", "add", "-a", SAM, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
    assert snapshot(db) == before


def test_bad_csv_is_rejected_whole(db: str, tmp_path: Path) -> None:
    run("pain", "add", "1", "--date", "2026-01-01", "-a", SAM)
    before = snapshot(db)
    path = tmp_path / "pain.csv"
    path.write_text(
        "date,score,where,when,sleep_h,stress,note\n"
        "2026-01-02,3,,,,,\n"
        "2026-01-03,12,,,,,\n"
        "2026-01-04,4,shin,,,,\n",
        encoding="utf-8",
    )
    result = run("pain", "import", str(path), "-a", SAM)
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: pain.csv: 2 bad row(s), nothing imported:\n"
        "  row 3: pain score must be from 0 to 10 (got 12)\n"
        "  row 4: where must be one of lower_back, hip, hip_flexor, glute_si, other "
        "(got 'shin')\n"
        "Fix the rows, or use --skip-bad-rows to import the good ones.\n"
    )
    assert snapshot(db) == before

    skipped = run("pain", "import", str(path), "-a", SAM, "--skip-bad-rows")
    assert skipped.exit_code == 0
    assert skipped.stdout == (
        "Imported 1 pain entries for Sam Jumps from pain.csv; 0 already in the log\n"
    )
    assert "row 3: pain score must be from 0 to 10 (got 12)" in skipped.stderr
    assert [e.score for e in Store.open(db).list_pain(SAM)] == [1, 3]


def test_csv_header_problem_writes_nothing(db: str, tmp_path: Path) -> None:
    before = snapshot(db)
    path = tmp_path / "pain.csv"
    path.write_text("date,scroe\n2026-01-02,3\n", encoding="utf-8")
    result = run("pain", "import", str(path))
    assert result.exit_code == 2
    assert "unknown column(s) 'scroe'" in result.stderr
    assert snapshot(db) == before


def test_pain_list_csv_imports_again(db: str, tmp_path: Path) -> None:
    run("pain", "add", "4", "--date", "2026-01-02", "--where", "glute_si", "--note", "a, b")
    exported = run("pain", "list", "--format", "csv").output
    path = tmp_path / "again.csv"
    path.write_text(exported, encoding="utf-8")
    assert run("pain", "import", str(path), "-a", "Copy", "--create").exit_code == 0
    copy = Store.open(db).list_pain("Copy")
    assert [(e.date, e.score, e.location, e.note) for e in copy] == [
        (date(2026, 1, 2), 4, "glute_si", "a, b")
    ]


def test_pain_delete(db: str) -> None:
    assert run("pain", "add", "4", "--date", "2026-01-02", "-a", SAM).exit_code == 0
    assert run("pain", "add", "5", "--date", "2026-01-02", "-a", "Alex", "--create").exit_code == 0
    before = snapshot(db)
    wrong = run("pain", "delete", "2", "-a", SAM)  # Alex's entry
    assert wrong.exit_code == 2
    assert wrong.stderr == "Error: no pain entry with id 2 for athlete 'Sam Jumps'\n"
    assert snapshot(db) == before
    ok = run("pain", "delete", "1", "-a", SAM)
    assert ok.output == "Deleted pain entry 1 of Sam Jumps\n"
    assert Store.open(db).list_pain(SAM) == []
    assert run("pain", "list", "-a", "Nobody").exit_code == 2
    nobody = run("pain", "delete", "1", "-a", "Nobody")
    assert nobody.exit_code == 2
    assert nobody.stderr == "Error: no athlete called 'Nobody' (known: Alex, Sam Jumps)\n"
    assert [a.name for a in Store.open(db).list_athletes()] == ["Alex", SAM]


def test_store_delete_for_an_unknown_athlete_creates_nobody(db: str) -> None:
    store = Store.open(db)
    with pytest.raises(ValidationError) as info:
        store.delete_pain(1, "Nobody")
    assert str(info.value) == "no athlete called 'Nobody'"
    assert [a.name for a in store.list_athletes()] == [SAM]


def test_a_write_to_a_misspelt_athlete_is_refused(db: str, tmp_path: Path) -> None:
    before = snapshot(db)
    typo = run("pain", "add", "3", "-a", "Sam Jumsp")
    assert typo.exit_code == 2
    assert typo.stderr == (
        "Error: no athlete called 'Sam Jumsp' (known: Sam Jumps); "
        "check the spelling, or add --create to start a new athlete\n"
    )
    path = tmp_path / "pain.csv"
    path.write_text("date,score\n2026-01-02,3\n", encoding="utf-8")
    assert run("pain", "import", str(path), "-a", "Sam Jumsp").exit_code == 2
    assert snapshot(db) == before
    assert [a.name for a in Store.open(db).list_athletes()] == [SAM]
    # the default athlete is created on first use; a new name with --create
    assert run("pain", "add", "3").exit_code == 0
    assert run("pain", "add", "3", "-a", "Kim", "--create").exit_code == 0
    assert [a.name for a in Store.open(db).list_athletes()] == ["Kim", SAM, "me"]


def test_pain_import_twice_adds_nothing_the_second_time(db: str) -> None:
    sample = Path(__file__).resolve().parents[1] / "sample_activities" / "pain_sam.csv"
    with sample.open(encoding="utf-8", newline="") as f:
        rows = sum(1 for row in csv.DictReader(f) if any(row.values()))
    first = run("pain", "import", str(sample), "-a", SAM)
    assert first.stdout == (
        f"Imported {rows} pain entries for {SAM} from pain_sam.csv; 0 already in the log\n"
    )
    again = run("pain", "import", str(sample), "-a", SAM)
    assert again.exit_code == 0
    assert again.stdout == (
        f"Imported 0 pain entries for {SAM} from pain_sam.csv; {rows} already in the log\n"
    )
    assert len(Store.open(db).list_pain(SAM)) == rows


def test_same_entry_means_same_date_time_score_and_place(db: str, tmp_path: Path) -> None:
    run("pain", "add", "4", "--date", "2026-01-02", "--where", "hip", "-a", SAM)
    path = tmp_path / "pain.csv"
    path.write_text(
        "date,time,score,where,note\n"
        "2026-01-02,,4,hip,other note\n"  # the same entry (the note does not count)
        "2026-01-02,07:00,4,hip,\n"  # another time
        "2026-01-02,,5,hip,\n"  # another score
        "2026-01-02,,4,lower_back,\n"  # another place
        "2026-01-03,,4,hip,\n"  # another day
        "2026-01-03,,4,hip,\n",  # repeated in the file
        encoding="utf-8",
    )
    result = run("pain", "import", str(path), "-a", SAM)
    assert result.stdout.endswith("Imported 4 pain entries for Sam Jumps from pain.csv; "
                                  "2 already in the log\n")  # fmt: skip
    assert len(Store.open(db).list_pain(SAM)) == 5


def test_pain_report_text_and_json(db: str) -> None:
    add_runs(db, WEEK * 6)
    for day, score in [(10, 1), (20, 2), (30, 1), (36, 6), (40, 2)]:
        d = FIRST + timedelta(days=day)
        assert run("pain", "add", str(score), "--date", str(d), "-a", SAM).exit_code == 0
    text = run("pain", "report", "-a", SAM)
    assert text.exit_code == 0
    assert text.output.startswith(
        "Pain and load for Sam Jumps: 5 entries, 2025-01-16 to 2025-02-15\n"
    )
    assert "These are associations, not causes" in text.output
    assert "Pain flares (1) and load events in the 7 days before:" in text.output
    assert "  2025-02-11  CAUTION  pain 6/10" in text.output
    data = json.loads(run("pain", "report", "-a", SAM, "--format", "json").output)
    assert len(data["correlations"]) == 12
    lag0 = [c for c in data["correlations"] if c["measure"] == "load_7d" and c["lag_days"] == 0]
    assert lag0[0]["n"] == 5
    assert [f["date"] for f in data["flares"]] == ["2025-02-11"]


# ----------------------------------------------------------------------- plan
def test_plan_add_list_delete(db: str) -> None:
    # --units mi: the distance is taken, and echoed, in miles (stored as 16.093 km)
    assert run("plan", "add", "2026-04-04", "10", "--units", "mi", "-a", SAM).output == (
        "Planned 10.00 mi on 2026-04-04 for Sam Jumps (id 1)\n"
    )
    run("plan", "add", "2026-04-02", "8", "-a", SAM, "--note", "easy")
    listed = run("plan", "list", "-a", SAM, "--format", "csv")
    assert listed.output == (
        "id,date,distance_km,note\n2,2026-04-02,8.0,easy\n1,2026-04-04,16.093,\n"
    )
    assert run("plan", "list", "-a", SAM, "--since", "2026-04-03", "--format", "csv").output == (
        "id,date,distance_km,note\n1,2026-04-04,16.093,\n"
    )
    # the table follows --units: 8 km = 4.971 mi, 16.0934 km = 10.0 mi
    in_miles = run("plan", "list", "-a", SAM, "--units", "mi").output
    assert "distance_mi" in in_miles and "4.971" in in_miles and "10.0 " in in_miles
    before = snapshot(db)
    for bad in (["2026-04-05", "0"], ["2026-04-05", "ten"], ["April 5", "10"]):
        result = run("plan", "add", *bad, "-a", SAM)
        assert result.exit_code == 2 and result.stderr.startswith("Error: ")
    assert snapshot(db) == before
    assert run("plan", "delete", "2", "-a", SAM).output == "Deleted planned run 2 of Sam Jumps\n"
    assert [p.id for p in Store.open(db).list_plans(SAM)] == [1]


def test_plan_import(db: str, tmp_path: Path) -> None:
    path = tmp_path / "block.csv"
    path.write_text("date,distance_km,note\n2026-04-01,8,\n2026-04-03,-2,\n", encoding="utf-8")
    before = snapshot(db)
    bad = run("plan", "import", str(path), "-a", SAM)
    assert bad.exit_code == 2
    assert "row 3: distance must be above 0 (got -2)" in bad.stderr
    assert snapshot(db) == before
    path.write_text(
        "date,distance_km,note\n2026-04-01,8,\n2026-04-03,21.1,race\n", encoding="utf-8"
    )
    good = run("plan", "import", str(path), "-a", SAM)
    assert good.output == "Imported 2 planned runs for Sam Jumps from block.csv\n"
    assert [(p.date, p.distance_m, p.note) for p in Store.open(db).list_plans(SAM)] == [
        (date(2026, 4, 1), 8000.0, None),
        (date(2026, 4, 3), 21100.0, "race"),
    ]


# ---------------------------------------------------------------------- check
CEILING_LINES = (
    "Safe ceiling (no spike, ramp alert at caution or above in the 7 days):\n"
    # the spike binds at 1.1 x 12 km (the Saturday runs) = 13.2 km; the ramp only at
    # 1.3 x 33 - 27 = 15.9 km (the week before holds Tue..Sun = 27 km of a 33 km week)
    "  Run on 2025-02-17: 13.20 km (binds: spike)\n"
    "    13.21 km would raise a spike caution on 2025-02-17.\n"
    # spread like the usual week (6, 8, 7, 12 of 33 km), Saturday's run passes 1.1 x 12 km
    # at 36.3 km (Wednesday's at 54.45 km; the ramp at 1.3 x 33 = 42.9 km)
    "  7 days 2025-02-17 to 2025-02-23: 36.30 km (binds: spike), spread like your usual week:\n"
    "    Mon 2025-02-17 6.6 km, Wed 2025-02-19 8.8 km, Fri 2025-02-21 7.7 km, "
    "Sat 2025-02-22 13.2 km\n"
    "    36.31 km would raise a spike caution on 2025-02-22.\n"
    "  Info-level rules, monotony and pain never set a ceiling.\n"
    "\n"
    "loadwatch shows what was measured and what studies found; it is not medical advice.\n"
)


def test_check_quiet_plan_exits_0(db: str) -> None:
    add_runs(db, WEEK * 6)
    result = run("check", "-a", SAM, "--on", str(ON), "--run", "6")
    assert result.exit_code == 0
    assert result.output == (
        "Check for Sam Jumps from 2025-02-17 to 2025-02-23\n"
        "(last recorded run: 2025-02-15; planned runs counted: 0; what-if: 6.00 km on 2025-02-17)\n"
        "\n"
        "No alerts.\n"
        "\n" + CEILING_LINES
    )


def _ewma_on_on_day(extra_km: float) -> tuple[float, float]:
    """Acute and chronic EWMA on ON with a run of extra_km that day (seeded with day 0)."""
    load = (WEEK * 6) + [extra_km]
    acute = chronic = load[0]
    for x in load[1:]:
        acute = 0.25 * x + 0.75 * acute
        chronic = (2 / 29) * x + (27 / 29) * chronic
    return acute, chronic


def test_check_jump_exits_3_with_exact_report(db: str) -> None:
    add_runs(db, WEEK * 6)
    result = run("check", "-a", SAM, "--on", str(ON), "--run", "20")
    assert result.exit_code == 3
    # ACWR is info only above 1.5 by default; worked out independently of the engine:
    acute, chronic = _ewma_on_on_day(20.0)
    assert 1.3 < acute / chronic < 1.5  # a caution under gabbett2016, nothing by default
    # coupled: 47 km in 7 days against 146 km in 28 (days 15..42): 4 x 47 / 146 = 1.29
    head = (
        "Check for Sam Jumps from 2025-02-17 to 2025-02-23\n"
        "(last recorded run: 2025-02-15; planned runs counted: 0; "
        "what-if: 20.00 km on 2025-02-17)\n"
        "\n"
        # 20 km against the 12 km Saturdays: +66.7%
        "CAUTION: Single-run spike (2025-02-17, planned)\n"
        "  A planned 20.0 km run on 2025-02-17 would be 67% longer than your longest run of "
        "the 30 days before (12.0 km).\n"
        # Mon..Thu rolling weeks: 47, 47, 39, 39 km against 33 km: +42%, +42% (caution),
        # +18%, +18% (info, on rest days after the check date: not shown)
        "CAUTION: Weekly ramp (2025-02-17 to 2025-02-18, planned)\n"
        "  Your 7 days to 2025-02-18 with the planned runs: 47.0 km against 33.0 km the "
        "7 days before (+42%).\n"
        "\n"
        "What the studies found:\n"
        "  Single-run spike: In a study of 5,205 runners, "
    )
    assert result.output.startswith(head)
    assert result.output.endswith(CEILING_LINES)
    # the evidence is written once per rule, not repeated on every alert
    for line in (
        "    frandsen2025: Frandsen et al., Br J Sports Med 2025;59:1203 "
        "(5,205 runners, single-session distance spikes)\n",
        "    nielsen2014: Nielsen et al., JOSPT 2014 "
        "(weekly increase > 30% vs < 10%: distance-related injuries HR 1.59)\n",
        "  Weekly ramp: Keeping increases to 10% a week is a common rule of thumb",
    ):
        assert result.output.count(line) == 1, line
    assert "ACWR" not in result.output and "acute:chronic" not in result.output


def test_check_json(db: str) -> None:
    add_runs(db, WEEK * 6)
    run("plan", "add", str(ON + timedelta(days=2)), "8", "-a", SAM)
    result = run("check", "-a", SAM, "--on", str(ON), "--run", "20", "--format", "json")
    assert result.exit_code == 3
    data = json.loads(result.output)
    assert (data["athlete"], data["as_of"], data["found"]) == (SAM, "2025-02-17", True)
    run_ceiling, week_ceiling = data["ceiling"]["run"], data["ceiling"]["week"]
    assert (run_ceiling["km"], run_ceiling["binding_rule"], run_ceiling["status"]) == (
        13.2,
        "spike",
        "binds",
    )
    assert run_ceiling["message"] == "13.21 km would raise a spike caution on 2025-02-17."
    assert (week_ceiling["km"], week_ceiling["binding_rule"]) == (36.3, "spike")
    assert week_ceiling["spread_km"] == {
        "2025-02-17": 6.6,
        "2025-02-19": 8.8,
        "2025-02-21": 7.7,
        "2025-02-22": 13.2,
    }
    spike = next(a for a in data["alerts"] if a["rule"] == "spike")
    assert spike == {
        "date": "2025-02-17",
        "athlete": SAM,
        "rule": "spike",
        "severity": "caution",
        "value": pytest.approx(100 * (20 / 12 - 1), abs=1e-4),
        "threshold": 10.0,
        "planned": True,
        "evidence": "frandsen2025",
        "inputs": {"distance_km": 20.0, "longest_30d_km": 12.0},
        "message": "A planned 20.0 km run on 2025-02-17 would be 67% longer than your longest "
        "run of the 30 days before (12.0 km).",
    }
    # with the 8 km planned on Wednesday, Mon..Thu each hold 47 km against 33 km: +42.4%
    ramps = [(a["date"], a["severity"]) for a in data["alerts"] if a["rule"] == "ramp"]
    assert ramps == [(str(ON + timedelta(days=k)), "caution") for k in range(4)]
    assert {a["severity"] for a in data["alerts"]} == {"caution"}
    assert data["projected"]["week_load"] == pytest.approx(47.0)


def test_check_run_in_miles(db: str) -> None:
    add_runs(db, WEEK * 6)
    miles = 12.5
    km = miles * 1.609344  # 20.1168 km
    args = ["check", "-a", SAM, "--on", str(ON), "--run", str(miles), "--units", "mi"]
    text = run(*args)
    assert text.exit_code == 3
    assert "what-if: 12.50 mi on 2025-02-17" in text.output
    spike_pct = 100 * (km / 12 - 1)  # 67.6%
    assert (
        f"A planned 12.5 mi run on 2025-02-17 would be {spike_pct:.0f}% longer than your "
        f"longest run of the 30 days before ({12 / 1.609344:.1f} mi)."
    ) in text.output
    # the ceilings in miles: 13.2 km and 36.3 km
    assert f"Run on 2025-02-17: {13.2 / 1.609344:.2f} mi (binds: spike)" in text.output
    assert " km" not in text.output
    data = json.loads(run(*args, "--format", "json").output)
    # JSON numbers stay in km; the --run value was taken in miles
    spike = next(a for a in data["alerts"] if a["rule"] == "spike")
    assert spike["inputs"]["distance_km"] == pytest.approx(km, abs=1e-4)
    assert spike["value"] == pytest.approx(spike_pct, abs=1e-3)
    assert data["projected"]["week_load"] == pytest.approx(27 + km)
    assert data["ceiling"]["run"]["km"] == 13.2
    assert " km" not in spike["message"] and " km" not in data["ceiling"]["run"]["message"]


def test_check_usage_errors(db: str) -> None:
    add_runs(db, WEEK * 6)
    both = run("check", "-a", SAM, "--on", str(ON), "--run", "5", "--week", "30")
    assert (both.exit_code, both.stderr) == (2, "Error: give --run or --week, not both\n")
    nobody = run("check", "-a", "Nobody")
    assert nobody.exit_code == 2
    assert nobody.stderr == "Error: no athlete called 'Nobody' (known: Sam Jumps)\n"
    early = run("check", "-a", SAM, "--on", "2025-01-20")
    assert early.exit_code == 2
    assert "before the last recorded run (2025-02-15)" in early.stderr


# --------------------------------------------------------------------- config
def test_config_shows_values_and_sources(db: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        '[thresholds]\nramp_caution_pct = 15\n\n[athletes."Sam Jumps".thresholds]\n'
        "spike_caution_pct = 20\n",
        encoding="utf-8",
    )
    data = json.loads(run("config", "-a", SAM, "--format", "json").output)
    assert data["thresholds"]["ramp_caution_pct"] == {"value": 15.0, "source": "config file"}
    assert data["thresholds"]["spike_caution_pct"] == {"value": 20.0, "source": "athlete Sam Jumps"}
    assert data["thresholds"]["acwr_caution"] == {"value": 1.3, "source": "default"}
    assert data["thresholds"]["acwr_profile"] == {"value": "evidence", "source": "default"}
    csv_out = run("config", "--format", "csv").output.splitlines()
    assert csv_out[0] == "key,value,source,meaning"
    assert "spike_caution_pct,10.0,default," in csv_out[1]
    # the thresholds reach the check: ramp now binds at 1.15 x 33 - 27 = 10.95 km (the spike
    # at 1.2 x 12 = 14.4 km: worked out by hand)
    add_runs(db, WEEK * 6)
    ceiling = json.loads(run("check", "-a", SAM, "--on", str(ON), "--format", "json").output)
    assert ceiling["ceiling"]["run"]["km"] == pytest.approx(10.95, abs=0.011)
    assert ceiling["ceiling"]["run"]["binding_rule"] == "ramp"


def test_config_with_an_unknown_key_is_an_error(db: str, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[thresholds]\nspike_pct = 20\n", encoding="utf-8")
    result = run("config")
    assert result.exit_code == 1
    assert "unknown key 'spike_pct'" in result.stderr
    add_runs(db, WEEK * 6)
    # a broken config file is an error (1) for every command, not a usage error (2)
    for args in (["check", "-a", SAM, "--on", str(ON)], ["status", "-a", SAM], ["alerts"]):
        broken = run(*args)
        assert broken.exit_code == 1, (args, broken.output)  # 1: an error, not 3: found
        assert broken.stdout == ""
        assert "unknown key 'spike_pct'" in broken.stderr
        assert "--units" not in broken.stderr


def test_every_command_has_help() -> None:
    for args in (
        ["pain"],
        ["pain", "add"],
        ["pain", "list"],
        ["pain", "import"],
        ["pain", "delete"],
        ["pain", "report"],
        ["plan"],
        ["plan", "add"],
        ["plan", "list"],
        ["plan", "delete"],
        ["plan", "import"],
        ["check"],
        ["config"],
        ["status"],
        ["alerts"],
    ):
        result = run(*args, "--help")
        assert result.exit_code == 0, args
        assert "Example:" in result.output, args
