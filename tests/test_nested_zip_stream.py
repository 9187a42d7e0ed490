"""NestedZipStream: a nested zip read in place, with cheap seeks back, equals its bytes."""

from __future__ import annotations

import io
import os
import zipfile
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from loadwatch.ingest.sources import NestedZipStream, scan_archive


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return c.compress(data) + c.flush()


class _Small(NestedZipStream):
    """Tiny steps and checkpoints, so a few kilobytes cross many of both."""

    BLOCK = 97
    CHUNK = 53


_DATA = os.urandom(3000) + b"run " * 2000 + os.urandom(2000)


@settings(max_examples=200, deadline=None)
@given(
    ops=st.lists(
        st.tuples(
            st.integers(-200, len(_DATA) + 200), st.integers(-1, 1500), st.sampled_from([0, 1, 2])
        ),
        max_size=25,
    ),
    spacing=st.sampled_from([1, 500, 4096, 1 << 20]),
)
def test_any_seeks_and_reads_return_what_a_plain_buffer_returns(
    ops: list[tuple[int, int, int]], spacing: int
) -> None:
    stream = _Small(
        io.BytesIO(b"junk" + _deflate(_DATA)), 4, len(_deflate(_DATA)), len(_DATA), spacing=spacing
    )
    plain = io.BytesIO(_DATA)
    for offset, n, whence in ops:
        target = {0: 0, 1: plain.tell(), 2: len(_DATA)}[whence] + offset
        if target < 0:
            with pytest.raises(ValueError):
                stream.seek(offset, whence)
            continue
        assert stream.seek(offset, whence) == plain.seek(offset, whence)
        assert stream.read(n) == plain.read(n)
        assert stream.tell() == plain.tell()


def test_a_stored_member_reads_the_same_way() -> None:
    stream = NestedZipStream(
        io.BytesIO(b"xx" + _DATA), 2, len(_DATA), len(_DATA), zipfile.ZIP_STORED
    )
    stream.seek(-10, io.SEEK_END)
    assert stream.read() == _DATA[-10:]
    stream.seek(5)
    assert stream.read(7) == _DATA[5:12]


def test_a_stream_cut_short_raises_eof_error() -> None:
    packed = _deflate(_DATA)[:500]
    stream = _Small(io.BytesIO(packed), 0, len(packed), len(_DATA))
    with pytest.raises(EOFError, match="ends before its declared size"):
        stream.read()


def test_reads_stop_at_the_declared_size() -> None:
    packed = _deflate(_DATA)
    stream = NestedZipStream(io.BytesIO(packed), 0, len(packed), 100)
    assert stream.read() == _DATA[:100]
    assert stream.read(10) == b""


def test_a_nested_export_is_listed_and_read_inflating_it_about_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zipfile's own member stream inflated a nested zip again from its start on every
    seek back (about five times to list and read it); this reads it twice: once to
    reach its directory at the end, once from the start for the members."""
    inner = io.BytesIO()
    payloads = {f"runs/{i}.fit": os.urandom(20_000) for i in range(40)}
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in payloads.items():
            zf.writestr(name, data)
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            "DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue()
        )
    inflated = 0
    real = NestedZipStream._inflate_step

    def counting(self: NestedZipStream) -> bytes:
        nonlocal inflated
        out = real(self)
        inflated += len(out)
        return out

    monkeypatch.setattr(NestedZipStream, "_inflate_step", counting)
    scan = scan_archive(path)
    try:
        got = {m.display.rsplit("!", 1)[1]: m.read() for m in scan.members}
    finally:
        scan.close()
    assert got == payloads
    size = len(inner.getvalue())
    assert size * 1.9 < inflated < size * 2.3
