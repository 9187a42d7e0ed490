"""Benchmark stores: many athletes x years of runs and pain scores, built fast and reused.

``build_store(path, athletes, years)`` writes one SQLite store
(``fill_store`` fills any empty store, PostgreSQL included): per athlete
about 4.6 runs a week (3-30 km, a long run most weeks, fixed seed) and 200
pain scores over the period, the last run on the store's last day. Rows are
written with one bulk insert per table (not through the importer), so a
1,000-athlete x 5-year store (about 1.2 million runs) takes about a minute.
Built into ``benchmarks/out/`` once and reused by the benchmarks.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from loadwatch.store import Store, activities, athletes, pain_entries, source_files

SEED = 20260101
FIRST_DAY = date(2021, 1, 4)
OUT = Path(__file__).resolve().parent / "out"


def store_path(athletes_n: int, years: int) -> Path:
    return OUT / f"coach_{athletes_n}x{years}y_{SEED}.db"


def last_day(years: int) -> date:
    """The store's last day (every athlete's last possible run)."""
    return FIRST_DAY + timedelta(days=round(365.25 * years) - 1)


def build_store(path: Path, athletes_n: int, years: int) -> None:
    """Write the store to ``path`` (replacing a half-built one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    store = Store(f"sqlite:///{tmp}")
    fill_store(store, athletes_n, years)
    store.close()
    tmp.replace(path)


def fill_store(store: Store, athletes_n: int, years: int) -> None:
    """Write the athletes, runs and pain scores into an empty ``store`` (any backend)."""
    rng = np.random.default_rng(SEED)
    days = round(365.25 * years)
    now = datetime(2026, 1, 1)
    first = datetime.combine(FIRST_DAY, datetime.min.time())
    with store.engine.begin() as conn:
        conn.execute(
            insert(athletes),
            [
                {"id": k + 1, "name": f"Runner {k:04d}", "created_utc": now, "tz": "Europe/Berlin"}
                for k in range(athletes_n)
            ],
        )
        conn.execute(
            insert(source_files),
            [
                {
                    "id": k + 1,
                    "athlete_id": k + 1,
                    "sha256": f"{k:064d}",
                    "original_name": "bench.fit",
                    "size": 1,
                    "format": "fit",
                    "outcome": "imported",
                    "imported_utc": now,
                }
                for k in range(athletes_n)
            ],
        )
        for k in range(athletes_n):
            base = rng.uniform(5, 12)
            day = np.flatnonzero(rng.random(days) >= 0.35)
            day[-1] = days - 1
            long_day = day % 7 == 6
            km = np.clip(rng.normal(base * np.where(long_day, 2.0, 1.0), 1.5), 3, 30)
            seconds = 5 * 3600 + rng.integers(0, 12 * 3600, len(day))
            hr = rng.normal(145, 8, len(day))
            rows = [
                {
                    "athlete_id": k + 1,
                    "sport": "running",
                    "start_utc": first + timedelta(days=int(d), seconds=int(s)),
                    "utc_offset_s": 3600,
                    "local_date": FIRST_DAY + timedelta(days=int(d)),
                    "distance_m": float(m) * 1000,
                    "timer_s": float(m) * 330,
                    "elapsed_s": float(m) * 345,
                    "avg_hr": float(h),
                    "source_format": "fit",
                    "source_sha256": f"bench-{k}-{d}",
                    "session_index": 0,
                    "recovered": False,
                }
                for d, s, m, h in zip(day, seconds, km, hr, strict=True)
            ]
            conn.execute(insert(activities), rows)
            pain_days = np.sort(rng.choice(days, 200, replace=False))
            scores = rng.integers(0, 8, 200)
            conn.execute(
                insert(pain_entries),
                [
                    {
                        "athlete_id": k + 1,
                        "date": FIRST_DAY + timedelta(days=int(d)),
                        "score": int(s),
                        "location": "lower_back",
                        "timing": "not_running",
                        "created_utc": now,
                    }
                    for d, s in zip(pain_days, scores, strict=True)
                ],
            )
        if conn.dialect.name == "postgresql":  # ids were given: move the sequences past them
            for table in ("athletes", "source_files"):
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT max(id) FROM {table}))"
                )


def ensure_store(athletes_n: int, years: int, *, rebuild: bool = False) -> Path:
    """The path of the benchmark store, built first when missing."""
    path = store_path(athletes_n, years)
    if rebuild or not path.exists():
        print(f"building {path.name} (once) ...", flush=True)
        build_store(path, athletes_n, years)
    return path


if __name__ == "__main__":
    import sys

    for n in [int(a) for a in sys.argv[1:]] or [50, 200, 1000]:
        print(ensure_store(n, 5))
