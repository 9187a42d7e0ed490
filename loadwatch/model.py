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
import re
import unicodedata
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
    #: what the source recorded: any of "hr", "gps" (positions), "distance" (a
    #: device-measured distance, not one computed from positions); ranks
    #: duplicate sources of one run (see :func:`richness`)
    channels: tuple[str, ...] = ()
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


def richness(channels: tuple[str, ...] | str | None, source_format: str) -> tuple[int, ...]:
    """Sort key of a source for one run, higher is richer.

    Positions, then a device-measured distance, then the format (FIT > TCX >
    GPX: timer events and the device's own totals), then heart rate. Heart
    rate comes last because the store fills it from any other source of the
    same run, so it is never lost; between two otherwise equal files it decides.
    """
    have = set(channels.split() if isinstance(channels, str) else channels or ())
    return (
        "gps" in have,
        "distance" in have,
        -FORMAT_RANK.get(source_format, 9),
        "hr" in have,
    )


def local_date_for(start_utc: datetime, utc_offset_s: int) -> date:
    """The wall-clock date at ``start_utc`` in a zone ``utc_offset_s`` seconds from UTC."""
    return (start_utc.astimezone(UTC) + timedelta(seconds=utc_offset_s)).date()


# Sport labels from FIT enums, GPX <type>, TCX Sport=, Garmin's activityType,
# Strava's "Activity Type" (English and the languages its exports use) and
# common words in other languages, mapped to (sport, sub_sport). Keys are
# compared in a folded form (see _fold): lower case, accents and separators
# removed, so "Trail Run", "trail_running" and "TrailRun" meet.
_SPORT_LABELS: dict[tuple[str, str | None], tuple[str, ...]] = {
    ("running", None): (
        "running", "run", "jogging", "jog", "laufen", "lauf", "joggen", "dauerlauf",
        "course a pied", "footing", "correr", "carrera", "carrera a pie",
        "corsa", "corsa a piedi", "hardlopen", "corrida", "lopning", "loping", "juoksu", "bieganie",
    ),
    ("running", "street"): ("street running",),
    ("running", "road"): ("road running", "road run"),
    ("running", "trail"): (
        "trail running", "trail run", "trailrun", "traillauf", "trail", "course en sentier",
        "trail de montana", "corsa in montagna",
    ),
    ("running", "treadmill"): (
        "treadmill running", "treadmill", "laufband", "tapis de course", "cinta de correr",
        "loopband",
    ),
    ("running", "track"): ("track running", "track run", "bahnlauf"),
    ("running", "indoor_running"): ("indoor running", "indoor run"),
    ("running", "virtual_activity"): ("virtual run", "virtual running"),
    ("cycling", None): (
        "cycling", "biking", "ride", "bike", "bicycle", "radfahren", "rad", "radsport",
        "radtour", "velo", "cyclisme", "ciclismo", "bicicleta", "fietsen", "wielrennen",
        "pyoraily", "kolarstwo", "cykling",
    ),
    ("cycling", "road"): ("road biking", "road cycling", "road ride", "rennrad"),
    ("cycling", "mountain"): (
        "mountain biking", "mountain bike ride", "mountain bike", "mtb", "mountainbike",
        "vtt",
    ),
    ("cycling", "gravel_cycling"): ("gravel ride", "gravel cycling", "gravel"),
    ("cycling", "indoor_cycling"): ("indoor cycling", "spinning", "indoor ride"),
    ("cycling", "virtual_activity"): ("virtual ride", "virtual cycling"),
    ("e_biking", None): ("e bike ride", "ebike ride", "e biking", "ebike", "e bike"),
    ("e_biking", "e_bike_mountain"): ("e mountain bike ride",),
    ("swimming", None): (
        "swimming", "swim", "schwimmen", "natation", "natacion", "nuoto", "zwemmen",
        "natacao", "simning", "uinti", "plywanie",
    ),
    ("swimming", "lap_swimming"): ("lap swimming", "pool swim", "pool swimming"),
    ("swimming", "open_water"): ("open water swimming", "open water swim", "open water"),
    ("walking", None): (
        "walking", "walk", "gehen", "spazieren", "spaziergang", "marche", "caminar",
        "caminata", "camminata", "wandelen", "caminhada", "promenad", "kavely", "spacer",
    ),
    ("hiking", None): (
        "hiking", "hike", "wandern", "wanderung", "randonnee", "randonnee pedestre",
        "senderismo", "escursionismo", "trekking", "bergwandern", "vandring", "vaellus",
    ),
    ("alpine_skiing", None): ("alpine skiing", "alpine ski", "downhill skiing", "ski"),
    ("alpine_skiing", "backcountry"): ("backcountry ski", "backcountry skiing"),
    ("cross_country_skiing", None): (
        "cross country skiing", "nordic ski", "nordic skiing", "langlauf", "ski de fond",
    ),
    ("roller_skiing", None): ("roller ski", "roller skiing"),
    ("snowboarding", None): ("snowboard", "snowboarding"),
    ("snowshoeing", None): ("snowshoe", "snowshoeing"),
    ("ice_skating", None): ("ice skate", "ice skating"),
    ("inline_skating", None): ("inline skate", "inline skating"),
    ("kitesurfing", None): ("kitesurf", "kitesurfing"),
    ("windsurfing", None): ("windsurf", "windsurfing"),
    ("water_sport", None): ("water sport",),
    ("canoeing", None): ("canoeing", "canoe"),
    ("kayaking", None): ("kayaking", "kayak"),
    ("rowing", None): ("rowing", "row", "rudern", "aviron", "remo"),
    ("rowing", "indoor_rowing"): ("indoor rowing", "virtual row"),
    ("stand_up_paddleboarding", None): ("stand up paddling", "stand up paddleboarding", "sup"),
    ("surfing", None): ("surfing", "surf"),
    ("training", None): ("training", "workout", "cardio", "fitness"),
    ("training", "crossfit"): ("crossfit",),
    ("training", "strength_training"): ("weight training", "strength training"),
    ("training", "yoga"): ("yoga",),
    ("training", "pilates"): ("pilates",),
    ("fitness_equipment", "elliptical"): ("elliptical",),
    ("fitness_equipment", "stair_climbing"): ("stair stepper", "stair climbing"),
    ("rock_climbing", None): ("rock climbing", "climbing", "klettern", "escalade"),
    ("transition", None): ("transition",),
    ("multisport", None): ("multisport", "multi sport"),
    ("generic", None): ("other", "generic", "sport", "activity"),
}  # fmt: skip

#: Strava's numeric activity types (older GPX exports put them in <trk><type>),
#: numbered as in Strava's API client enumeration.
STRAVA_TYPE_CODES: dict[str, str] = {
    "1": "ride", "2": "alpine ski", "3": "backcountry ski", "4": "hike", "5": "ice skate",
    "6": "inline skate", "7": "nordic ski", "8": "roller ski", "9": "run", "10": "walk",
    "11": "workout", "12": "snowboard", "13": "snowshoe", "14": "kitesurf",
    "15": "windsurf", "16": "swim", "17": "virtual ride", "18": "e bike ride",
    "19": "water sport", "20": "canoeing", "21": "kayaking", "22": "rowing",
    "23": "stand up paddling", "24": "surfing", "25": "crossfit", "26": "elliptical",
    "27": "rock climbing", "28": "stair stepper", "29": "weight training", "30": "yoga",
}  # fmt: skip

#: The sport of labels loadwatch does not recognise; the label is kept as sub-sport.
UNKNOWN_SPORT = "unknown"


def _fold(label: str) -> str:
    """Lower case, accents dropped, spaces/underscores/hyphens removed."""
    text = unicodedata.normalize("NFKD", label.strip().lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[\s_\-/.]+", "", text)


_SPORT_ALIASES: dict[str, tuple[str, str | None]] = {
    _fold(label): target for target, labels in _SPORT_LABELS.items() for label in labels
}
_SPORT_ALIASES.update({code: _SPORT_ALIASES[_fold(v)] for code, v in STRAVA_TYPE_CODES.items()})


def lookup_sport(label: str | None) -> tuple[str, str | None] | None:
    """``(sport, sub_sport)`` of a known label in any of the forms above, else None."""
    if label is None or not label.strip():
        return None
    return _SPORT_ALIASES.get(_fold(label))


def normalise_sport(
    name: str | None, sub_sport: str | None = None, *, trusted: bool = False
) -> tuple[str, str | None]:
    """Map a sport name from any source to loadwatch's ``(sport, sub_sport)``.

    A label loadwatch does not recognise is kept, not dropped: the sport
    becomes ``unknown`` and the label (lower-cased, spaces as underscores)
    its sub-sport, so it stays visible and never counts as running.
    ``trusted=True`` (names from the FIT profile) keeps unmatched names as
    the sport itself. A missing name is ``generic``.
    """
    extra = (sub_sport or "").strip().lower() or None
    if extra in ("generic", "none", "all"):
        extra = None
    if name is None or not name.strip():
        return "generic", extra
    known = lookup_sport(name)
    clean = "_".join(name.strip().lower().split())[:40]
    if known is None:
        return (clean, extra) if trusted else (UNKNOWN_SPORT, clean)
    sport, sub = known
    return sport, extra or sub


def unknown_sport_note(sport: str, sub_sport: str | None) -> list[str]:
    """A note for an activity whose sport label was not recognised (else none)."""
    if sport != UNKNOWN_SPORT:
        return []
    return [f"sport {sub_sport!r} is not one loadwatch knows: listed as unknown"]
