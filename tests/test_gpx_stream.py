"""Large GPX files are streamed; the streamed summary equals the tree path's.

The equality runs every GPX test file (and the real-world corpus's, when
present) through both paths with the streaming threshold lowered to 0. The
memory test reads a 1-million-point GPX (105 MB) in a child process.
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loadwatch.errors import LoadwatchError
from loadwatch.ingest import gpxstream
from loadwatch.ingest.gpx import read_gpx

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).with_name("data") / "gpx"
CORPUS = ROOT.parent / "shared" / "realworld"


def _gpx_files() -> list[Path]:
    files = sorted(DATA.glob("*.gpx"))
    if CORPUS.is_dir():
        files += sorted(p for p in CORPUS.rglob("*") if p.suffix.lower() == ".gpx")[:200]
    return files


def _outcome(read, data: bytes, name: str):  # type: ignore[no-untyped-def]
    try:
        return [dataclasses.asdict(s) for s in read(data, name)]
    except LoadwatchError as e:
        return type(e).__name__


@pytest.mark.parametrize("path", _gpx_files(), ids=lambda p: p.name)
def test_streamed_and_tree_summaries_agree(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = path.read_bytes()
    expected = _outcome(read_gpx, data, path.name)
    monkeypatch.setattr(gpxstream, "STREAM_FROM_BYTES", 0)
    got = _outcome(gpxstream.read_gpx_large, data, path.name)
    if isinstance(expected, str):
        assert got == expected
        return
    assert len(got) == len(expected)
    for g, e in zip(got, expected, strict=True):
        for key, value in e.items():
            if isinstance(value, float):
                assert g[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key
            else:
                assert g[key] == value, key


def write_points(path: Path, n: int) -> None:
    """A GPX run of ``n`` points at 10 Hz with elevation (about 105 bytes a point)."""
    t0 = datetime(2026, 3, 1, 6, 0, tzinfo=UTC)
    with path.open("w") as f:
        f.write(
            '<?xml version="1.0"?>\n<gpx version="1.1" creator="test" '
            'xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type><trkseg>\n'
        )
        for i in range(n):
            t = t0 + timedelta(milliseconds=100 * i)
            f.write(
                f'<trkpt lat="{-27.4 + i * 1e-7:.7f}" lon="{153.0 + (i % 100) * 1e-7:.7f}">'
                f"<ele>{10 + i % 50}</ele><time>{t:%Y-%m-%dT%H:%M:%S.%f}Z</time></trkpt>\n"
            )
        f.write("</trkseg></trk></gpx>\n")


_MEASURE = """
import resource, sys
from loadwatch.ingest import read_activity_bytes
data = open(sys.argv[1], "rb").read()
[s] = read_activity_bytes(data, "big.gpx").summaries
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec (it would be the pytest worker's)
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM")) / 1024
print(peak, s.distance_m, s.elapsed_s)
"""


@pytest.mark.slow
def test_a_million_point_gpx_is_read_in_under_300_mb(tmp_path: Path) -> None:
    path = tmp_path / "big.gpx"
    write_points(path, 1_000_000)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, env=env,
        timeout=900, check=True,
    )  # fmt: skip
    peak_mb, distance, elapsed = (float(v) for v in out.stdout.split())
    assert peak_mb < 300, peak_mb
    assert elapsed == pytest.approx(99_999.9)  # 10 Hz for 100,000 s, hand-computed
    assert distance > 0
