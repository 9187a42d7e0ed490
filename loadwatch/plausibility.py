"""The plausibility gate: activities no person could have done do not count as load.

A damaged file "recovered" into 40,000 km, a watch clock that jumped, a
timer longer than the wall-clock time: stored as they are, flagged with the
reason, listed, and left out of every load figure until the runner accepts
them (``loadwatch activities accept ID``) or imports a fixed file.

Bounds (units: metres, seconds, metres per second). The running family is
held to human running; every other sport to anything human-powered:

| check | running family | other sports |
| --- | --- | --- |
| average moving speed (distance / timer, from 1 km) | 7 m/s (2:23 min/km) | 40 m/s |
| distance | 500 km | 2,000 km |
| moving (timer) time | 4 days | 4 days |
| elapsed time | 7 days | 7 days |
| timer above elapsed | by more than 60 s and 1% | same |
| any value negative or not a number | always | always |
| start | after 1990-01-01 and not more than 2 days in the future | same |

The fastest 5 km and marathon ever run average about 6.6 and 5.9 m/s.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from loadwatch.model import ActivitySummary, is_running

RUN_MAX_SPEED_MS = 7.0
OTHER_MAX_SPEED_MS = 40.0
#: Average speed is judged only over this distance or more (short bits are noisy).
SPEED_MIN_DISTANCE_M = 1000.0
RUN_MAX_DISTANCE_M = 500_000.0
OTHER_MAX_DISTANCE_M = 2_000_000.0
MAX_TIMER_S = 4 * 86_400.0
MAX_ELAPSED_S = 7 * 86_400.0
#: Timer may exceed elapsed by rounding: this many seconds and this fraction, both.
TIMER_SLACK_S = 60.0
TIMER_SLACK_FRACTION = 0.01
EARLIEST_START = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=2)


def implausibility(s: ActivitySummary, now: datetime | None = None) -> str | None:
    """Why ``s`` cannot be a real activity (one line), or None when it is plausible."""
    numbers = {"distance": s.distance_m, "moving time": s.timer_s, "elapsed time": s.elapsed_s}
    for what, value in numbers.items():
        if value is None or not math.isfinite(value) or value < 0:
            return f"{what} is {value!r}, not a measurement"
    running = is_running(s.sport)
    max_distance = RUN_MAX_DISTANCE_M if running else OTHER_MAX_DISTANCE_M
    if s.distance_m > max_distance:
        return f"distance {s.distance_m / 1000:,.1f} km is over {max_distance / 1000:,.0f} km"
    if s.timer_s > MAX_TIMER_S:
        return f"moving time {s.timer_s / 3600:,.1f} h is over {MAX_TIMER_S / 3600:,.0f} h"
    if s.elapsed_s > MAX_ELAPSED_S:
        return f"elapsed time {s.elapsed_s / 3600:,.1f} h is over {MAX_ELAPSED_S / 3600:,.0f} h"
    if s.timer_s > s.elapsed_s + max(TIMER_SLACK_S, TIMER_SLACK_FRACTION * s.elapsed_s):
        return (
            f"moving time {s.timer_s:,.0f} s is longer than the elapsed time {s.elapsed_s:,.0f} s"
        )
    max_speed = RUN_MAX_SPEED_MS if running else OTHER_MAX_SPEED_MS
    if s.distance_m >= SPEED_MIN_DISTANCE_M:
        if s.timer_s <= 0:
            return f"{s.distance_m / 1000:,.2f} km in no moving time"
        speed = s.distance_m / s.timer_s
        if speed > max_speed:
            return f"average speed {speed * 3.6:,.1f} km/h is over {max_speed * 3.6:,.1f} km/h"
    now = now or datetime.now(UTC)
    if s.start_utc < EARLIEST_START:
        return f"starts {s.start_utc:%Y-%m-%d}, before 1990"
    if s.start_utc > now + FUTURE_SLACK:
        return f"starts {s.start_utc:%Y-%m-%d}, in the future"
    return None
