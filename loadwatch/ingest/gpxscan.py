"""GPX track points read by a byte scan: the common file without building a tree.

Building the lxml tree of a one-hour 1 Hz run (1 MB, 3,600 points, 60,000
nodes) costs several times more CPU than inflating and hashing the file, and
walking it costs as much again. Most GPX files are plain: one default
namespace, points written as ``<trkpt lat=".." lon="..">`` with ``<ele>``,
``<time>`` and an ``<hr>`` extension, no comments, entities or CDATA. For
those, this module reads the points straight from the bytes with numpy
(positions of ``<``, ``>`` and ``"``; numbers parsed as fixed-width byte
strings; times from their digits) and leaves everything else to the tree
path of :mod:`loadwatch.ingest.gpx`, which stays the reference.

What keeps the scan honest:

- The document is first parsed by libxml2 with the tree path's safe options
  but without building anything; any error or warning declines the scan, so
  a damaged file gets exactly the tree path's refusal or recovery.
- Everything outside the ``<trkseg>`` elements (creator, track names and
  types, routes, waypoints) is read by the tree path itself, from a copy of
  the document with the segments' contents cut out (a few hundred bytes).
- Inside the segments, anything the scan does not read exactly as the tree
  path would (a prefixed or attributed ``<ele>``/``<time>``, namespace
  declarations, character references, a number or time of another shape)
  declines the scan. Declining costs time, never a different result:
  tests/test_ingest_gpx.py runs every GPX test and corpus file through both.

``benchmarks/bench_import.py`` (``--gpx``) measures what this buys.
"""

from __future__ import annotations

import itertools
import math
import re
from datetime import datetime

import numpy as np
from lxml import etree
from numpy.lib.stride_tricks import sliding_window_view

from loadwatch.ingest.gpx import (
    NO_TIME,
    GpxContent,
    TrackSegment,
    _as_utc,
    _hr_value,
    extract_with_lxml,
    to_us,
)
from loadwatch.ingest.xmlsafe import local_name, namespace_of, parse_xml, xml_parser

#: Bytes of segment content scanned at a time (bounds the scan's temporary arrays).
CHUNK_BYTES = 4_000_000
#: From this size on, positions are not kept for the whole document (memory).
LARGE_BYTES = 16_000_000
#: Longest number (bytes) read by the scan; longer ones decline it.
_MAX_NUMBER = 40
#: Encodings whose bytes the scan may read as ASCII (from the XML declaration).
_ENCODINGS = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_DECLARATION = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")

_LT, _GT, _QUOTE = ord("<"), ord(">"), ord('"')
_SPACE = np.zeros(256, dtype=bool)
_SPACE[[0x20, 0x09, 0x0A, 0x0D]] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[ord("0") : ord("9") + 1] = True


class _Declined(Exception):
    """The scan met something it leaves to the tree path."""


class _ValidationTarget:
    """A parser target without callbacks: libxml2 checks the document, builds nothing."""

    def close(self) -> None:
        return None


def scan_gpx(data: bytes) -> GpxContent | None:
    """The content of a plain GPX document, or ``None`` when the scan declines it."""
    try:
        return _scan(data)
    except (_Declined, IndexError, ValueError, OverflowError):
        # IndexError and the like: a shape the checks above did not foresee; the
        # tree path reads it (tests/test_gpx_scan.py holds the scan to the tree path)
        return None


def _scan(data: bytes) -> GpxContent:
    if not data.startswith(b"<"):
        raise _Declined  # a BOM or blanks first: the tree path notes them
    if data.startswith(b"<?xml"):
        declared = _DECLARATION.match(data[: data.find(b"?>") + 2])
        if declared and declared.group(1).lower() not in _ENCODINGS:
            raise _Declined
    _validate(data)  # from here on, every '<' opens a tag
    a = np.frombuffer(data, dtype=np.uint8)
    lt = _positions_of(a, _LT, 0, a.size)
    head = a[lt + 1] if a.size < LARGE_BYTES else None  # the byte after each '<'
    if _at(a, lt, b"!", 1, head).size or (_at(a, lt, b"?", 1, head) > 0).any():
        raise _Declined  # DOCTYPE, comments, CDATA (text the scan would misread), PIs
    bounds = _segment_bounds(a, lt, head)
    skeleton = b"".join(
        data[start:end]
        for start, end in zip(
            [0] + [hi for _, hi in bounds], [lo for lo, _ in bounds] + [len(data)], strict=True
        )
    )
    root, notes = parse_xml(skeleton, "skeleton")
    if notes or local_name(root.tag) != "gpx":
        raise _Declined
    content = extract_with_lxml(root)
    if len(content.segments) != len(bounds):
        raise _Declined  # a <trkseg> somewhere else than in a track
    ns = namespace_of(root.tag)
    for seg in root.iter(ns + "trkseg"):
        if any(prefix and f"{{{uri}}}" == ns for prefix, uri in seg.nsmap.items()):
            raise _Declined  # GPX elements may come with a prefix: the scan reads none
    # a large document's '<' positions are found again a chunk at a time (memory)
    kept = lt if a.size < LARGE_BYTES else None
    del lt
    content.segments = [_segment(data, a, kept, lo, hi) for lo, hi in bounds]
    return content


def _positions_of(a: np.ndarray, byte: int, lo: int, hi: int) -> np.ndarray:
    """Positions of ``byte`` in ``a[lo:hi]``, found a chunk at a time into one array
    (no temporary as long as the data), as 32-bit integers where they fit."""
    dtype = np.int32 if a.size < 2**31 - 64 else np.int64
    chunks = range(lo, hi, CHUNK_BYTES)
    counts = [int(np.count_nonzero(a[c : min(c + CHUNK_BYTES, hi)] == byte)) for c in chunks]
    out = np.empty(sum(counts), dtype=dtype)
    at = 0
    for c, count in zip(chunks, counts, strict=True):
        out[at : at + count] = np.flatnonzero(a[c : min(c + CHUNK_BYTES, hi)] == byte) + c
        at += count
    return out


def _validate(data: bytes) -> None:
    parser = xml_parser(target=_ValidationTarget())
    try:
        etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise _Declined from e
    if len(parser.error_log):
        raise _Declined  # e.g. an undeclared namespace prefix: the tree path notes it


def _segment_bounds(
    a: np.ndarray, lt: np.ndarray, head: np.ndarray | None
) -> list[tuple[int, int]]:
    """(start, end) of the content of every ``<trkseg>``, which must be plain and not nested."""
    opens = lt[_at(a, lt, b"trkseg", 1, head)]
    closes = lt[_at(a, lt, b"/trkseg", 1, head)]
    if opens.size != closes.size or not (a[opens + 7] == _GT).all():
        raise _Declined  # an attribute or a self-closed segment
    if not (a[closes + 8] == _GT).all():
        raise _Declined
    if (np.diff(np.column_stack((opens, closes)).ravel()) < 0).any():
        raise _Declined  # nested segments: open, close, open, close... or nothing
    return [(int(lo) + 8, int(hi)) for lo, hi in zip(opens, closes, strict=True)]


def _segment(data: bytes, a: np.ndarray, lt: np.ndarray | None, lo: int, hi: int) -> TrackSegment:
    """The points of one segment's content ``data[lo:hi]``; ``lt``: the positions of
    every '<' in the document (``None``: find them a chunk at a time)."""

    def lt_within(start: int, end: int) -> np.ndarray:
        if lt is None:
            return _positions_of(a, _LT, start, end)
        return lt[np.searchsorted(lt, start) : np.searchsorted(lt, end)]

    starts = np.concatenate(  # where each point begins
        [
            (inside := lt_within(c, min(c + CHUNK_BYTES, hi)))[_at(a, inside, b"trkpt", 1)]
            for c in range(lo, hi, CHUNK_BYTES)
        ]
        or [np.zeros(0, dtype=np.int64)]
    )
    n = starts.size
    seg = TrackSegment(
        np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.int64), np.empty(n)
    )
    # a chunk of about CHUNK_BYTES at a time, each but the first beginning at a point
    marks = np.searchsorted(starts, np.arange(lo + CHUNK_BYTES, hi, CHUNK_BYTES))
    cuts = np.unique(starts[marks[marks < n]])
    bounds = [lo, *cuts.tolist(), hi]
    done = 0
    for start, end in itertools.pairwise(bounds):
        inside = lt_within(start, end)
        columns = _points(data, a, inside, start, end, first=start == lo)
        count = columns[0].size
        targets = (seg.lat, seg.lon, seg.ele, seg.time_us, seg.hr)
        for target, values in zip(targets, columns, strict=True):
            target[done : done + count] = values
        done += count
    if done != n:
        raise _Declined
    return seg


def _at(
    a: np.ndarray, pos: np.ndarray, text: bytes, offset: int = 0, head: np.ndarray | None = None
) -> np.ndarray:
    """Indices ``i`` where ``text`` starts at ``pos[i] + offset`` (checked a byte at a
    time, on the survivors only: most positions fail at the first byte; a million
    positions at a time, so no temporary is as long as ``pos``). ``head``, when
    given, is ``a[pos + offset]`` already gathered."""
    if head is not None:
        sel = np.flatnonzero(head == text[0])
        for k in range(1, len(text)):
            sel = sel[a[pos[sel] + (offset + k)] == text[k]]
        return sel
    step = 1 << 20
    found = [_at(a, pos[i : i + step], text, offset, a[pos[i : i + step] + offset]) + i
             for i in range(0, pos.size, step)]  # fmt: skip
    return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)


def _points(
    data: bytes, a: np.ndarray, lt: np.ndarray, lo: int, hi: int, *, first: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """lat, lon, ele, time_us, hr of the points in ``data[lo:hi]`` (which starts at a
    ``<trkpt``, except in a segment's first chunk); ``lt``: the positions of '<' there."""
    region = a[lo:hi]
    if (region == ord("&")).any() or (region == ord("'")).any():
        raise _Declined  # a reference (the tree path resolves it), a single-quoted attribute
    gt = np.flatnonzero(region == _GT) + lo
    if not lt.size:
        return _empty()
    # every '<' opens a tag (no comments or CDATA here); the region is followed
    # by '</trkseg>', so looking a few bytes ahead never runs off the data
    head = a[lt + 1]
    pts = _at(a, lt, b"trkpt", 1, head)
    ele = _at(a, lt, b"ele", 1, head)
    when = _at(a, lt, b"time", 1, head)
    if not (
        _SPACE[a[lt[pts] + 6]].all()
        and (a[lt[ele] + 4] == _GT).all()
        and (a[lt[when] + 5] == _GT).all()
    ):
        raise _Declined  # <trkpt> without attributes, <ele a="..">, <elevation>, <ele/>, ...
    n = pts.size
    if not first and (n == 0 or pts[0] != 0):
        raise _Declined
    first_lat, attr1, attr2 = _positions(a, lt[pts], gt, lo, hi)

    def owner_of(token: np.ndarray) -> np.ndarray:
        return np.searchsorted(pts, token, side="right") - 1  # -1: before the first point

    def next_lt(token: np.ndarray) -> np.ndarray:
        return np.append(lt, hi)[token + 1]  # each text runs to the next '<'

    owner = owner_of(when)
    last = _last_of_each(owner) & (owner >= 0)
    time_us = np.full(n, NO_TIME, dtype=np.int64)
    time_us[owner[last]] = _times(data, a, lt[when[last]] + 6, next_lt(when[last]))

    ele_owner = owner_of(ele)
    last = _last_of_each(ele_owner) & (ele_owner >= 0)
    ele, ele_owner = ele[last], ele_owner[last]
    ele_span = (lt[ele] + 5, next_lt(ele))

    opener = _heart_rate_tags(a, lt, gt, lo)
    hr_owner = owner_of(opener)
    text_start = gt[np.searchsorted(gt, lt[opener])] + 1
    present = (next_lt(opener) > text_start) & (hr_owner >= 0)  # <hr></hr>: the next counts
    opener, hr_owner, text_start = opener[present], hr_owner[present], text_start[present]
    firsts = np.concatenate(([True], hr_owner[1:] != hr_owner[:-1]))[: hr_owner.size]
    opener, hr_owner = opener[firsts], hr_owner[firsts]
    hr_span = (text_start[firsts], next_lt(opener))

    values = _all_plain_decimals(a, [attr1, attr2, ele_span, hr_span])
    if values is None:  # some number of another form: column by column, as the tree path
        v1, v2, ele_v = (_numbers(a, *span) for span in (attr1, attr2, ele_span))
        bpm = _heart_rates(data, a, *hr_span)
    else:
        v1, v2, ele_v, bpm = values
        bpm = np.where((bpm > 0) & (bpm <= 250), bpm, math.nan)
    lat, lon = np.where(first_lat, v1, v2), np.where(first_lat, v2, v1)
    ele_m = np.full(n, math.nan)
    ele_m[ele_owner] = ele_v
    hr = np.full(n, math.nan)
    hr[hr_owner] = bpm
    return lat, lon, ele_m, time_us, hr


def _heart_rate_tags(a: np.ndarray, lt: np.ndarray, gt: np.ndarray, lo: int) -> np.ndarray:
    """Token indices (into ``lt``) of the start tags ``<hr>``, ``<any:hr>``,
    ``<heartrate>``, ``<any:heartrate>``: any namespace counts, as in the tree path."""
    openers = []
    for name in (b"hr", b"heartrate"):
        k = len(name)
        ends = gt[_at(a, gt - k, name)]  # '>' right after the name
        token = np.searchsorted(lt, ends) - 1
        if (token < 0).any():
            raise _Declined  # a '>' in text before any tag of the region
        opener = lt[token]
        previous = np.concatenate(([lo - 1], gt))[np.searchsorted(gt, ends)]
        if not (previous < opener).all():
            raise _Declined  # a '>' in text after the name: not a tag
        before = a[ends - k - 1]
        closing = a[opener + 1] == ord("/")
        start = ~closing & ((before == ord(":")) | (before == _LT))
        end = closing & ((before == ord(":")) | (before == ord("/")))
        if not (start | end).all() or start.sum() != end.sum():
            raise _Declined  # <xhr>, an attribute on <hr ...>, ...
        openers.append(token[start])
    return np.sort(np.concatenate(openers))


def _empty() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    nothing = np.zeros(0)
    return nothing, nothing, nothing, np.zeros(0, dtype=np.int64), nothing


def _last_of_each(owner: np.ndarray) -> np.ndarray:
    """Mask of the last entry of each run of equal owners (the tree path keeps the last)."""
    return np.concatenate((owner[1:] != owner[:-1], [True]))[: owner.size]


Span = tuple[np.ndarray, np.ndarray]


def _positions(
    a: np.ndarray, starts: np.ndarray, gt: np.ndarray, lo: int, hi: int
) -> tuple[np.ndarray, Span, Span]:
    """Where lat and lon are in points whose start tags are exactly
    ``<trkpt lat=".." lon="..">`` or ``<trkpt lon=".." lat="..">``, found from the
    positions of the double quotes: (lat first?, first value, second value)."""
    if starts.size == 0:
        nothing = np.zeros(0, dtype=np.int64)
        return nothing.astype(bool), (nothing, nothing), (nothing, nothing)
    ends = gt[np.searchsorted(gt, starts)]
    q = np.flatnonzero(a[lo:hi] == _QUOTE) + lo
    if q.size != 4 * starts.size:
        raise _Declined  # attributes elsewhere (maybe a namespace declaration), quotes in text
    k = np.searchsorted(q, starts)
    if k[-1] + 3 >= q.size:
        raise _Declined
    q0, q1, q2, q3 = q[k], q[k + 1], q[k + 2], q[k + 3]
    after = np.append(q, hi)[k + 4]
    if not ((q3 < ends) & (after > ends)).all():
        raise _Declined  # other attributes, single quotes, a '>' inside a value
    first_lat = _named(a, q0, b"lat=") & _named(a, q2, b"lon=")
    first_lon = _named(a, q0, b"lon=") & _named(a, q2, b"lat=")
    if not (first_lat | first_lon).all():
        raise _Declined
    return first_lat, (q0 + 1, q1), (q2 + 1, q3)


def _named(a: np.ndarray, quote: np.ndarray, name: bytes) -> np.ndarray:
    """True where ``name`` (with its '=') stands right before ``quote``, after a blank."""
    k = len(name)
    window = a[(quote - k)[:, None] + np.arange(k)]
    result: np.ndarray = (window == np.frombuffer(name, np.uint8)).all(1) & _SPACE[a[quote - k - 1]]
    return result


def _fixed_width(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The texts ``a[starts:ends]`` as a (n, width) byte matrix, zero-padded."""
    lengths = ends - starts
    width = int(lengths.max()) if lengths.size else 0
    if width > _MAX_NUMBER or (lengths < 0).any():
        raise _Declined
    width = max(width, 1)
    cols = np.arange(width)
    window = a[np.minimum(starts[:, None] + cols, a.size - 1)]
    window[cols[None, :] >= lengths[:, None]] = 0
    if (window >= 0x80).any():
        raise _Declined
    return window


def _numbers(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """float() of each text, ``nan`` for a blank one, as the tree path reads them."""
    values = _plain_decimals(a, starts, ends)
    if values is not None:
        return values
    window = _fixed_width(a, starts, ends)
    blank = (_SPACE[window] | (window == 0)).all(1)
    out = np.full(starts.size, math.nan)
    texts = np.ascontiguousarray(window[~blank]).view(f"S{window.shape[1]}").ravel()
    try:
        out[~blank] = texts.astype(float)  # numpy parses bytes as float() does
    except ValueError as e:
        raise _Declined from e  # the tree path sends this file to gpxpy
    return out


def _all_plain_decimals(a: np.ndarray, spans: list[Span]) -> list[np.ndarray] | None:
    """:func:`_plain_decimals` of several columns; ``None`` if any text is of another form."""
    out = []
    for starts, ends in spans:
        values = _uniform_decimals(a, starts, ends)
        if values is None:
            values = _plain_decimals(a, starts, ends)
        if values is None:
            return None
        out.append(values)
    return out


def _rows(a: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray:
    """``a[start : start + width]`` for each start, as an (n, width) matrix."""
    if starts.size and (int(starts.min()) < 0 or int(starts.max()) + width > a.size):
        pad = np.zeros(width, dtype=np.uint8)  # rows off either end read zeros there
        return sliding_window_view(np.concatenate((pad, a, pad)), width)[starts + width]
    return sliding_window_view(a, width)[starts]


def _uniform_decimals(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """:func:`_plain_decimals` for a column whose texts all have one shape (the same
    length, the point in the same place, all or none negative), as most writers
    print positions; ``None`` for any other column."""
    if not starts.size:
        return np.zeros(0)
    lengths = ends - starts
    width = int(lengths[0])
    if not 0 < width <= 16 or (lengths != width).any():
        return None
    text = _rows(a, starts, width)
    negative = text[0, 0] == ord("-")
    if ((text[:, 0] == ord("-")) != negative).any():
        return None
    if negative:
        text = text[:, 1:]
    points = np.flatnonzero(text[0] == ord("."))
    if points.size > 1 or not 0 < text.shape[1] - points.size <= 15:
        return None
    column = int(points[0]) if points.size else -1
    if column >= 0 and not (text[:, column] == ord(".")).all():
        return None
    digits = text - ord("0")  # uint8: every other byte wraps above 9
    if int(np.count_nonzero(digits > 9)) != (len(digits) if column >= 0 else 0):
        return None  # a sign, a blank, an exponent... somewhere
    n = digits.shape[1]
    weights = np.zeros(n, dtype=np.int64)
    kept = [c for c in range(n) if c != column]
    weights[kept] = 10 ** np.arange(len(kept) - 1, -1, -1, dtype=np.int64)
    if column >= 0:
        digits = digits.copy()
        digits[:, column] = 0
    decimals = n - 1 - column if column >= 0 else 0
    value: np.ndarray = (digits @ weights) / 10.0**decimals
    return -value if negative else value


def _plain_decimals(a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray | None:
    """Texts like ``-12.345`` (at most 15 digits) as numbers, exactly as float() reads
    them, ``nan`` for an empty one; ``None`` when any text has another form.

    The digits are lined up at the decimal point: the integer part right-aligned,
    the fraction left-aligned, both padded with zeros. With at most 15 digits
    the digits make an integer below 2**53 and the scale is a power of ten
    below 10**22, both exact doubles, so one division gives the correctly
    rounded value, which is what float() returns.
    """
    if not starts.size:
        return np.zeros(0)
    minus = a[starts] == ord("-")
    starts = starts + minus
    lengths = ends - starts
    if (lengths < 0).any() or int(lengths.max()) > _MAX_NUMBER:
        return None
    width = max(int(lengths.max()), 1)
    first_dot = (_rows(a, starts, width) == ord(".")).argmax(1)  # 0 also when there is none
    has_dot = (a[starts + first_dot] == ord(".")) & (first_dot < lengths)
    point = np.where(has_dot, first_dot, lengths)  # digits before the point
    n_frac_each = lengths - point - has_dot
    n_int, n_frac = int(point.max()), int(n_frac_each.max())
    if n_int + n_frac > 15 or ((point + n_frac_each == 0) & ((lengths > 0) | minus)).any():
        return None  # too many digits for the exact path, or no digit at all ("-", ".")
    whole = _aligned(a, starts + point - n_int, _KEEP_LAST, n_int, point)
    frac = _aligned(a, starts + point + 1, _KEEP_FIRST, n_frac, n_frac_each)
    if whole is None or frac is None:
        return None  # another character among the digits (a second point, a blank...)
    value = (whole * 10**n_frac + frac) / 10.0**n_frac
    value = np.where(minus, -value, value)
    return np.where(lengths + minus == 0, math.nan, value)


#: Row k of these keeps the last (or first) k of _MAX_NUMBER columns.
_KEEP_LAST = np.tril(np.ones((_MAX_NUMBER + 1, _MAX_NUMBER), dtype=np.uint8), -1)[:, ::-1]
_KEEP_FIRST = np.tril(np.ones((_MAX_NUMBER + 1, _MAX_NUMBER), dtype=np.uint8), -1)


def _aligned(
    a: np.ndarray, starts: np.ndarray, keep: np.ndarray, width: int, counts: np.ndarray
) -> np.ndarray | None:
    """The integer made by the ``counts`` digits at the right (``_KEEP_LAST``) or left
    (``_KEEP_FIRST``) of ``width`` bytes at ``starts``; ``None`` if one is no digit."""
    if width == 0:
        return np.zeros(starts.size, dtype=np.int64)
    mask = keep[counts][:, -width:] if keep is _KEEP_LAST else keep[counts][:, :width]
    digits = (_rows(a, starts, width) - ord("0")) * mask  # uint8: others wrap
    if (digits > 9).any():
        return None
    result: np.ndarray = digits @ 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    return result


def _heart_rates(data: bytes, a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Beats per minute as :func:`~loadwatch.ingest.gpx._hr_value` reads each text."""
    bpm = _plain_decimals(a, starts, ends)
    if bpm is None:  # a blank or broken value somewhere: one at a time
        return np.array([_hr_value(data[s:e].decode()) for s, e in zip(starts, ends, strict=True)])
    return np.where((bpm > 0) & (bpm <= 250), bpm, math.nan)


def _times(data: bytes, a: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Microseconds since 1970 of each ``<time>`` text (:data:`NO_TIME` when blank)."""
    lengths = ends - starts
    if (
        lengths.size
        and lengths.min() == lengths.max()
        and int(lengths[0]) in (20, 22, 23, 24, 25, 26)
    ):
        us = _utc_times(a, starts, int(lengths[0]))
        if us is not None:
            return us
    out = np.empty(starts.size, dtype=np.int64)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        text = data[s:e].decode().strip()
        try:
            out[i] = to_us(_as_utc(datetime.fromisoformat(text))) if text else NO_TIME
        except ValueError as err:
            raise _Declined from err  # the tree path sends this file to gpxpy
    return out


def _utc_times(a: np.ndarray, starts: np.ndarray, width: int) -> np.ndarray | None:
    """``YYYY-MM-DDTHH:MM:SS[.f]Z`` texts of one width, read from their digits;
    ``None`` when any differs from that shape or is not a real date and time."""
    w = _rows(a, starts, width).astype(np.int64)
    digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, *range(20, width - 1)]
    marks = {4: "-", 7: "-", 10: "T", 13: ":", 16: ":", width - 1: "Z"}
    if width > 20:
        marks[19] = "."
    if not _DIGIT[w[:, digits]].all():
        return None
    if not all((w[:, i] == ord(c)).all() for i, c in marks.items()):
        return None
    d = w - ord("0")

    def number(cols: range) -> np.ndarray:
        value = np.zeros(len(w), dtype=np.int64)
        for c in cols:
            value = value * 10 + d[:, c]
        return value

    year, month, day = number(range(0, 4)), number(range(5, 7)), number(range(8, 10))
    hour, minute, second = number(range(11, 13)), number(range(14, 16)), number(range(17, 19))
    fraction = number(range(20, width - 1)) * 10 ** (6 - (width - 21)) if width > 20 else 0
    if (year < 1).any() or (month < 1).any() or (month > 12).any() or (day < 1).any():
        return None
    if (hour > 23).any() or (minute > 59).any() or (second > 59).any():
        return None
    month_start = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    days_in_month = (
        (month_start + 1).astype("datetime64[D]") - month_start.astype("datetime64[D]")
    ).astype(np.int64)
    if (day > days_in_month).any():
        return None
    days = month_start.astype("datetime64[D]").astype(np.int64) + day - 1
    us: np.ndarray = ((days * 86400 + hour * 3600 + minute * 60 + second) * 1_000_000) + fraction
    return us
