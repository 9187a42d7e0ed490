"""GPX 1.1 writer for synthetic runs (Garmin TrackPointExtension heart rate and cadence).

Shaped like the GPX files phone apps and Strava's export write: UTC times with
a ``Z``, 7-decimal coordinates, one ``<trk>`` with ``<type>running</type>`` and
one segment. An auto-pause shows only as a gap in the point times.
"""

from __future__ import annotations

from xml.sax.saxutils import escape, quoteattr

import numpy as np

from loadwatch.synth.run import SynthRun

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<gpx creator={creator} version="1.1" xmlns="http://www.topografix.com/GPX/1/1"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
    ' xsi:schemaLocation="http://www.topografix.com/GPX/1/1'
    " http://www.topografix.com/GPX/1/1/gpx.xsd"
    " http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
    ' http://www.garmin.com/xmlschemas/TrackPointExtensionv1.xsd"'
    ' xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
    " <metadata>\n  <time>{time}</time>\n </metadata>\n"
    " <trk>\n  <name>{name}</name>\n  <type>{type}</type>\n  <trkseg>\n"
)
_POINT = (
    '   <trkpt lat="{:.7f}" lon="{:.7f}">\n'
    "    <ele>{:.1f}</ele>\n"
    "    <time>{}Z</time>\n"
    "    <extensions>\n"
    "     <gpxtpx:TrackPointExtension>\n"
    "      <gpxtpx:hr>{}</gpxtpx:hr>\n"
    "      <gpxtpx:cad>{}</gpxtpx:cad>\n"
    "     </gpxtpx:TrackPointExtension>\n"
    "    </extensions>\n"
    "   </trkpt>\n"
)
_TAIL = "  </trkseg>\n </trk>\n</gpx>\n"


def iso_utc(unix_s: np.ndarray) -> list[str]:
    """Unix seconds -> ``YYYY-MM-DDTHH:MM:SS`` strings (UTC, no suffix)."""
    return [str(s) for s in np.datetime_as_string(unix_s.astype("datetime64[s]"), unit="s")]


def to_gpx(
    run: SynthRun, *, creator: str = "loadwatch synth", every: int = 1, cadence: bool = True
) -> bytes:
    """Encode ``run`` as GPX 1.1 (UTF-8 bytes), keeping every ``every``-th sample and the last.

    ``cadence=False`` leaves out ``gpxtpx:cad`` (phone apps without a sensor).

    Raises ``ValueError`` for a run without positions: a GPX track needs them.
    """
    if run.lat_deg is None or run.lon_deg is None:
        raise ValueError("a run without GPS positions cannot be written as GPX")
    idx = np.arange(0, run.n, max(1, every))
    if idx[-1] != run.n - 1:
        idx = np.append(idx, run.n - 1)
    times = iso_utc(run.timestamp[idx])
    head = _HEAD.format(
        creator=quoteattr(creator),
        time=times[0] + "Z",
        name=escape(run.name),
        type=escape(run.sport),
    )
    rows = zip(
        run.lat_deg[idx].tolist(),
        run.lon_deg[idx].tolist(),
        run.altitude_m[idx].tolist(),
        times,
        run.heart_rate[idx].tolist(),
        run.cadence[idx].tolist(),
        strict=True,
    )
    # without the cadence placeholder, format() ignores the last value of each row
    template = _POINT if cadence else _POINT.replace("      <gpxtpx:cad>{}</gpxtpx:cad>\n", "")
    body = "".join([template.format(*row) for row in rows])
    return (head + body + _TAIL).encode("utf-8")
