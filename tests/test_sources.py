"""Archive walking: raw member reads agree with zipfile, layouts are detected, damage is named."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from loadwatch.errors import ActivityFileError
from loadwatch.ingest.sources import detect_layout, iter_paths, scan_archive


def _zip(members: dict[str, tuple[bytes, int]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, (data, method) in members.items():
            zf.writestr(name, data, compress_type=method)
    return buf.getvalue()


def test_raw_member_reads_equal_zipfile_reads(tmp_path: Path) -> None:
    payloads = {f"a/run{i}.fit": os.urandom(1000) + b"x" * (i * 3000) for i in range(6)}
    inner = _zip({k: (v, zipfile.ZIP_DEFLATED) for k, v in payloads.items()})
    outer_members = {
        "stored.gpx": (b"<gpx>" + b"y" * 5000, zipfile.ZIP_STORED),
        "deflated.TCX": (b"<TrainingCenterDatabase>" + b"z" * 5000, zipfile.ZIP_DEFLATED),
        "nested/inner.zip": (inner, zipfile.ZIP_DEFLATED),
        "nested/stored_inner.zip": (inner, zipfile.ZIP_STORED),
    }
    path = tmp_path / "x.zip"
    path.write_bytes(_zip(outer_members))

    scan = scan_archive(path)
    try:
        got = {m.display.split("!", 1)[1]: m.read() for m in scan.members}
    finally:
        scan.close()
    expected = {
        "stored.gpx": outer_members["stored.gpx"][0],
        "deflated.TCX": outer_members["deflated.TCX"][0],
    }
    for prefix in ("nested/inner.zip", "nested/stored_inner.zip"):
        for name, data in payloads.items():
            expected[f"{prefix}!{name}"] = data
    assert got == expected
    assert scan.layout == "generic"


def test_a_corrupted_member_is_named(tmp_path: Path) -> None:
    data = b"<gpx>" + os.urandom(4000)
    raw = bytearray(_zip({"run.gpx": (data, zipfile.ZIP_STORED)}))
    at = raw.index(data) + 100
    raw[at] ^= 0xFF  # flip a byte of the member: its CRC no longer matches
    path = tmp_path / "bad.zip"
    path.write_bytes(bytes(raw))
    scan = scan_archive(path)
    [member] = scan.members
    with pytest.raises(ActivityFileError, match="CRC mismatch") as err:
        member.read()
    assert err.value.path == f"{path}!run.gpx"
    scan.close()


def test_layout_detection() -> None:
    assert (
        detect_layout(["DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip"])
        == "garmin"
    )
    assert detect_layout(["x/user_0_summarizedActivities.json"]) == "garmin"
    assert detect_layout(["activities.csv", "activities/1.fit.gz"]) == "strava"
    assert detect_layout(["activities.csv"]) == "generic"
    assert detect_layout(["runs/a.fit"]) == "generic"


def test_folders_are_walked_sorted_without_hidden_files(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("b/2.fit", "a.gpx", ".hidden.fit", ".git/x.fit", "b/1.TCX"):
        (tmp_path / name).write_bytes(b"x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_paths([tmp_path])]
    assert found == ["a.gpx", "b/1.TCX", "b/2.fit"]


def test_read_activity_file_reads_from_disk_and_names_missing_files(tmp_path: Path) -> None:
    from loadwatch.ingest import read_activity_file

    gpx = tmp_path / "run.gpx"
    gpx.write_text(
        '<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1"><trk><type>running</type>'
        '<trkseg><trkpt lat="52.5" lon="13.4"><time>2026-05-01T06:00:00Z</time></trkpt>'
        '<trkpt lat="52.509" lon="13.4"><time>2026-05-01T06:05:00Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    )
    result = read_activity_file(gpx)
    assert (result.format, len(result.summaries)) == ("gpx", 1)
    assert result.summaries[0].local_date.isoformat() == "2026-05-01"  # type: ignore[union-attr]
    with pytest.raises(ActivityFileError, match="cannot read the file") as err:
        read_activity_file(tmp_path / "missing.fit")
    assert err.value.path == str(tmp_path / "missing.fit")


def test_a_cut_off_download_is_named_as_incomplete(tmp_path: Path) -> None:
    import io
    import zipfile

    from loadwatch.errors import ActivityFileError
    from loadwatch.ingest.sources import scan_archive

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("activities/1.gpx", "<gpx/>" * 1000)
    cut = tmp_path / "export.zip"
    cut.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])  # the central directory is lost
    with pytest.raises(ActivityFileError, match="download was probably cut off"):
        scan_archive(cut)
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    with pytest.raises(ActivityFileError, match="empty"):
        scan_archive(empty)
