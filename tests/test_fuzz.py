"""Bounded fuzzing of the readers in CI: mutated real files through the reader entry point.

Every input must end in summaries, a skip or a loadwatch error naming the
file (never another exception), within 2 s of CPU time, and nothing a person
could not have done may count as load (hand-written bounds in tests/fuzzkit.py).
``scripts/fuzz N`` runs the same check for as long as you like.
"""

from __future__ import annotations

import random

from fuzzkit import mutate, read_checked, seeds
from hypothesis import given, settings
from hypothesis import strategies as st

SEEDS = seeds()


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(range(len(SEEDS))), st.integers(0, 2**32 - 1))
def test_mutated_real_files_fail_only_by_name_quickly_and_never_count_impossible_load(
    which: int, seed: int
) -> None:
    name, data = SEEDS[which]
    fuzzed = mutate(data, random.Random(seed))
    out = read_checked(fuzzed, name)
    assert out.kind != "unhandled", out.detail
    assert out.seconds < 2.0, (out.seconds, out.detail)
    assert out.counted_implausible == 0


def test_the_seeds_cover_every_format() -> None:
    suffixes = {name.rsplit(".", 1)[-1].lower() for name, _ in SEEDS}
    assert suffixes == {"fit", "gpx", "tcx"}
    assert len(SEEDS) >= 30
