"""Offline time-zone lookup: where a run happened -> its wall-clock offset.

GPX and TCX carry UTC times only; the athlete's local date comes from the
first point's position (timezonefinder's bundled polygons, no network).
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@lru_cache(maxsize=1)
def _finder() -> Any:
    from timezonefinder import TimezoneFinder

    return TimezoneFinder()


@lru_cache(maxsize=4096)
def zone_name_at(lat_deg: float, lon_deg: float) -> str | None:
    """IANA zone name at a position (rounded to ~1 km), or None at sea / when unknown."""
    if not (-90.0 <= lat_deg <= 90.0 and -180.0 <= lon_deg <= 180.0):
        return None
    if lat_deg == 0.0 and lon_deg == 0.0:  # "null island": a missing fix, not a place
        return None
    name: str | None = _finder().timezone_at(lng=round(lon_deg, 2), lat=round(lat_deg, 2))
    return name


def offset_in_zone(zone: str, when_utc: datetime) -> int:
    """UTC offset in seconds of IANA ``zone`` at the instant ``when_utc``."""
    try:
        tz = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as e:
        raise ValueError(f"unknown time zone {zone!r}") from e
    off = when_utc.astimezone(tz).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


def utc_offset_at(lat_deg: float, lon_deg: float, when_utc: datetime) -> int | None:
    """Wall-clock offset from UTC (seconds) at a position and instant, or None if unknown."""
    zone = zone_name_at(lat_deg, lon_deg)
    if zone is None:
        return None
    return offset_in_zone(zone, when_utc)


def format_offset(seconds: int) -> str:
    """``3600`` -> ``+01:00``; ``-34200`` -> ``-09:30``."""
    sign = "-" if seconds < 0 else "+"
    minutes = abs(seconds) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
