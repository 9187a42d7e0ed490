"""Alert thresholds: the science.md defaults, a TOML file, per-athlete overrides.

The file is ``config.toml`` in the data directory (``LOADWATCH_CONFIG`` names
another path)::

    units = "mi"                       # default display unit (km when absent)

    [thresholds]                       # every athlete
    ramp_caution_pct = 25
    acwr_profile = "gabbett2016"       # ACWR caution/high zones instead of info only

    [athletes."Sam Jumps".thresholds]  # one athlete, over the global values
    spike_caution_pct = 20

A key the file does not know is an error naming the key, so a typo never
silently leaves a default in force.
"""

from __future__ import annotations

import dataclasses
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from loadwatch.errors import LoadwatchError
from loadwatch.settings import CONFIG_ENV, CONFIG_NAME, config_path  # noqa: F401 (re-exported)

#: Top-level tables the file may hold (``notify`` is read by :mod:`loadwatch.notify.config`,
#: ``server`` by :mod:`loadwatch.settings`).
KNOWN_SECTIONS = ("thresholds", "athletes", "units", "notify", "server")


class ConfigError(LoadwatchError):
    """The config file cannot be read or holds an unknown key or a bad value."""


#: ACWR profiles: "evidence" (info only, the default) or Gabbett's zones (caution and high).
ACWR_PROFILES: tuple[str, ...] = ("evidence", "gabbett2016")
#: Distance units a config file may name as the default for display.
UNITS: tuple[str, ...] = ("km", "mi")


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Alert thresholds, graded by the strength of the evidence (science.md section 6).

    Percentages in %, distances in km. Load rules are strict (``>``, ``<`` for
    ACWR low); the pain rules use ``>=`` as science.md words them.

    Defaults: the single-run spike is the strongest running-specific signal
    (caution above 10%, high above 100%); a weekly ramp above 10% is info and
    above 30% caution; ACWR and monotony are info only. With
    ``acwr_profile = "gabbett2016"`` the ACWR rules follow Gabbett's zones
    (caution above ``acwr_caution``, high above ``acwr_high``) and then also
    bind the safe ceiling.
    """

    spike_caution_pct: float = 10.0
    spike_high_pct: float = 100.0
    ramp_info_pct: float = 10.0
    ramp_caution_pct: float = 30.0
    ramp_min_base_km: float = 10.0
    acwr_profile: str = "evidence"
    acwr_info: float = 1.5
    acwr_caution: float = 1.3
    acwr_high: float = 1.5
    acwr_low: float = 0.8
    monotony_info: float = 2.0
    pain_rise_points: int = 2
    pain_caution_score: int = 5
    pain_high_score: int = 7
    pain_median_days: int = 14
    pain_after_spike_days: int = 3

    @property
    def acwr_graded(self) -> bool:
        """True when the ACWR rules raise caution and high (the gabbett2016 profile)."""
        return self.acwr_profile == "gabbett2016"

    @property
    def binding_rules(self) -> tuple[str, ...]:
        """Rules in force at caution or above that grow with distance: they set the ceiling."""
        rules: tuple[str, ...] = ("spike", "ramp")
        return (*rules, "acwr", "acwr_ewma") if self.acwr_graded else rules


#: What each threshold means (shown by ``loadwatch config``).
DESCRIPTIONS: dict[str, str] = {
    "spike_caution_pct": "single run longer than the longest of the previous 30 days by more than",
    "spike_high_pct": "single-run spike high above",
    "ramp_info_pct": "7-day distance up on the 7 days before by more than this: info",
    "ramp_caution_pct": "7-day distance up on the 7 days before by more than this: caution",
    "ramp_min_base_km": "ramp alerts need at least this many km in the previous 7 days",
    "acwr_profile": "'evidence' (ACWR is info only) or 'gabbett2016' (caution and high zones)",
    "acwr_info": "acute:chronic ratio (rolling or EWMA) above this: info (evidence profile)",
    "acwr_caution": "acute:chronic ratio above this: caution (gabbett2016 profile)",
    "acwr_high": "acute:chronic ratio above this: high (gabbett2016 profile)",
    "acwr_low": "acute:chronic ratio below this is reported as info",
    "monotony_info": "7-day monotony (mean / SD of daily load) above this: info",
    "pain_rise_points": "pain flare: score at least this many points above the recent median",
    "pain_caution_score": "pain flare: score at least",
    "pain_high_score": "pain high: score at least",
    "pain_median_days": "days before a score that make the 'recent median'",
    "pain_after_spike_days": "a flare up to this many days after a spike is high",
}

#: Keys of earlier releases and what replaced them (a clear error instead of "unknown key").
RETIRED_KEYS: dict[str, str] = {
    "ramp_high_pct": "the ramp has no high level any more; see ramp_info_pct and ramp_caution_pct",
    "monotony_caution": "monotony is info only; see monotony_info",
    "monotony_high": "monotony is info only; see monotony_info",
}

_INT_KEYS = frozenset(f.name for f in fields(Thresholds) if f.type in ("int", int))
_STR_KEYS: dict[str, tuple[str, ...]] = {"acwr_profile": ACWR_PROFILES}
THRESHOLD_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Thresholds))


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """The thresholds a config file sets: globally and per athlete."""

    path: Path
    exists: bool
    units: str | None
    global_values: dict[str, float | int | str]
    athletes: dict[str, dict[str, float | int | str]]


@dataclass(frozen=True, slots=True)
class Effective:
    """Thresholds in force for one athlete, and where each value came from.

    ``sources`` maps each key to ``default``, ``config file`` or ``athlete NAME``.
    """

    thresholds: Thresholds
    sources: dict[str, str]
    path: Path
    file_exists: bool


def _value(key: str, raw: Any, where: str) -> float | int | str:
    if key in _STR_KEYS:
        if raw not in _STR_KEYS[key]:
            known = ", ".join(repr(v) for v in _STR_KEYS[key])
            raise ConfigError(f"{where}: {key} must be one of {known} (got {raw!r})")
        return str(raw)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ConfigError(f"{where}: {key} must be a number (got {raw!r})")
    if not math.isfinite(raw) or raw < 0:
        raise ConfigError(f"{where}: {key} must be a finite number >= 0 (got {raw!r})")
    if key in _INT_KEYS:
        if raw != int(raw):
            raise ConfigError(f"{where}: {key} must be a whole number (got {raw!r})")
        return int(raw)
    return float(raw)


def _threshold_table(table: Any, where: str) -> dict[str, float | int | str]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table of thresholds")
    values: dict[str, float | int | str] = {}
    for key, raw in table.items():
        if key in RETIRED_KEYS:
            raise ConfigError(f"{where}: {key} was retired ({RETIRED_KEYS[key]})")
        if key not in THRESHOLD_KEYS:
            raise ConfigError(
                f"{where}: unknown key {key!r} (known keys: {', '.join(THRESHOLD_KEYS)})"
            )
        values[key] = _value(key, raw, where)
    return values


def parse_config(data: Mapping[str, Any], path: Path) -> ConfigFile:
    """Check a parsed TOML document and pull out its thresholds."""
    for key in data:
        if key not in KNOWN_SECTIONS:
            raise ConfigError(
                f"{path}: unknown key {key!r} (known sections: {', '.join(KNOWN_SECTIONS)})"
            )
    units = data.get("units")
    if units is not None and units not in UNITS:
        raise ConfigError(f"{path}: units must be 'km' or 'mi' (got {units!r})")
    global_values = _threshold_table(data.get("thresholds", {}), f"{path} [thresholds]")
    athletes: dict[str, dict[str, float | int | str]] = {}
    people = data.get("athletes", {})
    if not isinstance(people, Mapping):
        raise ConfigError(f"{path}: 'athletes' must be a table of athlete names")
    for name, section in people.items():
        where = f'{path} [athletes."{name}"]'
        if not isinstance(section, Mapping):
            raise ConfigError(f"{where} must be a table")
        for key in section:
            if key != "thresholds":
                raise ConfigError(f"{where}: unknown key {key!r} (only 'thresholds' is known)")
        athletes[str(name)] = _threshold_table(
            section.get("thresholds", {}), f'{path} [athletes."{name}".thresholds]'
        )
    return ConfigFile(path, True, units, global_values, athletes)


def read_config(path: Path | None = None) -> ConfigFile:
    """Read the config file (a missing file means every default applies)."""
    path = path or config_path()
    if not path.exists():
        return ConfigFile(path, False, None, {}, {})
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from e
    return parse_config(data, path)


def _check_order(t: Thresholds, sources: Mapping[str, str]) -> None:
    """Caution must sit below high (and ACWR low below caution), or rules overlap."""
    pairs = (
        ("spike_caution_pct", "spike_high_pct"),
        ("ramp_info_pct", "ramp_caution_pct"),
        ("acwr_caution", "acwr_high"),
        ("acwr_low", "acwr_caution"),
        ("acwr_low", "acwr_info"),
        ("pain_caution_score", "pain_high_score"),
    )
    for low, high in pairs:
        if getattr(t, low) >= getattr(t, high):
            raise ConfigError(
                f"{low} ({getattr(t, low)}, from {sources[low]}) must be below "
                f"{high} ({getattr(t, high)}, from {sources[high]})"
            )
    if t.pain_median_days < 1:
        raise ConfigError("pain_median_days must be at least 1")


def effective_thresholds(
    athlete: str | None = None,
    *,
    path: Path | None = None,
    config: ConfigFile | None = None,
) -> Effective:
    """Defaults, then the file's ``[thresholds]``, then the athlete's own table."""
    cfg = config if config is not None else read_config(path)
    values: dict[str, Any] = dataclasses.asdict(Thresholds())
    sources = dict.fromkeys(values, "default")
    for key, value in cfg.global_values.items():
        values[key] = value
        sources[key] = "config file"
    if athlete is not None:
        for key, value in cfg.athletes.get(athlete, {}).items():
            values[key] = value
            sources[key] = f"athlete {athlete}"
    thresholds = Thresholds(**values)
    _check_order(thresholds, sources)
    return Effective(thresholds, sources, cfg.path, cfg.exists)


def thresholds_for(athlete: str | None = None, *, path: Path | None = None) -> Thresholds:
    """The thresholds in force for ``athlete`` (global ones when None)."""
    return effective_thresholds(athlete, path=path).thresholds


def configured_units(path: Path | None = None) -> str | None:
    """The default display unit the config file names (``units = "mi"``), or None."""
    return read_config(path).units
