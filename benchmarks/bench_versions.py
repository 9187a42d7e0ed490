"""``Store.athlete_versions()`` on the 1,000-athlete x 5-year store: CPU seconds per call.

Run: ``python benchmarks/bench_versions.py [--athletes 1000] [--calls 7]``. The
store is the one :mod:`bench_store` builds (reused from ``benchmarks/out/``);
every athlete gets a revision row first, as a store in use has. Prints the
min and median CPU time of the calls after one warm-up call.
"""

from __future__ import annotations

import argparse
import statistics
import time

from bench_store import ensure_store
from sqlalchemy import text

from loadwatch.store import Store


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--athletes", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=7)
    args = parser.parse_args()
    store = Store(f"sqlite:///{ensure_store(args.athletes, 5)}")
    with store.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO athlete_revisions (athlete_id, revision) SELECT id, 1 FROM athletes"
                " WHERE id NOT IN (SELECT athlete_id FROM athlete_revisions)"
            )
        )
    assert len(store.athlete_versions()) == args.athletes
    cpu = []
    for _ in range(args.calls):
        start = time.process_time()
        store.athlete_versions()
        cpu.append(time.process_time() - start)
    print(
        f"athlete_versions, {args.athletes} athletes x 5 years, {args.calls} calls: "
        f"min {min(cpu) * 1000:.1f} ms, median {statistics.median(cpu) * 1000:.1f} ms CPU"
    )


if __name__ == "__main__":
    main()
