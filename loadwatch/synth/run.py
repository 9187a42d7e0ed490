"""A small physical model of one run: where, how fast, how high, how hard.

:func:`synth_run` turns a plan ("10.4 km from here at 5:40/km") into
per-sample numpy arrays that look like what a GPS watch records: a closed loop
around the start point with a little GPS wander, a gentle elevation profile,
pace that warms up and slows on climbs, and heart rate that lags effort and
drifts upward over time. The result is fully determined by its arguments
(``seed`` included) and does not depend on the CPU's SIMD features (see
``_detmath``), so regenerated sample files match the committed ones byte for byte.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from numpy.typing import NDArray

from loadwatch.synth._detmath import FloatArray, cos, sincos, smooth_noise

#: Mean Earth radius (IUGG), metres: turns local east/north metres into degrees.
EARTH_RADIUS_M = 6_371_008.8
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180.0

#: FIT manufacturer and product ids used by default (Garmin Forerunner 965).
GARMIN = 1
FR965 = 4315
FR255 = 3992


@dataclass(frozen=True, slots=True, eq=False)
class SynthRun:
    """One synthetic activity as a watch would record it.

    Arrays have one element per recorded sample. Units: seconds, metres,
    degrees, metres per second, beats per minute; ``cadence`` is FIT's running
    cadence (strides per minute, one foot, so 85 means 170 steps per minute).
    Times are Unix seconds (UTC). Distances are quantised to centimetres,
    altitude to 0.2 m and speed to mm/s, the resolution FIT stores, so the
    arrays equal what a FIT decoder reads back.
    """

    start_utc: datetime
    utc_offset_s: int
    timestamp: NDArray[np.int64]
    lat_deg: FloatArray | None
    lon_deg: FloatArray | None
    distance_m: FloatArray
    altitude_m: FloatArray
    speed_m_s: FloatArray
    heart_rate: NDArray[np.uint8]
    cadence: NDArray[np.uint8]
    #: auto-pause gaps as (Unix time the timer stopped, Unix time it restarted)
    pauses: tuple[tuple[int, int], ...]
    total_distance_m: float
    timer_s: float
    elapsed_s: float
    total_ascent_m: int
    total_descent_m: int
    avg_hr: int
    max_hr: int
    avg_cadence: int
    max_cadence: int
    avg_speed_m_s: float
    max_speed_m_s: float
    calories_kcal: int
    sport: str = "running"
    sub_sport: str | None = None
    name: str = "Run"
    manufacturer: int = GARMIN
    product: int = FR965
    serial_number: int = 3_412_345_678

    @property
    def n(self) -> int:
        """Number of recorded samples."""
        return int(self.timestamp.shape[0])

    @property
    def end_utc(self) -> datetime:
        """Time of the last sample (UTC)."""
        return datetime.fromtimestamp(int(self.timestamp[-1]), tz=UTC)

    @property
    def local_start(self) -> datetime:
        """Wall-clock start where the run happened (naive datetime)."""
        return (self.start_utc + timedelta(seconds=self.utc_offset_s)).replace(tzinfo=None)

    @property
    def has_position(self) -> bool:
        """False for runs without GPS (treadmill)."""
        return self.lat_deg is not None and self.lon_deg is not None


def run_name(local_hour: int) -> str:
    """A default activity title from the local start hour, as apps name runs."""
    if 5 <= local_hour < 11:
        return "Morning Run"
    if 11 <= local_hour < 14:
        return "Lunch Run"
    if 14 <= local_hour < 18:
        return "Afternoon Run"
    if 18 <= local_hour < 22:
        return "Evening Run"
    return "Night Run"


def _trapezoid_cumsum(values: FloatArray, dt: float) -> FloatArray:
    """Cumulative trapezoid integral, starting at 0 (sequential sums: reproducible)."""
    seg = (values[:-1] + values[1:]) * (0.5 * dt)
    return np.concatenate(([0.0], np.cumsum(seg)))


def _lagged(values: FloatArray, width: int) -> FloatArray:
    """Trailing moving average over ``width`` samples (a cheap first-order lag)."""
    w = max(1, width)
    padded = np.concatenate((np.full(w, values[0]), values))
    c = np.cumsum(padded)
    return (c[w:] - c[:-w]) / w


def _weighted_columns(mat: FloatArray, weights: FloatArray) -> FloatArray:
    """``mat @ weights``, summed column by column: BLAS may fuse or reorder per CPU."""
    out = mat[:, 0] * weights[0]
    for j in range(1, len(weights)):
        out = out + mat[:, j] * weights[j]
    return out


class _Terrain:
    """Closed elevation profile along the loop: a few harmonics of the lap fraction."""

    def __init__(self, rng: np.random.Generator, distance_m: float, base_m: float) -> None:
        relief = math.sqrt(max(distance_m, 1000.0) / 10_000.0)  # longer loops see more hills
        u = rng.random(8)
        self.k = np.array([1.0, 2.0, 3.0, 5.0])
        self.amp = np.array([3 + 6 * u[0], 1.5 + 3 * u[1], 1 + 2 * u[2], 0.3 + u[3]]) * relief
        self.phase = 2 * math.pi * u[4:8]
        self.base = base_m
        self.distance = distance_m

    def _angles(self, frac: FloatArray) -> FloatArray:
        return (2 * math.pi) * np.multiply.outer(frac, self.k) + self.phase

    def altitude(self, frac: FloatArray) -> FloatArray:
        """Altitude (m) at lap fractions ``frac`` in [0, 1]; equals the base at 0 and 1."""
        s, _ = sincos(self._angles(frac))
        s0, _ = sincos(self.phase)
        return self.base + _weighted_columns(s - s0, self.amp)

    def grade(self, frac: FloatArray) -> FloatArray:
        """Slope (m per m) at lap fractions ``frac``."""
        _, c = sincos(self._angles(frac))
        return _weighted_columns(c, self.amp * self.k * (2 * math.pi / self.distance))


def _loop_xy(
    rng: np.random.Generator, frac: FloatArray, distance_m: float
) -> tuple[FloatArray, FloatArray]:
    """East/north offsets (m) from the start of a wobbly closed loop at arc fractions ``frac``."""
    u = rng.random(6)
    heading = 2 * math.pi * u[0]  # direction from the start to the loop's centre
    turn = 1.0 if u[1] < 0.5 else -1.0  # clockwise or anticlockwise
    wob_amp = np.array([0.10 + 0.06 * u[2], 0.05 + 0.03 * u[3], 0.02 + 0.02 * u[4]])
    wob_k = np.array([2.0, 3.0, 5.0])
    wob_phase = 2 * math.pi * np.array([u[5], (u[5] * 7.0) % 1.0, (u[5] * 13.0) % 1.0])
    r0 = distance_m / (2 * math.pi)
    sp, _ = sincos(wob_phase)

    def curve(theta: FloatArray) -> tuple[FloatArray, FloatArray]:
        ws, _ = sincos(np.multiply.outer(theta, wob_k) + wob_phase)
        # r(0) = r0, so the start point lies on the loop
        r = r0 * (1.0 + _weighted_columns(ws - sp, wob_amp))
        s, c = sincos(heading + math.pi + turn * theta)
        cs, cc = sincos(np.array(heading))
        return r0 * cc + r * c, r0 * cs + r * s

    dense = np.linspace(0.0, 2 * math.pi, 2049)
    dx, dy = curve(dense)
    arc = np.concatenate(([0.0], np.cumsum(np.sqrt(np.diff(dx) ** 2 + np.diff(dy) ** 2))))
    theta = np.interp(frac * arc[-1], arc, dense)
    return curve(theta)


def synth_run(
    start_utc: datetime,
    distance_km: float,
    *,
    utc_offset_s: int,
    lat: float,
    lon: float,
    pace_s_per_km: float,
    hr_rest: int,
    hr_max: int,
    seed: int,
    hz: float = 1.0,
    base_altitude_m: float = 50.0,
    pause_s: int = 0,
    gps: bool = True,
    sport: str = "running",
    sub_sport: str | None = None,
    name: str | None = None,
    manufacturer: int = GARMIN,
    product: int = FR965,
    serial_number: int = 3_412_345_678,
) -> SynthRun:
    """Simulate one run of ``distance_km`` starting at ``start_utc`` from (``lat``, ``lon``).

    ``pace_s_per_km`` is the average moving pace (seconds per km), ``hz`` the
    recording rate (1 Hz, or e.g. 0.2 for one sample every 5 s; 1/hz must be
    whole seconds). ``utc_offset_s`` is the wall-clock offset where the run
    happened (seconds east of UTC); it only feeds FIT's ``local_timestamp``.
    ``pause_s`` > 0 inserts one auto-pause of that many seconds mid-run, so
    elapsed time exceeds timer time. ``gps=False`` gives a run without
    positions (treadmill-like). The distance is rounded to centimetres and the
    last sample's distance equals it exactly; with GPS the track length
    between samples, measured in the local plane, is that same distance.
    """
    if start_utc.tzinfo is None:
        raise ValueError("start_utc must be timezone-aware")
    if distance_km <= 0 or pace_s_per_km <= 0:
        raise ValueError("distance_km and pace_s_per_km must be positive")
    if not 0 < hr_rest < hr_max < 256:
        raise ValueError("need 0 < hr_rest < hr_max < 256")
    dt = 1.0 / hz
    if dt < 1 or abs(dt - round(dt)) > 1e-9:
        raise ValueError("1/hz must be a whole number of seconds (hz=1, 0.5, 0.2, ...)")
    dt = float(round(dt))
    rng = np.random.default_rng(seed)
    total_m = round(distance_km * 1000.0, 2)
    v_mean = 1000.0 / pace_s_per_km
    n = max(2, round(total_m / v_mean / dt) + 1)
    tau = np.arange(n, dtype=np.float64) * dt  # moving time since start, s

    # Pace: a slower first few minutes, slow wander, slower uphill (two passes,
    # because the grade depends on where the runner is, which depends on pace).
    terrain = _Terrain(rng, total_m, base_altitude_m)
    warm = 0.93 + 0.07 * (1.0 - 1.0 / (1.0 + tau / 120.0) ** 2)
    flat = warm * (1.0 + 0.03 * smooth_noise(rng, n, round(90 * hz)))
    shape = flat
    for _ in range(2):
        along = _trapezoid_cumsum(shape, dt)
        shape = flat * np.clip(1.0 - 3.0 * terrain.grade(along / along[-1]), 0.7, 1.3)
    along = _trapezoid_cumsum(shape, dt)
    scale = total_m / along[-1]
    speed = shape * scale
    along = along * scale

    if gps:
        x, y = _loop_xy(rng, along / total_m, total_m)
        x = x + 1.5 * smooth_noise(rng, n, round(15 * hz))
        y = y + 1.5 * smooth_noise(rng, n, round(15 * hz))
        x -= x[0]
        y -= y[0]
        seg = np.sqrt(np.diff(x) ** 2 + np.diff(y) ** 2)
        k = total_m / np.cumsum(seg)[-1]  # make the track exactly as long as planned
        dist = np.concatenate(([0.0], np.cumsum(seg * k)))
        lat_deg = lat + (y * k) / _M_PER_DEG
        lon_deg = lon + (x * k) / (_M_PER_DEG * float(cos(math.radians(lat))))
    else:
        dist = along
        lat_deg = lon_deg = None
    dist_cm = np.rint(dist * 100.0)
    dist_cm[-1] = round(total_m * 100.0)
    dist_cm = np.maximum.accumulate(dist_cm)
    frac = dist_cm / dist_cm[-1]

    # barometric altitude is smooth; only FIT's 0.2 m resolution is applied
    altitude = np.rint(terrain.altitude(frac) * 5.0) / 5.0
    grade = terrain.grade(frac)

    # Heart rate as a fraction of reserve: pace and climbing set the target,
    # the heart follows with ~30 s lag, starts low and drifts up over the hour.
    target = 0.62 + 0.10 * (speed - 2.8) + 2.0 * grade + 0.05 * (tau / 3600.0)
    target = _lagged(np.clip(target, 0.3, 0.98), round(30 * hz))
    warm_hr = 1.0 - 1.0 / (1.0 + tau / 90.0) ** 2
    frac_hrr = 0.3 + (target - 0.3) * warm_hr
    hr = hr_rest + (hr_max - hr_rest) * frac_hrr + 1.5 * smooth_noise(rng, n, round(10 * hz))
    heart_rate = np.clip(np.rint(hr), hr_rest, hr_max).astype(np.uint8)
    cad = 78.0 + 5.0 * (speed - 2.5) + smooth_noise(rng, n, round(20 * hz))
    cadence = np.clip(np.rint(cad), 60, 100).astype(np.uint8)
    speed = np.rint(speed * 1000.0) / 1000.0

    start_s = math.floor(start_utc.timestamp())
    timestamp = start_s + np.rint(tau).astype(np.int64)
    pauses: tuple[tuple[int, int], ...] = ()
    if pause_s > 0 and n > 10:
        at = int(n * (0.35 + 0.3 * rng.random()))
        timestamp[at + 1 :] += int(pause_s)
        pauses = ((int(timestamp[at]), int(timestamp[at]) + int(pause_s)),)

    climbs = np.diff(altitude)
    hr_int = heart_rate.astype(np.int64)
    timer_s = float(tau[-1])
    start = datetime.fromtimestamp(start_s, tz=UTC)
    local_hour = (start + timedelta(seconds=utc_offset_s)).hour
    return SynthRun(
        start_utc=start,
        utc_offset_s=int(utc_offset_s),
        timestamp=timestamp,
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        distance_m=dist_cm / 100.0,
        altitude_m=altitude,
        speed_m_s=speed,
        heart_rate=heart_rate,
        cadence=cadence,
        pauses=pauses,
        total_distance_m=float(dist_cm[-1]) / 100.0,
        timer_s=timer_s,
        elapsed_s=float(timestamp[-1] - timestamp[0]),
        total_ascent_m=round(math.fsum(climbs[climbs > 0])),
        total_descent_m=round(-math.fsum(climbs[climbs < 0])),
        avg_hr=round(int(hr_int.sum()) / n),
        max_hr=int(hr_int.max()),
        avg_cadence=round(int(cadence.astype(np.int64).sum()) / n),
        max_cadence=int(cadence.max()),
        avg_speed_m_s=round(total_m / timer_s, 3),
        max_speed_m_s=float(speed.max()),
        calories_kcal=round(total_m / 1000.0 * 68.0),
        sport=sport,
        sub_sport=sub_sport,
        name=name or run_name(local_hour),
        manufacturer=manufacturer,
        product=product,
        serial_number=serial_number,
    )
