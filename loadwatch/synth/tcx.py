"""TCX (Garmin Training Center) writer for synthetic runs: one activity, one lap."""

from __future__ import annotations

from xml.sax.saxutils import escape

import numpy as np

from loadwatch.synth.gpx import iso_utc
from loadwatch.synth.run import SynthRun

_SPORT = {"running": "Running", "cycling": "Biking"}

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
    " <Activities>\n"
    '  <Activity Sport="{sport}">\n'
    "   <Id>{start}Z</Id>\n"
    '   <Lap StartTime="{start}Z">\n'
    "    <TotalTimeSeconds>{timer:.1f}</TotalTimeSeconds>\n"
    "    <DistanceMeters>{distance:.2f}</DistanceMeters>\n"
    "    <MaximumSpeed>{max_speed:.3f}</MaximumSpeed>\n"
    "    <Calories>{calories}</Calories>\n"
    "    <AverageHeartRateBpm><Value>{avg_hr}</Value></AverageHeartRateBpm>\n"
    "    <MaximumHeartRateBpm><Value>{max_hr}</Value></MaximumHeartRateBpm>\n"
    "    <Intensity>Active</Intensity>\n"
    "    <TriggerMethod>Manual</TriggerMethod>\n"
    "    <Track>\n"
)
_POS = (
    "      <Position><LatitudeDegrees>{:.7f}</LatitudeDegrees>"
    "<LongitudeDegrees>{:.7f}</LongitudeDegrees></Position>\n"
)
_POINT = (
    "     <Trackpoint>\n"
    "      <Time>{}Z</Time>\n"
    "{}"
    "      <AltitudeMeters>{:.1f}</AltitudeMeters>\n"
    "      <DistanceMeters>{:.2f}</DistanceMeters>\n"
    "      <HeartRateBpm><Value>{}</Value></HeartRateBpm>\n"
    "      <Cadence>{}</Cadence>\n"
    "     </Trackpoint>\n"
)
_TAIL = (
    "    </Track>\n"
    "   </Lap>\n"
    '   <Creator xsi:type="Device_t">\n'
    "    <Name>{device}</Name>\n"
    "    <UnitId>{serial}</UnitId>\n"
    "    <ProductID>{product}</ProductID>\n"
    "   </Creator>\n"
    "  </Activity>\n"
    " </Activities>\n"
    "</TrainingCenterDatabase>\n"
)


def to_tcx(run: SynthRun, *, device_name: str = "Forerunner 965", every: int = 1) -> bytes:
    """Encode ``run`` as TCX (UTF-8 bytes), keeping every ``every``-th sample and the last.

    TCX's ``Sport`` attribute only knows Running, Biking and Other.
    """
    idx = np.arange(0, run.n, max(1, every))
    if idx[-1] != run.n - 1:
        idx = np.append(idx, run.n - 1)
    times = iso_utc(run.timestamp[idx])
    if run.lat_deg is not None and run.lon_deg is not None:
        pos = [
            _POS.format(a, b)
            for a, b in zip(run.lat_deg[idx].tolist(), run.lon_deg[idx].tolist(), strict=True)
        ]
    else:
        pos = [""] * len(idx)
    head = _HEAD.format(
        sport=_SPORT.get(run.sport, "Other"),
        start=times[0],
        timer=run.timer_s,
        distance=run.total_distance_m,
        max_speed=run.max_speed_m_s,
        calories=run.calories_kcal,
        avg_hr=run.avg_hr,
        max_hr=run.max_hr,
    )
    rows = zip(
        times,
        pos,
        run.altitude_m[idx].tolist(),
        run.distance_m[idx].tolist(),
        run.heart_rate[idx].tolist(),
        run.cadence[idx].tolist(),
        strict=True,
    )
    body = "".join([_POINT.format(*row) for row in rows])
    tail = _TAIL.format(device=escape(device_name), serial=run.serial_number, product=run.product)
    return (head + body + tail).encode("utf-8")
