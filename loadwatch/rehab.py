"""Rehab routines: a catalogue of exercises, logging sessions, a weekly plan, adherence.

The catalogue holds the exercises of the physiotherapy material loadwatch grew
from, for runners with low-back and hip complaints. Each has a short key, a
name, a plain description of the movement and the usual dose. loadwatch
records what was done and how often; it does not say what an exercise does
for anyone's pain. A clinician decides what belongs in a routine.

A session is one exercise logged on one day (sets of reps, or sets held for
seconds, on a side). Adherence counts, per calendar week, the days each
planned exercise was done, up to its target, against the plan's total
(science.md section 8).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from loadwatch.errors import ValidationError
from loadwatch.pain import CsvResult, parse_pain_date, read_csv_rows
from loadwatch.store import REHAB_SIDES, RehabPlanItem, RehabSession


@dataclass(frozen=True, slots=True)
class Exercise:
    """One catalogue exercise. ``seconds`` set means the dose is a hold, not reps."""

    key: str
    name: str
    description: str
    sets: int
    reps: int | None = None
    seconds: int | None = None
    per_side: bool = False

    @property
    def dose(self) -> str:
        """The usual dose in words, e.g. ``3 x 8 per side`` or ``3 x 30 s``."""
        amount = f"{self.seconds} s" if self.seconds else str(self.reps)
        return f"{self.sets} x {amount}" + (" per side" if self.per_side else "")


CATALOGUE: dict[str, Exercise] = {
    e.key: e
    for e in (
        Exercise(
            "quad-stretch",
            "Quad stretch",
            "Standing (hold on to something) or lying on your side, bend one knee and bring "
            "the heel towards the buttock until you feel a stretch along the front of the "
            "thigh. Keep the knees side by side and the pelvis tucked; hold, then swap legs.",
            sets=3,
            seconds=30,
            per_side=True,
        ),
        Exercise(
            "bridge",
            "Bridge",
            "Lie on your back, knees bent, feet flat and hip-width apart. Squeeze the "
            "buttocks and lift the hips until shoulders, hips and knees form a line; "
            "pause, then lower slowly.",
            sets=3,
            reps=8,
        ),
        Exercise(
            "clams",
            "Clams",
            "Lie on your side with hips and knees bent and the feet together. Keeping the "
            "feet touching and the pelvis still, open the top knee like a shell, then "
            "close it slowly.",
            sets=3,
            reps=8,
            per_side=True,
        ),
        Exercise(
            "supine-hip-flexion",
            "Supine resisted hip flexion",
            "Lie on your back with a resistance band looped around both feet. Keep one leg "
            "long and draw the other knee towards the chest against the band, then let "
            "it back out under control.",
            sets=3,
            reps=10,
            per_side=True,
        ),
        Exercise(
            "side-plank-abduction",
            "Side plank with hip abduction",
            "Hold a side plank on the forearm with the body in a straight line from head "
            "to feet. Lift the top leg a hand's width and lower it again without letting "
            "the hips sag.",
            sets=3,
            reps=8,
            per_side=True,
        ),
        Exercise(
            "bird-dog",
            "Resisted bird dog",
            "On hands and knees with a band around one hand and the opposite foot, reach "
            "that arm forward and that leg back until both are level with the back, "
            "keeping the trunk still; return slowly.",
            sets=3,
            reps=8,
            per_side=True,
        ),
        Exercise(
            "reverse-lunge",
            "Dynamic reverse lunge",
            "From standing, step one foot back and lower the back knee towards the floor "
            "with the front knee over the foot, then drive through the front foot to "
            "step back up in one smooth movement.",
            sets=3,
            reps=8,
            per_side=True,
        ),
        Exercise(
            "hip-flexion-triple-extension",
            "Resisted hip flexion with triple extension",
            "With a band around one foot, drive that knee up to hip height while rising "
            "onto the toes of the standing leg, so its ankle, knee and hip straighten "
            "together as in a running stride; return under control.",
            sets=3,
            reps=8,
            per_side=True,
        ),
        Exercise(
            "overhead-pulls",
            "Overhead pulls",
            "Hold a band overhead with straight arms, hands shoulder-width apart. Pull the "
            "band apart and down behind the head towards shoulder height, keeping the "
            "ribs down, then return slowly.",
            sets=3,
            reps=10,
        ),
    )
}

#: Columns a rehab CSV may have (``date`` and ``exercise`` are required; ``id``
#: and ``athlete``, as written by ``rehab list --format csv``, are ignored).
REHAB_CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "date",
    "exercise",
    "sets",
    "reps",
    "seconds",
    "side",
    "note",
)
REHAB_LIST_COLUMNS: tuple[str, ...] = ("date", "exercise", "sets", "reps", "seconds", "side")


def exercise_key(value: Any) -> str:
    """The catalogue key for a key or name given in any case ("Bridge" -> "bridge")."""
    text = str(value or "").strip().lower()
    slug = "-".join(text.replace("_", " ").replace("-", " ").split())
    if slug in CATALOGUE:
        return slug
    for e in CATALOGUE.values():
        if e.name.lower() == text:
            return e.key
    raise ValidationError(
        f"unknown exercise {value!r} (one of {', '.join(CATALOGUE)}; "
        "see `loadwatch rehab exercises`)"
    )


def _count(value: Any, what: str, high: int) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or not 1 <= int(text) <= high:
        raise ValidationError(f"{what} must be a whole number from 1 to {high} (got {text!r})")
    return int(text)


def validate_session(
    *,
    athlete: str,
    exercise: Any,
    day: Any = None,
    sets: Any = None,
    reps: Any = None,
    seconds: Any = None,
    side: Any = None,
    note: Any = None,
    today: date | None = None,
) -> RehabSession:
    """Check one rehab session; the exercise's usual dose fills what is not given.

    sets 1-20, reps 1-200 or seconds 1-3600 (not both), side left/right/both
    (default both for exercises done per side), date not in the future.
    """
    today = today or date.today()
    key = exercise_key(exercise)
    ex = CATALOGUE[key]
    n_sets = _count(sets, "sets", 20)
    n_reps = _count(reps, "reps", 200)
    n_seconds = _count(seconds, "seconds", 3600)
    if n_reps is not None and n_seconds is not None:
        raise ValidationError("give reps or seconds, not both")
    if n_reps is None and n_seconds is None:
        n_reps, n_seconds = ex.reps, ex.seconds
    side_text = str(side).strip().lower() if side is not None and str(side).strip() else ""
    if side_text and side_text not in REHAB_SIDES:
        raise ValidationError(f"side must be one of {', '.join(REHAB_SIDES)} (got {side!r})")
    text_note = str(note).strip() if note is not None else ""
    return RehabSession(
        id=None,
        athlete=athlete,
        date=parse_pain_date(day if day is not None and str(day).strip() else today, today=today),
        exercise=key,
        sets=n_sets if n_sets is not None else ex.sets,
        reps=n_reps,
        seconds=n_seconds,
        side=side_text or ("both" if ex.per_side else None),
        note=text_note or None,
    )


def validate_plan(exercise: Any, per_week: Any) -> tuple[str, int]:
    """(catalogue key, sessions per week 0-14); 0 takes the exercise out of the plan."""
    key = exercise_key(exercise)
    text = str(per_week).strip()
    if not text.isdigit() or not 0 <= int(text) <= 14:
        raise ValidationError(
            f"sessions per week must be a whole number from 0 to 14 (got {text!r})"
        )
    return key, int(text)


def parse_rehab_csv(
    text: str, *, athlete: str, source: str = "CSV", today: date | None = None
) -> CsvResult:
    """Check every row of a rehab CSV (date,exercise,sets,reps,seconds,side,note)."""
    entries: list[Any] = []
    bad: list[tuple[int, str]] = []
    rows = read_csv_rows(
        text, source=source, columns=REHAB_CSV_COLUMNS, required=("date", "exercise")
    )
    for n, values in rows:
        try:
            if "__error__" in values:
                raise ValidationError(values["__error__"])
            entries.append(
                validate_session(
                    athlete=athlete,
                    exercise=values.get("exercise"),
                    day=values.get("date"),
                    sets=values.get("sets"),
                    reps=values.get("reps"),
                    seconds=values.get("seconds"),
                    side=values.get("side"),
                    note=values.get("note"),
                    today=today,
                )
            )
        except ValidationError as e:
            bad.append((n, str(e)))
    return CsvResult(entries, bad)


def sessions_frame(sessions: Sequence[RehabSession]) -> pd.DataFrame:
    """Sessions as a DataFrame: date, exercise, sets, reps, seconds, side."""
    return pd.DataFrame(
        [
            {
                "date": s.date,
                "exercise": s.exercise,
                "sets": s.sets,
                "reps": s.reps,
                "seconds": s.seconds,
                "side": s.side,
            }
            for s in sessions
        ],
        columns=["date", "exercise", "sets", "reps", "seconds", "side"],
    )


def plan_frame(plan: Sequence[RehabPlanItem]) -> pd.DataFrame:
    """The plan as a DataFrame (``exercise``, ``per_week``)."""
    return pd.DataFrame(
        [{"exercise": p.exercise, "per_week": p.per_week} for p in plan],
        columns=["exercise", "per_week"],
    )


def adherence(
    sessions: Sequence[RehabSession],
    plan: Sequence[RehabPlanItem],
    *,
    end: date | None = None,
    weeks: int = 8,
    week_start: int = 0,
) -> pd.DataFrame:
    """Weekly adherence for the ``weeks`` calendar weeks up to ``end`` (default today).

    Columns as :func:`loadwatch.metrics.wellness.weekly_adherence`.
    """
    from loadwatch.metrics.wellness import weekly_adherence

    last = pd.Timestamp(end or date.today())
    offset = (last.day_of_week - week_start) % 7
    first = last - pd.Timedelta(days=offset + 7 * (weeks - 1))
    return weekly_adherence(
        sessions_frame(sessions), plan_frame(plan), start=first, end=last, week_start=week_start
    )
