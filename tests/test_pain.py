"""Pain input checks, CSV parsing, Spearman correlation and the pain–load report."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pandas as pd
import pytest

from loadwatch.alerts.config import Thresholds
from loadwatch.errors import ValidationError
from loadwatch.pain import (
    pain_report,
    parse_pain_csv,
    parse_score,
    read_text,
    spearman,
    validate_entry,
)
from loadwatch.store import PainEntry

TODAY = date(2026, 3, 31)


@pytest.mark.parametrize(("text", "score"), [("0", 0), ("10", 10), (" 7 ", 7), (3, 3), ("07", 7)])
def test_scores_that_pass(text: object, score: int) -> None:
    assert parse_score(text) == score


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11", "pain score must be from 0 to 10 (got 11)"),
        ("-1", "pain score must be from 0 to 10 (got -1)"),
        ("5.5", "pain score must be a whole number from 0 to 10 (got '5.5')"),
        ("five", "pain score must be a whole number from 0 to 10 (got 'five')"),
        ("", "pain score must be a whole number from 0 to 10 (got '')"),
        (True, "pain score must be a whole number from 0 to 10 (got 'True')"),
    ],
)
def test_scores_that_fail(text: object, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_score(text)
    assert str(err.value) == message


def test_entry_defaults_and_fields() -> None:
    e = validate_entry(athlete="Sam", score="4", today=TODAY)
    assert (e.date, e.location, e.timing, e.time, e.sleep_h, e.stress, e.note) == (
        TODAY,
        "lower_back",
        "not_running",
        None,
        None,
        None,
        None,
    )
    e = validate_entry(
        athlete="Sam",
        score=6,
        day="2026-03-30",
        at="07:15",
        where="Hip-Flexor",
        when="next_morning",
        sleep_h="6.5",
        stress="8",
        note="  stiff getting up ",
        today=TODAY,
    )
    assert (e.date, e.time, e.location, e.sleep_h, e.stress, e.note) == (
        date(2026, 3, 30),
        time(7, 15),
        "hip_flexor",
        6.5,
        8,
        "stiff getting up",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", "2026-04-01", "date 2026-04-01 is in the future (today is 2026-03-31)"),
        ("day", "2026-02-30", "date must look like 2026-03-31 (got '2026-02-30')"),
        ("day", "31/03/2026", "date must look like 2026-03-31 (got '31/03/2026')"),
        ("where", "knee", "where must be one of lower_back, hip, hip_flexor, glute_si, other"),
        ("when", "lunch", "when must be one of during_run, after_run, next_morning, not_running"),
        ("sleep_h", "25", "sleep hours must be from 0 to 24 (got 25)"),
        ("sleep_h", "lots", "sleep hours must be a number (got 'lots')"),
        ("stress", "11", "stress must be a whole number from 0 to 10 (got '11')"),
        ("stress", "2.5", "stress must be a whole number from 0 to 10 (got '2.5')"),
        ("at", "7h", "time must look like 07:30 (got '7h')"),
    ],
)
def test_bad_fields_are_clear_errors(field: str, value: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        validate_entry(athlete="Sam", score=3, today=TODAY, **{field: value})
    assert str(err.value).startswith(message)


def test_today_is_allowed() -> None:
    assert validate_entry(athlete="Sam", score=1, day="2026-03-31", today=TODAY).date == TODAY


# ------------------------------------------------------------------------ CSV
GOOD = (
    "date,score,where,when,sleep_h,stress,note\n"
    "2026-03-01,2,,,,,\n"
    "\n"
    '2026-03-02,5,hip,after_run,7.5,3,"long run, hilly"\n'
)


def test_csv_good_rows() -> None:
    result = parse_pain_csv(GOOD, athlete="Sam", today=TODAY)
    assert result.bad == []
    assert [(e.date, e.score, e.location, e.timing, e.note) for e in result.entries] == [
        (date(2026, 3, 1), 2, "lower_back", "not_running", None),
        (date(2026, 3, 2), 5, "hip", "after_run", "long run, hilly"),
    ]


def test_csv_bad_rows_are_numbered_like_a_spreadsheet() -> None:
    text = (
        "date,score,where,when,sleep_h,stress,note,time\n"
        "2026-03-01,2,,,,,,06:50\n"
        "2026-03-02,12,,,,,,\n"
        "2026-13-01,3,,,,,,\n"
        "2026-03-04,3,,,,,,,surplus\n"
    )
    result = parse_pain_csv(text, athlete="Sam", today=TODAY)
    assert [e.time for e in result.entries] == [time(6, 50)]
    assert result.bad == [
        (3, "pain score must be from 0 to 10 (got 12)"),
        (4, "date must look like 2026-03-31 (got '2026-13-01')"),
        (5, "more cells than columns in the header"),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "pain.csv: the file is empty (expected a header row)"),
        ("date,where\n2026-03-01,hip\n", "pain.csv: missing column(s) score"),
        ("date,scroe\n2026-03-01,2\n", "pain.csv: unknown column(s) 'scroe'"),
    ],
)
def test_csv_header_problems(text: str, message: str) -> None:
    with pytest.raises(ValidationError) as err:
        parse_pain_csv(text, athlete="Sam", source="pain.csv", today=TODAY)
    assert str(err.value).startswith(message)


def test_read_text_drops_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "pain.csv"
    path.write_bytes("\ufeffdate,score\n2026-03-01,4\n".encode())
    result = parse_pain_csv(read_text(path), athlete="Sam", today=TODAY)
    assert [e.score for e in result.entries] == [4]
    path.write_bytes(b"date,score\n2026-03-01,\xff\n")
    with pytest.raises(ValidationError, match="not UTF-8"):
        read_text(path)


# -------------------------------------------------------------------- Spearman
def test_spearman_by_hand() -> None:
    # d^2 = 1 + 1 + 1 + 1 + 0 = 4; rho = 1 - 6 x 4 / (5 x 24) = 0.8
    rho, n = spearman(pd.Series([1, 2, 3, 4, 5.0]), pd.Series([2, 1, 4, 3, 5.0]))
    assert (round(rho, 12), n) == (0.8, 5)
    # ties take average ranks: x ranks 1, 2.5, 2.5, 4; Pearson of ranks = 4.5 / sqrt(4.5 x 5)
    rho, _ = spearman(pd.Series([1, 2, 2, 3.0]), pd.Series([1, 2, 3, 4.0]))
    assert rho == pytest.approx(4.5 / math.sqrt(22.5))
    rho, n = spearman(pd.Series([1.0, None, 3.0]), pd.Series([1.0, 2.0, 3.0]))
    assert math.isnan(rho) and n == 2
    rho, n = spearman(pd.Series([2.0, 2.0, 2.0]), pd.Series([1.0, 2.0, 3.0]))
    assert math.isnan(rho) and n == 3


# ---------------------------------------------------------------------- report
START = date(2026, 1, 5)


def activities(km: list[float]) -> pd.DataFrame:
    rows = []
    for i, k in enumerate(km):
        if k <= 0:
            continue
        d = START + timedelta(days=i)
        rows.append(
            {
                "id": i + 1,
                "athlete": "Sam",
                "sport": "running",
                "sub_sport": None,
                "start_utc": datetime(d.year, d.month, d.day, 6, tzinfo=UTC),
                "utc_offset_s": 0,
                "local_date": d,
                "distance_m": k * 1000.0,
                "timer_s": k * 300.0,
                "elapsed_s": k * 300.0,
            }
        )
    columns = ["id", "athlete", "sport", "sub_sport", "start_utc", "utc_offset_s", "local_date"]
    frame = pd.DataFrame(rows, columns=[*columns, "distance_m", "timer_s", "elapsed_s"])
    frame["start_utc"] = pd.to_datetime(frame["start_utc"], utc=True)
    return frame


def test_report_correlates_pain_with_load_the_day_before() -> None:
    km = [float(5 + (i * 7) % 11) for i in range(40)]  # every day, 5..15 km
    pain_days = list(range(10, 40, 3))
    # rolling 7-day km on each pain day's previous day, by hand
    week_before = {d: sum(km[d - 7 : d]) for d in pain_days}
    order = sorted(pain_days, key=lambda d: week_before[d])
    score = {d: min(10, order.index(d)) for d in pain_days}  # ranks follow the 7-day load
    assert len(set(week_before.values())) == len(pain_days)  # no ties: rho exactly 1
    entries = [
        PainEntry(None, "Sam", START + timedelta(days=d), score[d], "lower_back", "next_morning")
        for d in pain_days
    ]
    report = pain_report(activities(km), entries, Thresholds(), athlete="Sam")
    table = report.correlations.set_index(["measure", "lag_days"])
    assert table.loc[("load_7d", 1), "rho"] == pytest.approx(1.0)
    assert table.loc[("load_7d", 1), "n"] == len(pain_days)
    assert table.loc[("acwr", 0), "n"] == len([d for d in pain_days if d >= 27])
    assert list(table.index.get_level_values("lag_days").unique()) == [0, 1, 2, 3]
    assert (report.entries, report.first, report.last) == (
        len(pain_days),
        START + timedelta(days=10),
        START + timedelta(days=37),
    )
    assert "not causes" in report.note


def test_report_lists_flares_with_the_load_events_before() -> None:
    km = [5.0] * 20 + [12.0] + [0.0] * 9  # a 140% spike on day 20
    entries = [
        PainEntry(None, "Sam", START + timedelta(days=d), s)
        for d, s in [(5, 1), (12, 1), (22, 5), (29, 6)]
    ]
    report = pain_report(activities(km), entries, Thresholds(), athlete="Sam")
    assert [(f.alert.date, f.alert.severity) for f in report.flares] == [
        (START + timedelta(days=22), "high"),  # a flare 2 days after the spike
        (START + timedelta(days=29), "caution"),  # 9 days after: no longer "after a spike"
    ]
    first_events = {(e.rule, e.date) for e in report.flares[0].events}
    assert ("spike", START + timedelta(days=20)) in first_events
    assert all(e.date >= START + timedelta(days=15) for e in report.flares[0].events)
    assert not [e for e in report.flares[1].events if e.rule == "spike"]


def test_report_without_runs_or_pain() -> None:
    report = pain_report(activities([0.0]), [], Thresholds(), athlete="Sam")
    assert report.entries == 0 and report.flares == []
    assert report.correlations["n"].tolist() == [0] * 12
