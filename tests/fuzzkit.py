"""Shared by the fuzz test and ``scripts/fuzz``: seeds, mutations, one checked read.

A fuzzed input goes through the reader entry point exactly as an import
reads it (under the per-file time budget), and the outcome is classified:
``clean`` (summaries, or a readable file holding no activity), ``named``
(a loadwatch error naming the file), ``unhandled`` (anything else: a bug).
Summaries that would count as load are checked against bounds written out
here by hand, independently of :mod:`loadwatch.plausibility`.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loadwatch.errors import LoadwatchError, NotAnActivityFile
from loadwatch.ingest import read_activity_bytes
from loadwatch.ingest.budget import ReadTimeout, time_budget
from loadwatch.ingest.limits import Limits
from loadwatch.plausibility import implausibility

DATA = Path(__file__).with_name("data")
#: Seeds larger than this make slow fuzzing without finding more (bytes).
MAX_SEED_BYTES = 130_000
#: What a human can do in one activity (hand-written; see the module docstring).
HUMAN_RUN_SPEED_MS = 7.0
HUMAN_RUN_KM = 500.0
ANY_SPORT_KM = 2000.0


def seeds() -> list[tuple[str, bytes]]:
    """Real test files (FIT, GPX, TCX) used as starting points, smallest first."""
    found = [
        (p.name, p.read_bytes())
        for folder in ("fit", "gpx", "tcx")
        for p in sorted((DATA / folder).iterdir())
        if p.suffix.lower() in (".fit", ".gpx", ".tcx") and p.stat().st_size <= MAX_SEED_BYTES
    ]
    return sorted(found, key=lambda item: len(item[1]))


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits of the kinds that damage files in the wild."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not buf:
            buf = bytearray(rng.randbytes(rng.randint(1, 64)))
        at = rng.randrange(len(buf))
        kind = rng.randrange(8)
        if kind == 0:  # flip bits
            buf[at] ^= 1 << rng.randrange(8)
        elif kind == 1:  # an interesting byte
            buf[at] = rng.choice((0x00, 0x01, 0x7F, 0x80, 0xFE, 0xFF, 0x3C, 0x3E, 0x22))
        elif kind == 2:  # truncate
            del buf[at:]
        elif kind == 3:  # insert random bytes
            buf[at:at] = rng.randbytes(rng.randint(1, 16))
        elif kind == 4:  # delete a run
            del buf[at : at + rng.randint(1, 64)]
        elif kind == 5:  # duplicate a run (repeated records, chained parts)
            run = buf[at : at + rng.randint(1, 256)]
            buf[at:at] = run * rng.randint(1, 8)
        elif kind == 6:  # overwrite a run with one value
            n = rng.randint(1, 32)
            buf[at : at + n] = bytes([rng.choice((0, 0xFF))]) * len(buf[at : at + n])
        else:  # a big number where a digit was (text formats) or a random byte
            if 0x30 <= buf[at] <= 0x39:
                buf[at : at + 1] = str(rng.choice((9, 99999, 10**12, -1))).encode()
            else:
                buf[at] = rng.randrange(256)
    return bytes(buf)


@dataclass(slots=True)
class Outcome:
    kind: str  # clean | named | unhandled
    seconds: float  # CPU time of the read
    wall: float = 0.0
    detail: str = ""
    timed_out: bool = False
    #: summaries that would count as load although a human could not have done them
    counted_implausible: int = 0


def human(distance_m: float, timer_s: float, elapsed_s: float, sport: str) -> bool:
    """Hand-written bounds: could a person have done this?"""
    running = sport in ("running", "trail_running", "treadmill_running")
    km = distance_m / 1000
    if not (0 <= km <= (HUMAN_RUN_KM if running else ANY_SPORT_KM)):
        return False
    if not (0 <= timer_s <= 4 * 86400 and 0 <= elapsed_s <= 7 * 86400):
        return False
    if timer_s > elapsed_s + max(60, elapsed_s / 100):
        return False
    if km >= 1:
        return timer_s > 0 and distance_m / timer_s <= (HUMAN_RUN_SPEED_MS if running else 40)
    return True


def read_checked(data: bytes, name: str, limits: Limits | None = None) -> Outcome:
    """Read one input as the importer would and classify what happened."""
    limits = limits or Limits()
    start = time.process_time()
    wall = time.perf_counter()
    try:
        with time_budget(limits.budget_for(len(data)), name):
            result = read_activity_bytes(data, name)
    except NotAnActivityFile:
        return Outcome("clean", time.process_time() - start, wall=time.perf_counter() - wall)
    except ReadTimeout as e:
        return Outcome(
            "named",
            time.process_time() - start,
            detail=e.reason,
            wall=time.perf_counter() - wall,
            timed_out=True,
        )
    except LoadwatchError as e:
        return Outcome(
            "named", time.process_time() - start, wall=time.perf_counter() - wall, detail=str(e)
        )
    except Exception as e:  # the point of fuzzing: anything else is a bug
        detail = f"{type(e).__name__}: {e}"
        return Outcome(
            "unhandled", time.process_time() - start, wall=time.perf_counter() - wall, detail=detail
        )
    counted_bad = 0
    now = datetime.now(UTC)
    for s in result.summaries:
        flagged = implausibility(s, now) is not None
        if not flagged and not human(s.distance_m, s.timer_s, s.elapsed_s, s.sport):
            counted_bad += 1
    return Outcome(
        "clean",
        time.process_time() - start,
        wall=time.perf_counter() - wall,
        counted_implausible=counted_bad,
    )
