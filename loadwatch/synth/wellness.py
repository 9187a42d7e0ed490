"""Synthetic wellness days and Garmin-style export archives.

:func:`garmin_wellness_files` writes a list of :class:`WellnessNight` days as
the JSON files of a Garmin Connect export (``*_sleepData.json``,
``UDSFile_*.json``, ``*_healthStatusData.json``), in date chunks that overlap
the way re-exported chunks do; :func:`garmin_export` packs them, with FIT
files and an activity summary, into a zip laid out like Garmin's "export your
data" archive. Field names follow ``formats.md``. Output is deterministic:
fixed member timestamps and no compression (zlib builds differ in what they
write), so regenerated files match byte for byte.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

#: Timestamp written on every archive member (zip stores local wall-clock time).
ZIP_TIME = (2026, 11, 16, 6, 0, 0)


@dataclass(frozen=True, slots=True)
class WellnessNight:
    """One day as a watch reports it. Units: seconds, bpm, ms, 0-100 scores.

    ``day`` is the wake-up date; the night started ``bed_utc``.
    """

    day: date
    bed_utc: datetime
    deep_s: int
    light_s: int
    rem_s: int
    awake_s: int
    sleep_score: int
    resting_hr: int
    stress_avg: int
    hrv_ms: int
    body_battery_high: int

    @property
    def asleep_s(self) -> int:
        """Seconds asleep: deep + light + REM."""
        return self.deep_s + self.light_s + self.rem_s


def _ms(dt: datetime) -> int:
    return int(dt.timestamp() * 1000)


def _gmt(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.0")


def sleep_record(n: WellnessNight) -> dict[str, Any]:
    """One night as an entry of ``*_sleepData.json``."""
    end = n.bed_utc + timedelta(seconds=n.asleep_s + n.awake_s)
    return {
        "calendarDate": n.day.isoformat(),
        "sleepStartTimestampGMT": _gmt(n.bed_utc),
        "sleepEndTimestampGMT": _gmt(end),
        "sleepWindowConfirmationType": "ENHANCED_CONFIRMED_FINAL",
        "deepSleepSeconds": n.deep_s,
        "lightSleepSeconds": n.light_s,
        "remSleepSeconds": n.rem_s,
        "awakeSleepSeconds": n.awake_s,
        "unmeasurableSeconds": 0,
        "avgSleepStress": round(n.stress_avg * 0.6),
        "sleepScores": {"overallScore": n.sleep_score},
    }


def uds_record(n: WellnessNight) -> dict[str, Any]:
    """One day as an entry of ``UDSFile_*.json``."""
    d = n.day.isoformat()
    return {
        "calendarDate": d,
        "restingHeartRate": n.resting_hr,
        "minHeartRate": n.resting_hr - 3,
        "totalSteps": 8000 + (n.day.toordinal() * 37) % 5000,
        "allDayStress": {
            "calendarDate": d,
            "aggregatorList": [
                {"type": "TOTAL", "averageStressLevel": n.stress_avg, "maxStressLevel": 90},
                {"type": "AWAKE", "averageStressLevel": n.stress_avg + 6},
                {"type": "ASLEEP", "averageStressLevel": round(n.stress_avg * 0.6)},
            ],
        },
        "bodyBattery": {
            "calendarDate": d,
            "bodyBatteryStatList": [
                {"bodyBatteryStatType": "HIGHEST", "statsValue": n.body_battery_high},
                {"bodyBatteryStatType": "LOWEST", "statsValue": max(5, n.body_battery_high - 60)},
            ],
        },
    }


def health_record(n: WellnessNight) -> dict[str, Any]:
    """One day as an entry of ``*_healthStatusData.json``."""
    return {
        "calendarDate": n.day.isoformat(),
        "metrics": [
            {"type": "HRV", "value": n.hrv_ms, "status": "IN_RANGE"},
            {"type": "HR", "value": n.resting_hr, "status": "IN_RANGE"},
        ],
    }


def _dump(records: list[dict[str, Any]]) -> bytes:
    return json.dumps(records, separators=(",", ":")).encode("utf-8")


def garmin_wellness_files(
    nights: Sequence[WellnessNight],
    *,
    user_id: int = 123456,
    chunk_days: int = 60,
    overlap_days: int = 5,
) -> dict[str, bytes]:
    """Archive member name -> bytes: the wellness JSON of an export, in overlapping chunks.

    Each chunk after the first repeats the last ``overlap_days`` days of the one
    before it, as Garmin's re-exported chunks do.
    """
    days = sorted(nights, key=lambda n: n.day)
    files: dict[str, bytes] = {}
    start = 0
    while start < len(days):
        first = max(0, start - overlap_days)
        chunk = days[first : start + chunk_days]
        lo, hi = chunk[0].day.isoformat(), chunk[-1].day.isoformat()
        wellness = "DI_CONNECT/DI-Connect-Wellness"
        files[f"{wellness}/{lo}_{hi}_{user_id}_sleepData.json"] = _dump(
            [sleep_record(n) for n in chunk]
        )
        files[f"{wellness}/{lo}_{hi}_{user_id}_healthStatusData.json"] = _dump(
            [health_record(n) for n in chunk]
        )
        files[f"DI_CONNECT/DI-Connect-Aggregator/UDSFile_{lo}_{hi}.json"] = _dump(
            [uds_record(n) for n in chunk]
        )
        start += chunk_days
    return files


def zip_bytes(members: Mapping[str, bytes]) -> bytes:
    """A deterministic zip (members stored, fixed timestamps) of ``members``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()


def garmin_export(
    fit_files: Mapping[str, bytes],
    summaries: Sequence[Mapping[str, Any]] = (),
    nights: Sequence[WellnessNight] = (),
    *,
    user: str = "runner@example.com",
    user_id: int = 123456,
) -> bytes:
    """A zip laid out like Garmin Connect's "export your data" archive.

    ``fit_files`` go into a nested ``UploadedFiles_0-_Part1.zip``;
    ``summaries`` (``summarizedActivitiesExport`` entries) into the activity
    summary; ``nights`` become the wellness JSON files.
    """
    members: dict[str, bytes] = {}
    if fit_files:
        uploads = {f"{user}_{name}": data for name, data in fit_files.items()}
        members["DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"] = zip_bytes(
            uploads
        )
    if summaries:
        members[f"DI_CONNECT/DI-Connect-Fitness/{user}_0_summarizedActivities.json"] = _dump(
            [{"summarizedActivitiesExport": list(summaries)}]
        )
    members.update(garmin_wellness_files(nights, user_id=user_id))
    return zip_bytes(members)


def activity_summary(
    activity_id: int,
    name: str,
    start_utc: datetime,
    utc_offset_s: int,
    distance_m: float,
    timer_s: float,
) -> dict[str, Any]:
    """One ``summarizedActivitiesExport`` entry (distance in cm, times in ms)."""
    return {
        "activityId": activity_id,
        "name": name,
        "activityType": {"typeKey": "running"},
        "startTimeGmt": _ms(start_utc),
        "startTimeLocal": _ms(start_utc) + utc_offset_s * 1000,
        "distance": round(distance_m * 100),
        "duration": round(timer_s * 1000),
    }
