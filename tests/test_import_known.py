"""Knowing a file without reading it again: the zip header's CRC-32, and one sha256 per file.

A re-downloaded export holds the same files in a new archive (other order,
other compression, other archive bytes). A member whose base name, inflated
size and CRC-32 (from its zip header) equal those of a file already stored is
counted unchanged without being inflated, hashed or decoded; the report is the
one a full read gives. Anything the header cannot vouch for (plain files,
files stored before the CRC was kept, gzipped members) is hashed as before.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from test_importer import _garmin_export, _run

from loadwatch import importer
from loadwatch.importer import import_paths
from loadwatch.store import Store

RUNS = [_run(day, 5.0 + day % 3, seed=day) for day in range(6)]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(f"sqlite:///{tmp_path / 'lw.db'}", originals_dir=tmp_path / "originals")


def _rezip(src: Path, dst: Path, *, replace: dict[str, bytes] | None = None) -> Path:
    """``src`` written again as a second download would be: members in reverse order,
    stored instead of deflated, nested zips rebuilt the same way."""

    def copy(zin: zipfile.ZipFile, zout: zipfile.ZipFile) -> None:
        for info in reversed(zin.infolist()):
            data = zin.read(info)
            name = info.filename
            if name.endswith(".zip"):
                buf = io.BytesIO()
                with (
                    zipfile.ZipFile(io.BytesIO(data)) as inner_in,
                    zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as inner_out,
                ):
                    copy(inner_in, inner_out)
                data = buf.getvalue()
            base = name.rsplit("/", 1)[-1]
            zout.writestr(name, (replace or {}).get(base, data))

    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        copy(zin, zout)
    return dst


@pytest.fixture
def payloads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the members the importer inflated and hashed (in this process)."""
    seen: list[str] = []
    real = importer.process_payload

    def counting(display: str, *args: Any, **kwargs: Any) -> Any:
        seen.append(display)
        return real(display, *args, **kwargs)

    monkeypatch.setattr(importer, "process_payload", counting)
    return seen


def _counts(report: importer.ImportReport) -> dict[str, Any]:
    out = report.as_json()
    return {k: out[k] for k in ("imported", "unchanged", "duplicates", "activities_added")} | {
        "errors": len(out["errors"]),
        "missing": len(out["missing_from_archive"]),
    }


def test_a_redownloaded_export_is_known_from_its_zip_headers(
    store: Store, tmp_path: Path, payloads: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = _garmin_export(tmp_path, RUNS)
    first = import_paths(store, [export], workers=1)
    assert first.activities_added == len(RUNS)
    again = _rezip(export, tmp_path / "garmin_export_again.zip")
    assert again.read_bytes() != export.read_bytes()

    payloads.clear()
    report = import_paths(store, [again], workers=1)
    assert payloads == []  # no member inflated, hashed or decoded
    expected = {"imported": 0, "unchanged": len(RUNS), "duplicates": 0, "activities_added": 0}
    assert _counts(report) == expected | {"errors": 0, "missing": 0}

    # the same import with the header check off reads every member, and says the same
    other = Store(f"sqlite:///{tmp_path / 'other.db'}", originals_dir=tmp_path / "o2")
    import_paths(other, [export], workers=1)
    monkeypatch.setattr(Store, "known_zip_members", lambda *_: set())
    payloads.clear()
    full = import_paths(other, [again], workers=1)
    assert len(payloads) == len(RUNS)
    assert full.as_json() == report.as_json()


def test_the_stored_crc_is_that_of_the_inflated_bytes(store: Store, tmp_path: Path) -> None:
    export = _garmin_export(tmp_path, RUNS[:2])
    import_paths(store, [export], workers=1)
    with zipfile.ZipFile(export) as outer:
        nested = next(n for n in outer.namelist() if n.endswith(".zip"))
        with zipfile.ZipFile(io.BytesIO(outer.read(nested))) as inner:
            want = {
                (n, len(data), zlib.crc32(data), hashlib.sha256(data).hexdigest())
                for n in inner.namelist()
                if (data := inner.read(n))
            }
    engine = create_engine(store.url)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT original_name, size, crc32, sha256 FROM source_files"))
        got = {(name.rsplit("!", 1)[1], size, crc, sha) for name, size, crc, sha in rows}
    engine.dispose()
    assert got == want


def test_same_name_and_size_but_other_bytes_is_imported(
    store: Store, tmp_path: Path, payloads: list[str]
) -> None:
    export = _garmin_export(tmp_path, RUNS[:3])
    import_paths(store, [export], workers=1)
    first_name = "user@example.com_1000.fit"
    with zipfile.ZipFile(export) as outer:
        nested = next(n for n in outer.namelist() if n.endswith(".zip"))
        with zipfile.ZipFile(io.BytesIO(outer.read(nested))) as inner:
            old = inner.read(first_name)
    # another run, as long as the first (same size of file), under the first one's name
    from loadwatch.synth import to_fit

    other = next(
        data
        for seed in range(100, 200)
        if len(data := to_fit(_run(40, 5.0, seed=seed))) == len(old)
    )
    assert other != old and zlib.crc32(other) != zlib.crc32(old)
    again = _rezip(export, tmp_path / "changed.zip", replace={first_name: other})

    payloads.clear()
    report = import_paths(store, [again], workers=1)
    assert [p.rsplit("!", 1)[1] for p in payloads] == [first_name]  # only it was read
    assert (report.imported, report.unchanged, report.activities_added) == (1, 2, 1)


def test_files_stored_before_the_crc_was_kept_are_hashed_as_before(
    store: Store, tmp_path: Path, payloads: list[str]
) -> None:
    export = _garmin_export(tmp_path, RUNS[:3])
    import_paths(store, [export], workers=1)
    engine = create_engine(store.url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE source_files SET crc32 = NULL"))
    engine.dispose()
    payloads.clear()
    report = import_paths(store, [_rezip(export, tmp_path / "again.zip")], workers=1)
    assert len(payloads) == 3
    assert (report.imported, report.unchanged, report.activities_added) == (0, 3, 0)


def test_plain_and_gzipped_files_keep_no_crc_and_are_hashed(
    store: Store, tmp_path: Path, payloads: list[str]
) -> None:
    from loadwatch.synth import to_fit

    folder = tmp_path / "runs"
    folder.mkdir()
    (folder / "a.fit").write_bytes(to_fit(RUNS[0]))
    gz = gzip.compress(to_fit(RUNS[1]))
    with zipfile.ZipFile(tmp_path / "strava.zip", "w") as zf:
        zf.writestr("b.fit.gz", gz)
    import_paths(store, [folder, tmp_path / "strava.zip"], workers=1)
    engine = create_engine(store.url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT crc32 FROM source_files")).scalars().all() == [None] * 2
    engine.dispose()
    with zipfile.ZipFile(tmp_path / "strava2.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("b.fit.gz", gz)
    payloads.clear()
    report = import_paths(store, [folder, tmp_path / "strava2.zip"], workers=1)
    assert sorted(p.rsplit("/", 1)[-1].rsplit("!", 1)[-1] for p in payloads) == [
        "a.fit",
        "b.fit.gz",
    ]
    assert report.unchanged == 2


def test_each_file_is_hashed_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = hashlib.sha256

    def counting(data: bytes = b"") -> Any:
        calls.append(len(data))
        return real(data)

    from loadwatch.synth import to_fit

    (tmp_path / "a.fit").write_bytes(to_fit(RUNS[0]))
    monkeypatch.setattr(hashlib, "sha256", counting)
    report = import_paths(store, [tmp_path / "a.fit"], workers=1)
    assert report.activities_added == 1
    assert calls == [len(to_fit(RUNS[0]))]
