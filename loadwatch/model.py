"""The normalised activity summary every reader returns.

Readers convert at the boundary: UTC-aware start times, metres, seconds,
beats per minute. Units change only for display.

| column           | type      | unit / meaning|
|---|---|---|
| id               | int       | store id (assigned on insert)|
| athlete          | str       | athlete name (assigned by the importer)|
| sport            | str       | normalised sport: running, cycling, swimming, walking, hiking, ...|
| sub_sport        | str/None  | trail, treadmill, track, indoor_running, virtual_activity, ...|
| start_utc        | datetime  | start instant, timezone-aware UTC|
| utc_offset_s     | int       | offset of the local wall clock from UTC at the start, seconds|
| local_date       | date      | the athlete's wall-clock date where the run started|
| distance_m       | float     | metres|
| timer_s          | float     | moving (timer) time, seconds|
| elapsed_s        | float     | wall-clock time from start to end, seconds|
| elevation_gain_m | float/None| total ascent, metres|
| avg_hr           | float/None| average heart rate, beats per minute|
| max_hr           | float/None| maximum heart rate, beats per minute|
| device           | str/None  | manufacturer and product, e.g. "garmin fr965"|
| source_format    | str       | fit, gpx or tcx (of the preferred source)|
| source_sha256    | str       | sha256 of the preferred source file (decompressed bytes)|
| recovered        | bool      | True when the file was damaged; this is what preceded the damage|
| implausible      | str/None  | why the values cannot be real; not counted as load unless accepted|
| accepted         | bool      | the runner accepted a flagged activity: it counts as load|
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

#: Sports (and sub-sports) that count toward running load (science.md section 1).
RUNNING_SPORTS: frozenset[str] = frozenset({"running", "trail_running", "treadmill_running"})

#: Kilometres in one international mile (display only: loadwatch computes in km).
KM_PER_MILE = 1.609344

#: Preference when two sources describe the same activity (lower is richer).
FORMAT_RANK: dict[str, int] = {"fit": 0, "tcx": 1, "gpx": 2}

#: Public column order of an activity summary (CLI tables, JSON, DataFrames).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "id",
    "athlete",
    "sport",
    "sub_sport",
    "start_utc",
    "utc_offset_s",
    "local_date",
    "distance_m",
    "timer_s",
    "elapsed_s",
    "elevation_gain_m",
    "avg_hr",
    "max_hr",
    "device",
    "source_format",
    "source_sha256",
    "recovered",
    "implausible",
    "accepted",
)


def is_running(sport: str | None) -> bool:
    """True for the running family (trail, treadmill, track and virtual runs are sub-sports)."""
    return (sport or "").lower() in RUNNING_SPORTS


@dataclass(slots=True)
class ActivitySummary:
    """One activity (one FIT session; one GPX/TCX file), normalised.

    ``utc_offset_s`` and ``local_date`` may be ``None`` when the reader cannot
    know the wall clock (a GPX without a usable position); the importer then
    fills them from the athlete's configured time zone via :meth:`localized`.
    """

    sport: str
    start_utc: datetime
    distance_m: float
    timer_s: float
    elapsed_s: float
    source_format: str
    sub_sport: str | None = None
    utc_offset_s: int | None = None
    local_date: date | None = None
    elevation_gain_m: float | None = None
    avg_hr: float | None = None
    max_hr: float | None = None
    device: str | None = None
    source_sha256: str = ""
    recovered: bool = False
    #: index of the session inside its file (multisport legs), 0 for single-activity files
    session_index: int = 0
    #: where utc_offset_s came from: "device", "position", "athlete_zone", or None
    offset_source: str | None = None
    name: str | None = None
    athlete: str | None = None
    id: int | None = None
    #: session RPE (CR-10, 0-10) the athlete gave it, e.g. Strava's Perceived Exertion
    rpe: float | None = None
    #: non-fatal remarks about the file (e.g. "recovered 1,200 records before a CRC error")
    notes: list[str] = field(default_factory=list)
    #: why the values cannot be real (loadwatch.plausibility); such activities are not load
    implausible: str | None = None
    #: the runner accepted a flagged activity as real: it counts as load
    accepted: bool = False

    def __post_init__(self) -> None:
        if self.start_utc.tzinfo is None:
            raise ValueError("start_utc must be timezone-aware")
        self.start_utc = self.start_utc.astimezone(UTC)
        if self.utc_offset_s is not None and self.local_date is None:
            self.local_date = local_date_for(self.start_utc, self.utc_offset_s)

    def localized(self, utc_offset_s: int, source: str) -> ActivitySummary:
        """A copy with the wall-clock offset (and so the local date) filled in."""
        return dataclasses.replace(
            self,
            utc_offset_s=utc_offset_s,
            local_date=local_date_for(self.start_utc, utc_offset_s),
            offset_source=source,
        )

    def as_dict(self) -> dict[str, Any]:
        """The public columns as JSON-friendly values (ISO 8601 dates)."""
        row = {name: getattr(self, name) for name in SUMMARY_COLUMNS}
        row["start_utc"] = self.start_utc.isoformat()
        row["local_date"] = self.local_date.isoformat() if self.local_date else None
        return row


def local_date_for(start_utc: datetime, utc_offset_s: int) -> date:
    """The wall-clock date at ``start_utc`` in a zone ``utc_offset_s`` seconds from UTC."""
    return (start_utc.astimezone(UTC) + timedelta(seconds=utc_offset_s)).date()


# Names seen in FIT enums, GPX <type>, TCX Sport=, Garmin's activityType and
# Strava's "Activity Type", mapped to (sport, sub_sport).
_SPORT_ALIASES: dict[str, tuple[str, str | None]] = {
    "running": ("running", None),
    "run": ("running", None),
    "9": ("running", None),  # Strava's numeric type in its GPX exports
    "street_running": ("running", "street"),
    "road_running": ("running", "road"),
    "trail_running": ("running", "trail"),
    "trail run": ("running", "trail"),
    "trailrun": ("running", "trail"),
    "treadmill_running": ("running", "treadmill"),
    "treadmill": ("running", "treadmill"),
    "track_running": ("running", "track"),
    "indoor_running": ("running", "indoor_running"),
    "virtual_run": ("running", "virtual_activity"),
    "virtualrun": ("running", "virtual_activity"),
    "virtual run": ("running", "virtual_activity"),
    "cycling": ("cycling", None),
    "biking": ("cycling", None),
    "ride": ("cycling", None),
    "1": ("cycling", None),
    "road_biking": ("cycling", "road"),
    "mountain_biking": ("cycling", "mountain"),
    "indoor_cycling": ("cycling", "indoor_cycling"),
    "virtual_ride": ("cycling", "virtual_activity"),
    "virtualride": ("cycling", "virtual_activity"),
    "swimming": ("swimming", None),
    "swim": ("swimming", None),
    "lap_swimming": ("swimming", "lap_swimming"),
    "open_water_swimming": ("swimming", "open_water"),
    "walking": ("walking", None),
    "walk": ("walking", None),
    "10": ("walking", None),
    "hiking": ("hiking", None),
    "hike": ("hiking", None),
    "4": ("hiking", None),
    "other": ("generic", None),
    "generic": ("generic", None),
}


def normalise_sport(name: str | None, sub_sport: str | None = None) -> tuple[str, str | None]:
    """Map a sport name from any source to loadwatch's ``(sport, sub_sport)``.

    Unknown names are kept (lower-cased, spaces as underscores) rather than
    dropped, so nothing the user recorded disappears; they simply do not count
    as running.
    """
    key = (name or "generic").strip().lower()
    sport, sub = _SPORT_ALIASES.get(key, (key.replace(" ", "_") or "generic", None))
    extra = (sub_sport or "").strip().lower() or None
    if extra in ("generic", "none", "all"):
        extra = None
    return sport, extra or sub
