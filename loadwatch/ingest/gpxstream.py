"""Large GPX files in bounded memory: the same summary, read as a stream.

:func:`loadwatch.ingest.gpx.read_gpx` builds the whole document tree, about
18 times the file's size in memory (a 1-million-point, 105 MB file took
1.9 GB). Files larger than :data:`STREAM_FROM_BYTES` are read by the byte
scan (:mod:`loadwatch.ingest.gpxscan`, which holds the bytes plus a few
arrays) or, when it declines the file, here: ``lxml.etree.iterparse`` hands
over one ``<trkpt>`` at a time, which is read into packed numeric arrays and
then freed, so the tree never exists. The parser is as closed as the tree
path's (no entities, no DTD, no network) and the result goes through the
same :func:`~loadwatch.ingest.gpx.summarise`, so the paths cannot disagree
about the arithmetic.

Anything the stream does not understand (a malformed number, a point
without a position, an encoding the parser refuses) is left to the tree
path, which gives the usual notes and errors.
"""

from __future__ import annotations

import io
import math
from array import array
from datetime import datetime
from typing import Any

import numpy as np
from lxml import etree

from loadwatch.ingest.gpx import (
    GPX10_NS,
    NO_TIME,
    GpxContent,
    TrackSegment,
    _as_utc,
    _hr_value,
    read_gpx,
    split_at_gaps,
    summaries,
    summarise,
    to_us,
)
from loadwatch.ingest.gpxscan import scan_gpx
from loadwatch.ingest.xmlsafe import _declares_entities, local_name, namespace_of
from loadwatch.model import ActivitySummary

#: GPX files larger than this (bytes) are read as a stream.
STREAM_FROM_BYTES = 16_000_000


class _Declined(Exception):
    """The stream met something it leaves to the tree path."""


def read_gpx_large(data: bytes, name: str) -> list[ActivitySummary]:
    """Summaries of a GPX document, streamed when it is large (see the module docstring)."""
    if len(data) <= STREAM_FROM_BYTES or _declares_entities(data):
        return read_gpx(data, name)
    scanned = scan_gpx(data)
    if scanned is not None:
        return summaries(scanned, name, [])
    try:
        content = _stream(data)
    except (_Declined, etree.XMLSyntaxError, ValueError):
        return read_gpx(data, name, parser="tree")
    parts, split_notes = split_at_gaps(content)
    if len(parts) > 1:
        # several outings in one file: the tree path splits them
        return read_gpx(data, name, parser="tree")
    return [summarise(parts[0], name, split_notes)]


def _stream(data: bytes) -> GpxContent:
    events = etree.iterparse(
        io.BytesIO(data),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    out = GpxContent()
    ns = ""
    gpx10 = False
    seg: _Builder | None = None
    depth = 0
    for event, el in events:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        local = local_name(tag)
        if event == "start":
            depth += 1
            if depth == 1:
                if local != "gpx":
                    raise _Declined
                ns = namespace_of(tag)
                gpx10 = el.get("version") == "1.0" or ns == GPX10_NS
                out.creator = el.get("creator")
            elif local == "trkseg":
                seg = _Builder()
            continue
        depth -= 1
        if local == "trkpt" and seg is not None:
            seg.add(el)
        elif local == "trkseg" and seg is not None:
            out.segments.append(seg.done())
            seg = None
        elif depth == 2 and el.getparent() is not None and local_name(el.getparent().tag) == "trk":
            text = (el.text or "").strip()
            if local == "type" and text and not gpx10 and tag == ns + "type":
                out.track_types.append(text)
            elif local == "name" and text and tag == ns + "name":
                out.track_names.append(text)
            continue
        elif depth == 1:
            if tag == ns + "trk":
                out.n_tracks += 1
            elif tag == ns + "rte":
                out.n_routes += 1
            elif tag == ns + "wpt":
                out.n_waypoints += 1
        else:
            continue
        # free what has been read: the element and every finished sibling before it
        el.clear(keep_tail=False)
        parent = el.getparent()
        while parent is not None and el.getprevious() is not None:
            del parent[0]
    root = events.root
    if root is not None:
        dtd = root.getroottree().docinfo.internalDTD
        if dtd is not None and any(True for _ in dtd.iterentities()):
            raise _Declined  # the tree path refuses it with the usual message
    return out


class _Builder:
    """One ``<trkseg>`` as packed arrays (8 bytes per value)."""

    def __init__(self) -> None:
        self.lat = array("d")
        self.lon = array("d")
        self.ele = array("d")
        self.hr = array("d")
        self.time_us = array("q")  # microseconds since 1970, NO_TIME when absent

    def add(self, pt: Any) -> None:
        lat, lon = pt.get("lat"), pt.get("lon")
        if lat is None or lon is None:
            raise _Declined
        self.lat.append(float(lat))
        self.lon.append(float(lon))
        ele = when = None
        hr = math.nan
        for child in pt.iter():
            local = local_name(child.tag)
            if local == "ele" and ele is None:
                ele = child.text
            elif local == "time" and when is None:
                when = child.text
            elif local in ("hr", "heartrate") and math.isnan(hr):
                hr = _hr_value(child.text)
        self.ele.append(float(ele) if ele is not None and ele.strip() else math.nan)
        self.hr.append(hr)
        when = when.strip() if when else ""
        self.time_us.append(to_us(_as_utc(datetime.fromisoformat(when))) if when else NO_TIME)

    def done(self) -> TrackSegment:
        def column(values: array[Any], dtype: Any = float) -> np.ndarray:
            return np.frombuffer(values, dtype=dtype)

        return TrackSegment(
            lat=column(self.lat),
            lon=column(self.lon),
            ele=column(self.ele),
            time_us=column(self.time_us, np.int64),
            hr=column(self.hr),
        )
