"""The planned distance in a calendar event's words: "10 km easy", "6 mi", "LR 16K", "45 min".

:func:`read_amount` looks at an event's summary, then its description, and
returns either a distance (km) or a duration (minutes) — a duration becomes a
distance only later, with the athlete's recent pace, and is then marked
*estimated* — or the reason the event is not a run with a distance.

The forms understood (letter case and spacing do not matter):

| written | read as |
| --- | --- |
| ``10 km``, ``10km``, ``10 kms``, ``10 kilometres``, ``18k``, ``16K``, ``10,5 km`` | kilometres |
| ``6 mi``, ``6 miles``, ``6mi`` | miles (1.609344 km each) |
| ``400 m``, ``1500 metres`` (100 m or more) | metres |
| ``6 x 1 km``, ``10x400m`` | repeats: the count times the distance |
| ``8-10 km``, ``8 to 10 km`` | a range: its upper end (the warning is about the most you may run) |
| ``2 km + 6 km + 2 km`` | parts joined by ``+`` are added |
| ``half marathon``, ``marathon`` | 21.0975 km, 42.195 km |
| ``45 min``, ``45'``, ``1 h``, ``1h30``, ``1 hr 15 min``, ``1:15:00`` | a duration |

A distance that names a pace (``6 x 1 km @ 10k pace``, ``at marathon pace``)
is not counted. When a text holds several distances that are not joined by ``+`` (``Long run
18k, last 5k at race pace``), the largest is the run's distance. A distance
anywhere wins over a duration. ``5m`` (under 100) is no distance: it could be
miles, metres or minutes; an event with nothing else is skipped as ambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loadwatch.model import KM_PER_MILE

#: Words that make an event not a run (unless a running word is there too).
OTHER_SPORTS: dict[str, str] = {
    "swim": "swim",
    "swimming": "swim",
    "bike": "bike",
    "biking": "bike",
    "cycling": "bike",
    "cycle": "bike",
    "ride": "bike",
    "spin": "bike",
    "row": "row",
    "rowing": "row",
    "strength": "strength",
    "gym": "strength",
    "weights": "strength",
    "yoga": "yoga",
    "pilates": "pilates",
    "ski": "ski",
    "skiing": "ski",
    "hike": "hike",
    "hiking": "hike",
}
#: Words that say an event is a run even when another sport is named too.
RUN_WORDS = frozenset(
    ["run", "runs", "running", "jog", "jogging", "lr", "fartlek", "strides", "parkrun", "marathon"]
)
REST_WORDS = frozenset({"rest", "off", "day off", "rest day"})

_NUM = r"(\d+(?:[.,]\d+)?)"
_KM_UNITS = r"(?:km|kms|kilomet(?:er|re)s?|k)"
_MI_UNITS = r"(?:mi|miles?)"
_M_UNITS = r"(?:m|metres?|meters?)"
_UNIT = rf"(?P<unit>{_KM_UNITS}|{_MI_UNITS}|{_M_UNITS})(?![a-z])"
_DISTANCE = re.compile(
    rf"(?:(?P<reps>\d+)\s*[x×]\s*)?"
    rf"(?:(?P<low>{_NUM[1:-1]})\s*(?:-|–|to)\s*)?"
    rf"(?P<value>{_NUM[1:-1]})\s*{_UNIT}",
    re.IGNORECASE,
)
_RACES = re.compile(r"\b(half[\s-]?marathon|marathon)\b", re.IGNORECASE)
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):([0-5]\d):([0-5]\d)(?![\d:])")
_HOURS = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hours?)(?![a-z])\s*(?:(\d{1,2})\s*(?:m|min|mins|minutes?)?(?![a-z]))?",
    re.IGNORECASE,
)
_MINUTES = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?)\s*(?:min|mins|minutes?|')(?![a-z])", re.IGNORECASE
)
_WORD = re.compile(r"[a-z]+")
_PACE_AFTER = re.compile(r"\s*(?:race\s*)?(?:pace|effort)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Amount:
    """What an event plans: a distance in km, or only a duration in minutes."""

    km: float | None = None
    minutes: float | None = None
    #: the words the amount was read from (for messages)
    written: str = ""


@dataclass(frozen=True, slots=True)
class NotARun:
    """Why an event gives no planned run."""

    reason: str


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def _names_a_pace(text: str, start: int, end: int) -> bool:
    """``10k pace``, ``@ 5k``, ``marathon pace``: a pace, not a distance to run."""
    return bool(_PACE_AFTER.match(text, end)) or text[:start].rstrip().endswith("@")


def _distance_km(text: str) -> tuple[float, str] | NotARun | None:
    """The distance written in ``text`` (km) and the words it came from; None when none is."""
    found: list[tuple[int, int, float, str]] = []
    ambiguous: str | None = None
    for m in _DISTANCE.finditer(text):
        if _names_a_pace(text, m.start(), m.end()):
            continue
        unit = m.group("unit").lower()
        value = _number(m.group("value"))
        if unit in ("m", "metre", "metres", "meter", "meters"):
            if value < 100:
                if unit == "m" and ambiguous is None:
                    ambiguous = m.group(0).strip()
                continue
            km = value / 1000.0
        elif unit.startswith("mi"):
            km = value * KM_PER_MILE
        else:
            km = value
        if m.group("reps"):
            km *= int(m.group("reps"))
        found.append((m.start(), m.end(), km, m.group(0).strip()))
    for m in _RACES.finditer(text):
        inside = any(s <= m.start() < e for s, e, _, _ in found)
        if inside or _names_a_pace(text, m.start(), m.end()):
            continue
        km = 21.0975 if m.group(1).lower().startswith("half") else 42.195
        found.append((m.start(), m.end(), km, m.group(0)))
    if not found:
        if ambiguous is not None:
            return NotARun(f"{ambiguous!r} is ambiguous (miles, metres or minutes?)")
        return None
    found.sort()
    # parts joined by "+" are one session's pieces: add them up
    groups: list[list[tuple[int, int, float, str]]] = [[found[0]]]
    for item in found[1:]:
        between = text[groups[-1][-1][1] : item[0]]
        if "+" in between and not re.search(r"[.;\n]", between):
            groups[-1].append(item)
        else:
            groups.append([item])
    totals = [(sum(km for _, _, km, _ in g), " + ".join(w for _, _, _, w in g)) for g in groups]
    return max(totals, key=lambda t: t[0])


def _duration_min(text: str) -> tuple[float, str] | None:
    """The duration written in ``text`` (minutes); None when none is."""
    m = _CLOCK.search(text)
    if m:
        h, mi, s = (int(g) for g in m.groups())
        return h * 60 + mi + s / 60.0, m.group(0)
    m = _HOURS.search(text)
    if m:
        minutes = _number(m.group(1)) * 60 + (int(m.group(2)) if m.group(2) else 0)
        return minutes, m.group(0).strip()
    m = _MINUTES.search(text)
    if m:
        return _number(m.group(1)), m.group(0).strip()
    return None


def _sport_words(text: str) -> tuple[set[str], bool]:
    words = set(_WORD.findall(text.lower()))
    other = {OTHER_SPORTS[w] for w in words if w in OTHER_SPORTS}
    return other, bool(words & RUN_WORDS)


def read_amount(summary: str, description: str = "") -> Amount | NotARun:
    """The planned run in an event: a distance (km), a duration (min), or why there is none.

    The summary is read first; the description only when the summary holds
    neither a distance nor a duration.
    """
    summary = summary or ""
    description = description or ""
    words = f"{summary}\n{description}"
    other, running = _sport_words(words)
    if other and not running:
        return NotARun(f"not a run ({', '.join(sorted(other))})")
    if other and running:
        return NotARun(
            f"mixes running with {', '.join(sorted(other))}: add the run with `loadwatch plan add`"
        )
    title = summary.strip().lower()
    if title in REST_WORDS or (title.startswith("rest") and not running):
        return NotARun("rest day")
    for text in (summary, description):
        distance = _distance_km(text)
        if isinstance(distance, NotARun):
            return distance
        if distance is not None:
            km, written = distance
            if not 0 < km <= 1000:
                return NotARun(f"{written!r} is not a plausible run")
            return Amount(km=km, written=written)
    for text in (summary, description):
        duration = _duration_min(text)
        if duration is not None:
            minutes, written = duration
            if not 0 < minutes <= 24 * 60:
                return NotARun(f"{written!r} is not a plausible run")
            return Amount(minutes=minutes, written=written)
    return NotARun("no distance or duration in the title or description")
