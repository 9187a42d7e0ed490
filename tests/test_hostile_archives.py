"""Zip and gzip bombs, overlapping zip entries and limits: refused by name, fast, in bounded memory.

The full-size bombs of the issue (2 GiB of zeros in a 2 MB zip or .gz) run
through the real CLI in a child process whose CPU time and peak memory are
measured; the rest use lowered limits on small inputs.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest

from loadwatch.errors import ActivityFileError
from loadwatch.importer import process_payload
from loadwatch.ingest import maybe_gunzip
from loadwatch.ingest.limits import Limits, gunzip, inflate
from loadwatch.ingest.sources import file_member, scan_archive

ROOT = Path(__file__).resolve().parent.parent
GIB = 1 << 30
FIT = (Path(__file__).with_name("data") / "fit" / "garmin-fenix-5-run.fit").read_bytes()

# Runs the CLI, then reports its own CPU time and peak memory (KB) on stderr.
_MEASURED_CLI = """
import resource, sys
from loadwatch.cli import cli
try:
    cli.main(args=sys.argv[1:], prog_name="loadwatch")
except SystemExit as e:
    code = e.code
u = resource.getrusage(resource.RUSAGE_SELF)
c = resource.getrusage(resource.RUSAGE_CHILDREN)
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec, so it would report the
# pytest worker this process was started from
own = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print("MEASURED", u.ru_utime + u.ru_stime + c.ru_utime + c.ru_stime,
      max(own, c.ru_maxrss), file=sys.stderr)
sys.exit(code)
"""


def _zeros_deflated(n_bytes: int, wbits: int) -> bytes:
    """Deflate (``wbits=-15``) or gzip (31) of ``n_bytes`` zeros, maximally compressed.

    Built from one 16 MiB block compressed with a full flush: the flush makes each
    block's output independent of the last, so the same bytes repeat.
    """
    block = bytes(1 << 24)
    n = n_bytes // len(block)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    packer.compress(block)
    packer.flush(zlib.Z_FULL_FLUSH)
    repeated = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    last = zlib.compressobj(9, zlib.DEFLATED, -15)
    raw = repeated * (n - 1) + last.compress(block) + last.flush()
    if wbits < 0:
        return raw
    crc = 0
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    return header + raw + struct.pack("<2L", crc, n_bytes & 0xFFFFFFFF)


def _measured_import(target: Path, home: Path) -> tuple[dict, float, float, int]:
    """(report, CPU seconds, peak MB, bytes written under the data folder but the database)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LOADWATCH_HOME": str(home)}
    env.pop("LOADWATCH_DB", None)
    args = [sys.executable, "-c", _MEASURED_CLI, "import", str(target), "--json"]
    out = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    measured = [line for line in out.stderr.splitlines() if line.startswith("MEASURED")]
    assert measured, out.stderr
    _, cpu, peak_kb = measured[-1].split()
    written = sum(
        p.stat().st_size for p in home.rglob("*") if p.is_file() and "loadwatch.db" not in p.name
    )
    return json.loads(out.stdout), float(cpu), int(peak_kb) / 1024, written


@pytest.fixture(scope="module")
def bombs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A zip holding 2 GiB of zeros as run.fit, and run.fit.gz inflating to 2 GiB."""
    folder = tmp_path_factory.mktemp("bombs")
    raw = _zeros_deflated(2 * GIB, -15)
    zip_path = folder / "bomb.zip"
    crc = 0
    for _ in range(128):
        crc = zlib.crc32(bytes(1 << 24), crc)
    zip_path.write_bytes(_zip_from_raw("run.fit", raw, 2 * GIB, crc))
    gz_path = folder / "run.fit.gz"
    gz_path.write_bytes(_zeros_deflated(2 * GIB, 31))
    return {"zip": zip_path, "gz": gz_path}


def _zip_from_raw(name: str, raw: bytes, size: int, crc: int, copies: int = 1) -> bytes:
    """A zip whose ``copies`` directory entries all point at one deflated member (zip64 sizes)."""
    fname = name.encode()
    extra = struct.pack("<HHQQ", 1, 16, size, len(raw))
    local = (
        struct.pack(
            "<4s5H3L2H",
            b"PK\x03\x04",
            45,
            0,
            8,
            0,
            0,
            crc,
            0xFFFFFFFF,
            0xFFFFFFFF,
            len(fname),
            len(extra),
        )
        + fname
        + extra
    )
    body = local + raw
    central = b""
    for i in range(copies):
        entry_name = fname if copies == 1 else f"{i}-{name}".encode()
        cextra = struct.pack("<HHQQQ", 1, 24, size, len(raw), 0)
        central += (
            struct.pack(
                "<4s6H3L5H2L",
                b"PK\x01\x02",
                45,
                45,
                0,
                8,
                0,
                0,
                crc,
                0xFFFFFFFF,
                0xFFFFFFFF,
                len(entry_name),
                len(cextra),
                0,
                0,
                0,
                0,
                0,
            )
            + entry_name
            + cextra
        )
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, copies, copies, len(central), len(body), 0)
    return body + central + eocd


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["zip", "gz"])
def test_a_2_gib_bomb_is_refused_fast_in_little_memory(
    bombs: dict[str, Path], kind: str, tmp_path: Path
) -> None:
    report, cpu, peak_mb, written = _measured_import(bombs[kind], tmp_path / "home")
    [error] = report["errors"]
    assert error["path"].endswith("run.fit" if kind == "zip" else "run.fit.gz")
    assert error["error"].startswith("refused:")
    assert report["activities_added"] == 0
    assert cpu < 5.0, cpu
    assert peak_mb < 300, peak_mb
    assert written < 1_000_000, written


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data, compress_type=method)
    return buf.getvalue()


def test_a_nested_bomb_is_refused_without_inflating_its_leaves(tmp_path: Path) -> None:
    leaf_member = bytes(20_000_000)  # 20 MB of zeros: ratio about 1,000 to 1
    leaf = _zip({f"{i}.fit": leaf_member for i in range(10)})
    middle = _zip({f"part{i}.zip": leaf for i in range(10)})
    path = tmp_path / "nested.zip"
    path.write_bytes(_zip({"UploadedFiles_0-_Part1.zip": middle, "real.fit": FIT}))
    scan = scan_archive(path)
    try:
        assert [m.display for m in scan.members] == [f"{path}!real.fit"]
        assert len(scan.problems) == 100  # every leaf member named
        assert all(
            "to 1" in reason and "LOADWATCH_MAX_RATIO" in reason for _, reason in scan.problems
        )
        assert scan.problems[0][0] == f"{path}!UploadedFiles_0-_Part1.zip!part0.zip!0.fit"
    finally:
        scan.close()


def test_overlapping_entries_refuse_the_whole_archive(tmp_path: Path) -> None:
    raw = _zeros_deflated(1 << 24, -15)
    path = tmp_path / "overlap.zip"
    path.write_bytes(_zip_from_raw("run.fit", raw, 1 << 24, zlib.crc32(bytes(1 << 24)), 2000))
    with zipfile.ZipFile(path) as zf:  # an independent reader agrees it holds 2,000 entries
        assert len(zf.infolist()) == 2000
    with pytest.raises(ActivityFileError, match="2,000 entries share the same bytes") as err:
        scan_archive(path)
    assert err.value.path == str(path)


def test_a_member_that_inflates_past_its_declared_size_is_damaged() -> None:
    from loadwatch.ingest.sources import Payload

    raw = zlib.compress(bytes(5_000_000))[2:-4]  # raw deflate of 5 MB
    lying = Payload(raw, zipfile.ZIP_DEFLATED, crc=0, size=1000)
    with pytest.raises(ActivityFileError, match="past its declared size"):
        lying.inflate("x.zip!run.fit", Limits())


def test_limits_on_members_count_and_archive_total(tmp_path: Path) -> None:
    path = tmp_path / "many.zip"
    path.write_bytes(_zip({f"{i}.fit": FIT + bytes([i]) for i in range(12)}))
    with pytest.raises(ActivityFileError, match="12 entries, over the limit of 10"):
        scan_archive(path, Limits(max_members=10))
    scan = scan_archive(path, Limits(max_archive_bytes=5 * (len(FIT) + 1)))
    try:
        assert len(scan.members) == 5
        assert len(scan.problems) == 7
        assert all("LOADWATCH_MAX_ARCHIVE_MB" in r for _, r in scan.problems)
    finally:
        scan.close()


def test_an_oversized_member_is_refused_from_its_header(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    path.write_bytes(_zip({"run.fit": os.urandom(3000)}))
    scan = scan_archive(path, Limits(max_file_bytes=2000))
    assert scan.members == []
    assert scan.problems == [
        (
            f"{path}!run.fit",
            "refused: 3,000 bytes inflated, over the limit of 2,000 bytes for one activity "
            "file (LOADWATCH_MAX_FILE_MB)",
        )
    ]
    scan.close()


def test_a_plain_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "huge.gpx"
    path.write_bytes(b"<gpx>" + bytes(5000))
    member = file_member(path, Limits(max_file_bytes=1000))
    with pytest.raises(ActivityFileError, match="more than 1,000 bytes"):
        member.fetch()


def test_bounded_inflate_agrees_with_zlib_and_gzip() -> None:
    data = os.urandom(300_000) + bytes(2_000_000) + FIT * 20
    assert inflate(zlib.compress(data)[2:-4], "x", Limits()) == data
    two_members = gzip.compress(data[:1000]) + gzip.compress(data[1000:])
    assert gunzip(two_members, "x", Limits()) == gzip.decompress(two_members) == data
    assert maybe_gunzip(gzip.compress(FIT), "run.fit.gz") == FIT


def test_a_cut_gzip_stream_is_named_damaged() -> None:
    packed = gzip.compress(os.urandom(50_000))
    with pytest.raises(ActivityFileError, match="cut short") as err:
        gunzip(packed[: len(packed) // 2], "run.fit.gz", Limits())
    assert err.value.path == "run.fit.gz"


def test_a_refused_member_writes_nothing_to_the_originals_folder(tmp_path: Path) -> None:
    from loadwatch.ingest.sources import Payload

    bomb = Payload(_zeros_deflated(1 << 26, 31))  # a .gz bomb of 64 MiB
    originals = tmp_path / "originals"
    decoded = process_payload("run.fit.gz", bomb, originals, known=set(), limits=Limits())
    assert decoded.error is not None and "LOADWATCH_MAX_RATIO" in decoded.error
    assert not originals.exists()
