"""Daily wellness from a Garmin Connect export: sleep, resting heart rate, stress, HRV.

Garmin moves these files between folders from one export version to the next,
so they are found by file name anywhere in the archive (nested zips included):

- ``*sleepData.json``: sleep hours (deep + light + REM seconds / 3600) and
  ``sleepScores.overallScore`` (0-100);
- ``UDSFile_*.json``: ``restingHeartRate`` (bpm), all-day stress (the
  ``TOTAL`` entry's ``averageStressLevel``, 0-100), body battery high (0-100);
- ``*healthStatusData.json``: overnight HRV (the ``HRV`` metric's ``value``, ms).

Export chunks overlap in dates, so each date is kept once: for sleep the
longest night (a nap or a re-exported chunk never doubles a night), for the
other files the record with the most values. Values Garmin uses for "not
measured" (0 or negative, status ``UNKNOWN``) become None. Unknown fields are
ignored. Nothing here touches the store: :func:`read_wellness_members` returns
plain :class:`DeviceDay` rows for the importer to store.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any

from loadwatch.errors import ActivityFileError

#: A wellness JSON larger than this (uncompressed) is refused, not read into memory.
MAX_WELLNESS_BYTES = 64 * 1024 * 1024

_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("sleep", re.compile(r"sleepdata\.json$")),
    ("uds", re.compile(r"^udsfile.*\.json$")),
    ("health", re.compile(r"healthstatusdata\.json$")),
)
#: YYYY-MM-DD, alone or followed by a time ("2026-01-15T00:00:00.0" in some exports)
_ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ][0-9:.]*)?$")


def wellness_kind(name: str) -> str | None:
    """``sleep``, ``uds`` or ``health`` for a wellness file name (any folder or case), else None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for kind, pattern in _KINDS:
        if pattern.search(base):
            return kind
    return None


@dataclass(slots=True)
class DeviceDay:
    """One day of device wellness. Units: hours, 0-100 scores, bpm, ms."""

    date: date
    sleep_h: float | None = None
    sleep_score: float | None = None
    resting_hr: float | None = None
    hrv_ms: float | None = None
    stress_device: float | None = None
    body_battery_high: float | None = None

    def values(self) -> dict[str, Any]:
        """Every value column (not the date)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "date"}


@dataclass(slots=True)
class WellnessRead:
    """Days read from the wellness files of one archive, and files that failed."""

    days: list[DeviceDay] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (display, reason)
    files: int = 0


# ----------------------------------------------------------------- helpers
def _number(value: Any, *, low: float, high: float) -> float | None:
    """A finite number within [low, high], or None (Garmin writes 0/-1/-2 for 'no data')."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        return None
    return number


def _day(record: Mapping[str, Any]) -> date | None:
    text = record.get("calendarDate")
    if isinstance(text, dict):  # some versions nest it: {"date": "2026-03-01"}
        text = text.get("date")
    found = _ISO_DATE.match(text.strip()) if isinstance(text, str) else None
    if found is None:
        return None
    try:
        day = date.fromisoformat(found.group(1))
    except ValueError:
        return None
    return day if day.year >= 1990 else None


def _records(data: Any, *wrappers: str) -> list[Mapping[str, Any]]:
    """The day records of a file: a list, or a list under one of ``wrappers``."""
    if isinstance(data, dict):
        for key in wrappers:
            if isinstance(data.get(key), list):
                data = data[key]
                break
        else:
            data = [data]
    if not isinstance(data, list):
        return []
    out: list[Mapping[str, Any]] = []
    for item in data:
        if isinstance(item, dict):
            nested = [item[k] for k in wrappers if isinstance(item.get(k), list)]
            if nested:
                out.extend(r for r in nested[0] if isinstance(r, dict))
            else:
                out.append(item)
    return out


# ------------------------------------------------------------ the three files
def sleep_nights(data: Any) -> dict[date, tuple[float, float | None]]:
    """Per wake-up date: (hours asleep, sleep score 0-100), the longest night of the date.

    Hours asleep = deep + light + REM seconds (awake time excluded); when none
    of these is present, ``sleepTimeSeconds``.
    """
    nights: dict[date, tuple[float, float | None]] = {}
    for rec in _records(data, "sleepData"):
        day = _day(rec)
        if day is None:
            continue
        parts = [
            _number(rec.get(k), low=0, high=86_400)
            for k in ("deepSleepSeconds", "lightSleepSeconds", "remSleepSeconds")
        ]
        known = [p for p in parts if p is not None]
        seconds = sum(known) if known else _number(rec.get("sleepTimeSeconds"), low=0, high=86_400)
        if not seconds:
            continue
        scores = rec.get("sleepScores")
        score = None
        if isinstance(scores, dict):
            overall = scores.get("overallScore", scores.get("overall"))
            if isinstance(overall, dict):  # the Connect API's shape: {"value": 82}
                overall = overall.get("value")
            score = _number(overall, low=1, high=100)
        hours = seconds / 3600.0
        if day not in nights or hours > nights[day][0]:
            nights[day] = (hours, score)
    return nights


def daily_summaries(data: Any) -> dict[date, dict[str, float | None]]:
    """Per date from a UDS file: resting_hr (bpm), stress_device and body_battery_high (0-100)."""
    days: dict[date, dict[str, float | None]] = {}
    for rec in _records(data, "udsSummaryEntities"):
        day = _day(rec)
        if day is None:
            continue
        stress = None
        all_day = rec.get("allDayStress")
        if isinstance(all_day, dict):
            for agg in all_day.get("aggregatorList") or []:
                if isinstance(agg, dict) and agg.get("type") == "TOTAL":
                    stress = _number(agg.get("averageStressLevel"), low=0, high=100)
        battery = None
        bb = rec.get("bodyBattery")
        if isinstance(bb, dict):
            for stat in bb.get("bodyBatteryStatList") or []:
                if isinstance(stat, dict) and stat.get("bodyBatteryStatType") == "HIGHEST":
                    battery = _number(stat.get("statsValue"), low=0, high=100)
        resting = _number(rec.get("restingHeartRate"), low=20, high=150)
        if resting is None:  # some days carry only the day's own value
            resting = _number(rec.get("currentDayRestingHeartRate"), low=20, high=150)
        values = {
            "resting_hr": resting,
            "stress_device": stress,
            "body_battery_high": battery,
        }
        _keep_fuller(days, day, values)
    return days


def health_status(data: Any) -> dict[date, dict[str, float | None]]:
    """Per date from a health-status file: hrv_ms (overnight HRV, ms)."""
    days: dict[date, dict[str, float | None]] = {}
    for rec in _records(data, "healthStatusData"):
        day = _day(rec)
        if day is None:
            continue
        hrv = None
        for metric in rec.get("metrics") or []:
            if not isinstance(metric, dict) or metric.get("type") != "HRV":
                continue
            if str(metric.get("status", "")).upper() != "UNKNOWN":
                hrv = _number(metric.get("value"), low=1, high=500)
        _keep_fuller(days, day, {"hrv_ms": hrv})
    return days


def _keep_fuller(
    days: dict[date, dict[str, float | None]], day: date, values: dict[str, float | None]
) -> None:
    """Keep, per date, the record with the most values (the first one on a tie)."""
    filled = sum(v is not None for v in values.values())
    if filled == 0:
        return
    current = days.get(day)
    if current is None or filled > sum(v is not None for v in current.values()):
        days[day] = values


# ------------------------------------------------------------- whole archive
class WellnessCollector:
    """Gathers the wellness files of one archive and merges them into days."""

    def __init__(self) -> None:
        self.sleep: dict[date, tuple[float, float | None]] = {}
        self.uds: dict[date, dict[str, float | None]] = {}
        self.health: dict[date, dict[str, float | None]] = {}

    def add(self, display: str, raw: bytes) -> None:
        """Read one file's bytes; ActivityFileError when it is not the JSON expected."""
        kind = wellness_kind(display)
        if kind is None:
            raise ActivityFileError(display, "not a Garmin wellness file")
        try:
            data = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as e:
            raise ActivityFileError(display, f"unreadable wellness JSON ({e})") from e
        if kind == "sleep":
            for day, night in sleep_nights(data).items():
                if day not in self.sleep or night[0] > self.sleep[day][0]:
                    self.sleep[day] = night
        elif kind == "uds":
            for day, values in daily_summaries(data).items():
                _keep_fuller(self.uds, day, values)
        else:
            for day, values in health_status(data).items():
                _keep_fuller(self.health, day, values)

    def days(self) -> list[DeviceDay]:
        """One :class:`DeviceDay` per date with any value, oldest first (hours rounded to 0.01)."""
        out: list[DeviceDay] = []
        for day in sorted(set(self.sleep) | set(self.uds) | set(self.health)):
            row = DeviceDay(day)
            if day in self.sleep:
                hours, row.sleep_score = self.sleep[day]
                row.sleep_h = round(hours, 2)
            for values in (self.uds.get(day, {}), self.health.get(day, {})):
                for key, value in values.items():
                    setattr(row, key, value)
            out.append(row)
        return out


def read_wellness_members(members: Iterable[Any]) -> WellnessRead:
    """Read every wellness member (``loadwatch.ingest.sources.Member``) of an archive.

    A file that is too large, damaged or not the JSON expected is reported by
    name in ``problems``; the others are still read.
    """
    collector = WellnessCollector()
    result = WellnessRead()
    for member in members:
        result.files += 1
        if member.size > MAX_WELLNESS_BYTES:
            reason = f"wellness file larger than {MAX_WELLNESS_BYTES // (1024 * 1024)} MB"
            result.problems.append((member.display, reason))
            continue
        try:
            collector.add(member.display, member.read())
        except ActivityFileError as e:
            result.problems.append((member.display, e.reason))
    result.days = collector.days()
    return result
