"""Generate the bundled sample activities: two synthetic runners, 16 weeks each.

    python sample_activities/generate.py            # rewrite this folder
    python sample_activities/generate.py --out DIR  # write somewhere else

"Alex Steady" (Berlin, FIT files named like a Garmin watch names them) builds
mileage gently and should trigger no load alert. "Sam Jumps" (Denver, FIT plus
a few weeks of phone GPX files named like a Strava export) runs ~25 km a week,
then adds far too much for two weeks from Monday 2026-10-12, backs off, and
logs back pain that rises after the jump.

Both also get a watch's wellness days (sleep, resting heart rate, stress,
HRV) as a Garmin-style export zip holding only the wellness files, daily
check-ins and rehab sessions as CSV, and a rehab plan in ``expected.json``.
Sam's sleep shortens and his resting heart rate rises in the two jump weeks;
he starts a rehab routine once the pain flares. ``--garmin-export DIR``
also writes each athlete's whole record as one Garmin "export your data"
zip (FIT files, activity summary and wellness files).

Everything is derived from fixed seeds and only IEEE arithmetic, so the output
is byte-for-byte identical on every run; ``expected.json`` lists every run as
the plan defines it (file, local date, distance), independent of any reader.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from loadwatch.synth import FR255, FR965, synth_run, to_fit, to_gpx
from loadwatch.synth.wellness import (
    WellnessNight,
    activity_summary,
    garmin_export,
    garmin_wellness_files,
    zip_bytes,
)

HERE = Path(__file__).resolve().parent
WEEK1_MONDAY = date(2026, 7, 27)
# Each record starts with the long run of the Sunday before week 1 (see plan_alex).
FIRST_DAY = WEEK1_MONDAY - timedelta(days=1)
LAST_DAY = date(2026, 11, 15)  # a Sunday, 16 weeks after WEEK1_MONDAY
WEEKS = 16
SAM_JUMP_WEEK = 12  # 1-based week index: Monday 2026-10-12
SAM_PHONE_WEEKS = (6, 7)  # watch away for repair: runs recorded by a phone app (GPX)
GPX_HZ = 0.2  # phone GPX files: one point every 5 s keeps the folder small
FIT_HZ = 1.0


@dataclass(frozen=True)
class Athlete:
    """Who runs where, with what device and physiology."""

    slug: str
    name: str
    zone: str
    lat: float
    lon: float
    altitude_m: float
    hr_rest: int
    hr_max: int
    product: int
    serial: int


@dataclass(frozen=True)
class PlannedRun:
    """One run of the plan, in the runner's wall-clock time."""

    local_start: datetime  # naive, wall clock in the athlete's zone
    distance_km: float  # multiple of 0.01
    pace_s_per_km: float
    fmt: str  # "fit" or "gpx"
    pause_s: int = 0
    strava_id: int = 0  # file name of GPX runs (Strava export style)

    def file_name(self) -> str:
        if self.fmt == "gpx":
            return f"{self.strava_id}.gpx"
        return self.local_start.strftime("%Y-%m-%d-%H-%M-%S") + ".fit"


ALEX = Athlete(
    slug="alex",
    name="Alex Steady",
    zone="Europe/Berlin",
    lat=52.5163,
    lon=13.3777,
    altitude_m=38.0,
    hr_rest=48,
    hr_max=188,
    product=FR965,
    serial=3_514_207_118,
)
SAM = Athlete(
    slug="sam",
    name="Sam Jumps",
    zone="America/Denver",
    lat=39.7392,
    lon=-104.9903,
    altitude_m=1609.0,
    hr_rest=56,
    hr_max=192,
    product=FR255,
    serial=3_420_981_406,
)


def _day(week: int, weekday: int) -> date:
    """Date of ``weekday`` (0 = Monday) in 1-based ``week`` (week 0: the week before)."""
    return WEEK1_MONDAY + timedelta(days=7 * (week - 1) + weekday)


def _at(day: date, hour: int, minute_from: int, minute_to: int, rng: random.Random) -> datetime:
    """A wall-clock start on ``day`` between hour:minute_from and hour:minute_to."""
    minute = rng.randint(minute_from, minute_to)
    return datetime(day.year, day.month, day.day, hour, 0) + timedelta(
        minutes=minute, seconds=rng.randint(0, 59)
    )


def _km(x: float) -> float:
    return round(x, 2)


def plan_alex() -> list[PlannedRun]:
    """Gentle build, 30 -> 40 km a week (about +2% a week), long run about +2% a week.

    Five runs a week (Tue, Wed, Thu, Sat, Sun) with a clear long run and
    short Wednesday/Saturday runs, so daily loads vary (monotony stays low).
    The record starts with the long run of the Sunday before week 1, so every
    rolling 7-day window holds the same mix of runs and no run is ever more
    than 10% over the longest of the 30 days before it.
    """
    rng = random.Random("alex-plan")
    shares = {1: 0.21, 2: 0.12, 3: 0.22, 5: 0.12, 6: 0.33}
    runs: list[PlannedRun] = []
    for week in range(0, WEEKS + 1):
        total = 30.0 * (40.0 / 30.0) ** (max(week - 1, 0) / (WEEKS - 1))
        days = shares if week > 0 else {6: shares[6]}
        fitness = week * 0.4  # a little faster each week (s/km)
        for weekday, share in days.items():
            km = _km(total * share * (1.0 + rng.uniform(-0.03, 0.03)))
            day = _day(week, weekday)
            if weekday == 6:
                start, pace = _at(day, 8, 0, 50, rng), 352.0 - fitness
            elif weekday == 5:
                start, pace = _at(day, 9, 0, 40, rng), 345.0 - fitness
            else:
                start, pace = _at(day, 6, 40, 59, rng), 335.0 - fitness + rng.uniform(-8, 8)
            pause = rng.choice((0, 0, 0, rng.randint(20, 150)))
            runs.append(PlannedRun(start, km, round(pace, 1), "fit", pause))
    return runs


def plan_sam() -> list[PlannedRun]:
    """~25 km a week for 11 weeks, +60% with a long run ~70% over the month's longest
    for weeks 12-13, then a back-off; weeks 6-7 recorded by a phone (GPX)."""
    rng = random.Random("sam-plan")
    usual = {1: 6.0, 3: 6.5, 5: 4.5, 6: 8.0}  # Tue, Thu, Sat, Sun: 25 km
    special: dict[int, dict[int, float]] = {
        0: {6: 8.0},  # the record starts with the long run of the Sunday before week 1
        12: {1: 7.5, 2: 6.0, 3: 7.5, 5: 5.0, 6: 14.0},  # the jump: 40 km
        13: {1: 8.0, 2: 6.0, 3: 8.0, 5: 5.5, 6: 14.5},  # and again: 42 km
        14: {1: 5.0, 3: 5.0, 5: 3.5, 6: 6.5},  # back off, sore: 20 km
        15: {1: 5.5, 3: 5.5, 5: 3.5, 6: 7.0},  # then build back by < 10% a week
        16: {1: 5.5, 3: 6.0, 5: 4.0, 6: 7.5},
    }
    strava_id = 15_480_112_374
    runs: list[PlannedRun] = []
    for week in range(0, WEEKS + 1):
        days = special.get(week, usual)
        jitter = 0.04 if week not in special or week == 0 else 0.01
        fmt = "gpx" if week in SAM_PHONE_WEEKS else "fit"
        for weekday, base_km in days.items():
            km = _km(base_km * (1.0 + rng.uniform(-jitter, jitter)))
            day = _day(week, weekday)
            if weekday == 6:
                start, pace = _at(day, 7, 30, 59, rng), 395.0
            elif weekday == 5:
                start, pace = _at(day, 8, 0, 45, rng), 380.0
            else:
                start, pace = _at(day, 6, 5, 30, rng), 372.0 + rng.uniform(-6, 6)
            if week == 7 and weekday == 3:
                # an evening phone run: 19:45 MDT is 01:45Z on the next UTC day
                start = _at(day, 19, 40, 50, rng)
            if week == 15 and weekday == 3:
                # after a late meeting: 21:30 MST is 04:30Z on the next UTC day
                start = datetime(day.year, day.month, day.day, 21, 30, 0)
            if week in (SAM_JUMP_WEEK, SAM_JUMP_WEEK + 1) and weekday == 6:
                pace = 405.0
            pause = rng.choice((0, 0, rng.randint(15, 90)))
            if fmt == "gpx":
                strava_id += rng.randint(30_000_000, 90_000_000)
            runs.append(PlannedRun(start, km, round(pace, 1), fmt, pause, strava_id))
    return runs


def _utc(local: datetime, zone: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _offset_s(local: datetime, zone: str) -> int:
    """Seconds east of UTC of the wall clock in ``zone`` at ``local`` (DST included)."""
    off = local.replace(tzinfo=ZoneInfo(zone)).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def _seed(athlete: Athlete, index: int) -> int:
    return (sum(athlete.slug.encode()) * 1_000_003 + index * 7919) % (2**32)


def _pain_rows(athlete: Athlete, run_days: set[date]) -> list[dict[str, object]]:
    """The athlete's back-pain log (0-10 NRS, most days) with where/when context."""
    rng = random.Random(f"{athlete.slug}-pain")
    rows: list[dict[str, object]] = []
    jump = _day(SAM_JUMP_WEEK, 0)
    # Sam's scores by day since the jump Monday: rising through the two big
    # weeks, peaking the day of the second 14 km run, easing after the back-off.
    flare = [1, 2, 2, 3, 3, 4, 5, 6, 5, 6, 5, 6, 5, 7, 6, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 1]
    notes = {
        "next_morning": "stiff getting out of bed",
        "after_run": "sore bending down after the run, eased by walking",
    }
    day = FIRST_DAY
    while day <= LAST_DAY:
        since = (day - jump).days
        in_flare = athlete is SAM and 0 <= since < len(flare)
        skip = 0.25 if athlete is SAM else 0.55
        if in_flare:
            score = flare[since]
        elif athlete is ALEX:
            score = rng.choice((0, 0, 0, 0, 1))
        else:
            score = rng.choice((0, 1, 1, 1, 2))
        if not in_flare and rng.random() < skip:
            day += timedelta(days=1)
            continue  # not logged that day
        where = when = note = ""
        if score > 0:
            where = "lower_back" if rng.random() < 0.75 else rng.choice(("hip", "glute_si"))
            when = rng.choice(("next_morning", "after_run", "not_running"))
        if in_flare and score >= 3:
            where = "hip" if since % 4 == 2 else "lower_back"  # mostly the back, some hip
            when = "after_run" if day in run_days else "next_morning"
            if score >= 5:
                note = notes[when]
            if score >= 7:
                note = "worst after the long run, hard to put socks on"
        rows.append(
            {
                "date": day.isoformat(),
                "score": score,
                "where": where,
                "when": when,
                "sleep_h": f"{rng.uniform(6.0, 8.5):.1f}",
                "stress": rng.randint(1, 5) + (2 if in_flare and score >= 5 else 0),
                "note": note,
            }
        )
        day += timedelta(days=1)
    return rows


def _csv_bytes(rows: Iterable[dict[str, object]]) -> bytes:
    buf = io.StringIO()
    fields = ["date", "score", "where", "when", "sleep_h", "stress", "note"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def wellness_nights(athlete: Athlete) -> list[WellnessNight]:
    """The watch's wellness days: steady for Alex; for Sam, short nights, a higher
    resting heart rate, more stress and lower HRV in the two jump weeks.

    Sam's watch was away for repair in weeks 6-7 (his runs then came from a
    phone), so those days have no watch values.
    """
    rng = random.Random(f"{athlete.slug}-wellness")
    jump = _day(SAM_JUMP_WEEK, 0)
    away = {_day(w, d) for w in SAM_PHONE_WEEKS for d in range(7)} if athlete is SAM else set()
    nights: list[WellnessNight] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        since = (day - jump).days
        jumping = athlete is SAM and 0 <= since < 14
        easing = athlete is SAM and 14 <= since < 21
        if athlete is ALEX:
            hours, rhr, stress, hrv = 7.6 + rng.uniform(-0.35, 0.35), 48, 22, 70
        elif jumping:
            # later nights and early long runs: under 6 h on most nights
            hours, rhr, stress, hrv = rng.uniform(5.3, 6.2), 52 + min(7, since), 36, 52
        elif easing:
            hours, rhr, stress, hrv = 6.9 + rng.uniform(-0.3, 0.3), 55, 30, 57
        else:
            hours, rhr, stress, hrv = 7.3 + rng.uniform(-0.35, 0.35), 52, 25, 62
        asleep = round(hours * 60) * 60
        deep, rem = round(asleep * 0.2 / 60) * 60, round(asleep * 0.22 / 60) * 60
        awake = rng.randint(5, 25) * 60
        bed = datetime(day.year, day.month, day.day, 7, 0) - timedelta(seconds=asleep + awake)
        if day not in away:
            nights.append(
                WellnessNight(
                    day=day,
                    bed_utc=_utc(bed, athlete.zone),
                    deep_s=deep,
                    light_s=asleep - deep - rem,
                    rem_s=rem,
                    awake_s=awake,
                    sleep_score=max(
                        30, min(95, round(62 + (hours - 6.0) * 14 + rng.uniform(-4, 4)))
                    ),
                    resting_hr=rhr + rng.randint(-1, 1),
                    stress_avg=stress + rng.randint(-5, 5),
                    hrv_ms=hrv + rng.randint(-4, 4),
                    body_battery_high=max(20, min(100, 100 - 2 * stress + rng.randint(-6, 6))),
                )
            )
        day += timedelta(days=1)
    return nights


def _checkin_rows(athlete: Athlete, nights: list[WellnessNight]) -> list[dict[str, object]]:
    """Daily check-ins (on most days): sleep as the runner remembers it, 1-5 quality,
    stress, soreness and fatigue 0-10. Sam's soreness climbs through the jump weeks."""
    rng = random.Random(f"{athlete.slug}-checkin")
    slept = {n.day: n.asleep_s / 3600 for n in nights}
    jump = _day(SAM_JUMP_WEEK, 0)
    rows: list[dict[str, object]] = []
    day = FIRST_DAY
    while day <= LAST_DAY:
        since = (day - jump).days
        if rng.random() < (0.3 if athlete is SAM else 0.45) and not 0 <= since < 21:
            day += timedelta(days=1)
            continue
        hours = slept.get(day, 7.2 + rng.uniform(-0.3, 0.3))
        if athlete is SAM and 0 <= since < 28:
            # 2 -> 7 over the jump weeks, then easing after the back-off
            soreness = min(7, 2 + since // 3) if since < 14 else max(2, 7 - (since - 14) // 2)
            stress = 6 if since < 14 else 4
        else:
            soreness, stress = rng.choice((1, 1, 2, 2, 3)), rng.randint(2, 4)
        rows.append(
            {
                "date": day.isoformat(),
                "sleep_h": f"{round(hours * 2) / 2:.1f}",
                "sleep_quality": 2 if hours < 6.2 else 3 if hours < 7.0 else 4,
                "stress": stress,
                "soreness": soreness,
                "fatigue": min(10, soreness + rng.randint(0, 2)),
                "note": "",
            }
        )
        day += timedelta(days=1)
    return rows


#: Each athlete's rehab routine: exercise -> sessions a week.
REHAB_PLANS: dict[str, dict[str, int]] = {
    "alex": {"bridge": 2, "bird-dog": 2},
    "sam": {"quad-stretch": 5, "bridge": 3, "clams": 3, "side-plank-abduction": 2},
}


def _rehab_rows(athlete: Athlete) -> list[dict[str, object]]:
    """Logged rehab sessions: Alex all along; Sam from the Monday after the pain flared,
    keeping to it well at first and less as the pain eases."""
    rng = random.Random(f"{athlete.slug}-rehab")
    start = FIRST_DAY if athlete is ALEX else _day(SAM_JUMP_WEEK + 1, 0)
    rows: list[dict[str, object]] = []
    day = start
    while day <= LAST_DAY:
        week = (day - start).days // 7
        keep = 0.85 if athlete is ALEX else (0.95, 0.75, 0.55, 0.45)[min(week, 3)]
        for exercise, per_week in REHAB_PLANS[athlete.slug].items():
            if rng.random() < keep * per_week / 7:
                sets, reps, seconds, side = 3, 8, "", ""
                if exercise == "quad-stretch":
                    reps, seconds, side = "", 30, "both"
                elif exercise in ("clams", "side-plank-abduction", "bird-dog"):
                    side = "both"
                rows.append(
                    {
                        "date": day.isoformat(),
                        "exercise": exercise,
                        "sets": sets,
                        "reps": reps,
                        "seconds": seconds,
                        "side": side,
                        "note": "",
                    }
                )
        day += timedelta(days=1)
    return rows


def _rows_csv(rows: Iterable[dict[str, object]], fields: list[str]) -> bytes:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode("utf-8")


def full_garmin_export(athlete: Athlete, plan: list[PlannedRun]) -> bytes:
    """The athlete's watch runs (FIT), their summary and the wellness files as one
    Garmin "export your data" zip (the phone's GPX runs are not Garmin's to export)."""
    files, expected = build(athlete, [p for p in plan if p.fmt == "fit"])
    summaries = [
        activity_summary(
            10_000_000 + i,
            f"{athlete.name.split()[0]} run {i + 1}",
            datetime.strptime(e["start_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC),  # type: ignore[arg-type]
            int(e["utc_offset_s"]),  # type: ignore[call-overload]
            float(e["distance_km"]) * 1000,  # type: ignore[arg-type]
            float(e["timer_s"]),  # type: ignore[arg-type]
        )
        for i, e in enumerate(expected)
    ]
    user = f"{athlete.slug}@example.com"
    return garmin_export(files, summaries, wellness_nights(athlete), user=user)


def build(
    athlete: Athlete, plan: list[PlannedRun]
) -> tuple[dict[str, bytes], list[dict[str, object]]]:
    """Files (name -> bytes) and the expected.json entries for one athlete."""
    files: dict[str, bytes] = {}
    expected: list[dict[str, object]] = []
    for i, p in enumerate(sorted(plan, key=lambda r: r.local_start)):
        start = _utc(p.local_start, athlete.zone)
        offset = _offset_s(p.local_start, athlete.zone)
        run = synth_run(
            start,
            p.distance_km,
            utc_offset_s=offset,
            lat=athlete.lat,
            lon=athlete.lon,
            pace_s_per_km=p.pace_s_per_km,
            hr_rest=athlete.hr_rest,
            hr_max=athlete.hr_max,
            seed=_seed(athlete, i),
            hz=GPX_HZ if p.fmt == "gpx" else FIT_HZ,
            base_altitude_m=athlete.altitude_m,
            pause_s=p.pause_s,
            product=athlete.product,
            serial_number=athlete.serial,
        )
        name = p.file_name()
        if p.fmt == "gpx":  # a phone app: heart rate from a strap, no cadence
            files[name] = to_gpx(run, creator="StravaGPX Android", cadence=False)
        else:  # Sam's files use FIT's older 16-bit speed/altitude: both encodings get covered
            files[name] = to_fit(run, enhanced=athlete is not SAM)
        expected.append(
            {
                "file": name,
                "format": p.fmt,
                "start_utc": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "utc_offset_s": offset,
                "local_date": p.local_start.date().isoformat(),
                "distance_km": p.distance_km,
                "timer_s": round(run.timer_s),
                "elapsed_s": round(run.elapsed_s),
            }
        )
    return files, expected


def generate(out: Path) -> dict[str, int]:
    """Write every sample file into ``out``; returns file name -> size in bytes."""
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    athletes: dict[str, object] = {}
    for athlete, plan in ((ALEX, plan_alex()), (SAM, plan_sam())):
        files, expected = build(athlete, plan)
        folder = out / athlete.slug
        folder.mkdir(exist_ok=True)
        for stale in folder.iterdir():  # a changed plan must not leave old runs behind
            if stale.suffix in (".fit", ".gpx") and stale.name not in files:
                stale.unlink()
        for name, data in files.items():
            (folder / name).write_bytes(data)
            written[f"{athlete.slug}/{name}"] = len(data)
        pain = _csv_bytes(_pain_rows(athlete, {r.local_start.date() for r in plan}))
        (out / f"pain_{athlete.slug}.csv").write_bytes(pain)
        written[f"pain_{athlete.slug}.csv"] = len(pain)
        nights = wellness_nights(athlete)
        context = {
            f"wellness_{athlete.slug}.csv": _rows_csv(
                _checkin_rows(athlete, nights),
                ["date", "sleep_h", "sleep_quality", "stress", "soreness", "fatigue", "note"],
            ),
            f"rehab_{athlete.slug}.csv": _rows_csv(
                _rehab_rows(athlete),
                ["date", "exercise", "sets", "reps", "seconds", "side", "note"],
            ),
            f"garmin_wellness_{athlete.slug}.zip": zip_bytes(
                garmin_wellness_files(nights, user_id=_seed(athlete, 0) % 100_000_000)
            ),
        }
        for name, data in context.items():
            (out / name).write_bytes(data)
            written[name] = len(data)
        athletes[athlete.slug] = {
            "name": athlete.name,
            "time_zone": athlete.zone,
            "folder": athlete.slug,
            "pain_log": f"pain_{athlete.slug}.csv",
            "wellness_log": f"wellness_{athlete.slug}.csv",
            "rehab_log": f"rehab_{athlete.slug}.csv",
            "rehab_plan": REHAB_PLANS[athlete.slug],
            "garmin_wellness": f"garmin_wellness_{athlete.slug}.zip",
            "watch_away": [
                _day(SAM_PHONE_WEEKS[0], 0).isoformat(),
                _day(SAM_PHONE_WEEKS[-1], 6).isoformat(),
            ]
            if athlete is SAM
            else None,
            "jump_week_monday": _day(SAM_JUMP_WEEK, 0).isoformat() if athlete is SAM else None,
            "runs": expected,
        }
    summary = {
        "generator": "sample_activities/generate.py",
        "first_day": FIRST_DAY.isoformat(),
        "last_day": LAST_DAY.isoformat(),
        "athletes": athletes,
    }
    text = json.dumps(summary, indent=1) + "\n"
    (out / "expected.json").write_bytes(text.encode("utf-8"))  # "\n" on every OS
    written["expected.json"] = len(text)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="output folder (default: here)")
    parser.add_argument(
        "--garmin-export",
        type=Path,
        metavar="DIR",
        help="also write each athlete as a whole Garmin export zip into DIR",
    )
    args = parser.parse_args(argv)
    written = generate(args.out)
    total = sum(written.values())
    print(f"wrote {len(written)} files, {total / 1e6:.1f} MB, into {args.out}")
    if args.garmin_export:
        args.garmin_export.mkdir(parents=True, exist_ok=True)
        for athlete, plan in ((ALEX, plan_alex()), (SAM, plan_sam())):
            path = args.garmin_export / f"garmin_export_{athlete.slug}.zip"
            path.write_bytes(full_garmin_export(athlete, plan))
            print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
