"""Display units: km or miles, chosen once and applied at the edge.

loadwatch computes in km; a distance becomes miles only when it is shown.
The unit in force: the command's ``--units`` (or the dashboard's switch), else
the environment variable ``LOADWATCH_UNITS``, else ``units = "mi"`` in the
config file, else km.
"""

from __future__ import annotations

import os

from loadwatch.errors import ValidationError
from loadwatch.model import KM_PER_MILE

UNITS: tuple[str, ...] = ("km", "mi")
UNITS_ENV = "LOADWATCH_UNITS"


def resolve_units(given: str | None = None) -> str:
    """The display unit in force: ``given``, ``$LOADWATCH_UNITS``, the config file, km."""
    if given:
        return check_units(given, "--units")
    env = os.environ.get(UNITS_ENV)
    if env:
        return check_units(env.strip().lower(), UNITS_ENV)
    from loadwatch.alerts.config import configured_units

    return configured_units() or "km"


def check_units(unit: str, where: str = "units") -> str:
    if unit not in UNITS:
        raise ValidationError(f"{where} must be km or mi (got {unit!r})")
    return unit


def km_per_unit(unit: str) -> float:
    """Kilometres in one ``unit``: 1 for km, 1.609344 for mi."""
    return KM_PER_MILE if unit == "mi" else 1.0


def from_km(km: float | None, unit: str) -> float | None:
    """A distance in km shown in ``unit`` (None stays None)."""
    return None if km is None else km / km_per_unit(unit)


def to_km(value: float | None, unit: str) -> float | None:
    """A distance typed in ``unit`` as km (None stays None)."""
    return None if value is None else value * km_per_unit(unit)


def distance_text(km: float | None, unit: str, digits: int = 1) -> str:
    """``12.3 km`` or ``7.6 mi``; an en dash for None."""
    if km is None or km != km:
        return "–"
    return f"{km / km_per_unit(unit):.{digits}f} {unit}"
