"""Alert thresholds: the science.md defaults, a TOML file, per-athlete overrides.

The file is ``config.toml`` in the data directory (``LOADWATCH_CONFIG`` names
another path)::

    [thresholds]                       # every athlete
    ramp_caution_pct = 15

    [athletes."Sam Jumps".thresholds]  # one athlete, over the global values
    spike_caution_pct = 20

A key the file does not know is an error naming the key, so a typo never
silently leaves a default in force.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from loadwatch.errors import LoadwatchError

#: Environment variable naming the config file (overrides the data directory).
CONFIG_ENV = "LOADWATCH_CONFIG"
CONFIG_NAME = "config.toml"
#: Top-level tables the file may hold (``notify`` is read by :mod:`loadwatch.notify.config`).
KNOWN_SECTIONS = ("thresholds", "athletes", "notify")


class ConfigError(LoadwatchError):
    """The config file cannot be read or holds an unknown key or a bad value."""


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Alert thresholds (science.md section 6). Percentages in %, distances in km.

    Load rules are strict (``>``, ``<`` for ACWR low); the pain rules use
    ``>=`` as science.md words them ("2 points above", ">= 5/10").
    """

    spike_caution_pct: float = 10.0
    spike_high_pct: float = 100.0
    ramp_caution_pct: float = 10.0
    ramp_high_pct: float = 30.0
    ramp_min_base_km: float = 10.0
    acwr_caution: float = 1.3
    acwr_high: float = 1.5
    acwr_low: float = 0.8
    monotony_caution: float = 1.5
    monotony_high: float = 2.0
    pain_rise_points: int = 2
    pain_caution_score: int = 5
    pain_high_score: int = 7
    pain_median_days: int = 14
    pain_after_spike_days: int = 3


#: What each threshold means (shown by ``loadwatch config``).
DESCRIPTIONS: dict[str, str] = {
    "spike_caution_pct": "single run longer than the longest of the previous 30 days by more than",
    "spike_high_pct": "single-run spike high above",
    "ramp_caution_pct": "rolling 7-day distance up on the 7 days before by more than",
    "ramp_high_pct": "rolling 7-day ramp high above",
    "ramp_min_base_km": "ramp alerts need at least this many km in the previous 7 days",
    "acwr_caution": "acute:chronic ratio (rolling or EWMA) above",
    "acwr_high": "acute:chronic ratio high above",
    "acwr_low": "acute:chronic ratio below this is reported as info",
    "monotony_caution": "7-day monotony (mean / SD of daily load) above",
    "monotony_high": "monotony high above",
    "pain_rise_points": "pain flare: score at least this many points above the recent median",
    "pain_caution_score": "pain flare: score at least",
    "pain_high_score": "pain high: score at least",
    "pain_median_days": "days before a score that make the 'recent median'",
    "pain_after_spike_days": "a flare up to this many days after a spike is high",
}

_INT_KEYS = frozenset(f.name for f in fields(Thresholds) if f.type in ("int", int))
THRESHOLD_KEYS: tuple[str, ...] = tuple(f.name for f in fields(Thresholds))


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """The thresholds a config file sets: globally and per athlete."""

    path: Path
    exists: bool
    global_values: dict[str, float | int]
    athletes: dict[str, dict[str, float | int]]


@dataclass(frozen=True, slots=True)
class Effective:
    """Thresholds in force for one athlete, and where each value came from.

    ``sources`` maps each key to ``default``, ``config file`` or ``athlete NAME``.
    """

    thresholds: Thresholds
    sources: dict[str, str]
    path: Path
    file_exists: bool


def config_path() -> Path:
    """The config file in use: ``$LOADWATCH_CONFIG`` or ``config.toml`` in the data directory."""
    env = os.environ.get(CONFIG_ENV)
    if env:
        return Path(env).expanduser()
    from loadwatch.store import default_data_dir

    return default_data_dir() / CONFIG_NAME


def _value(key: str, raw: Any, where: str) -> float | int:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ConfigError(f"{where}: {key} must be a number (got {raw!r})")
    if not math.isfinite(raw) or raw < 0:
        raise ConfigError(f"{where}: {key} must be a finite number >= 0 (got {raw!r})")
    if key in _INT_KEYS:
        if raw != int(raw):
            raise ConfigError(f"{where}: {key} must be a whole number (got {raw!r})")
        return int(raw)
    return float(raw)


def _threshold_table(table: Any, where: str) -> dict[str, float | int]:
    if not isinstance(table, Mapping):
        raise ConfigError(f"{where} must be a table of thresholds")
    values: dict[str, float | int] = {}
    for key, raw in table.items():
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
    global_values = _threshold_table(data.get("thresholds", {}), f"{path} [thresholds]")
    athletes: dict[str, dict[str, float | int]] = {}
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
    return ConfigFile(path, True, global_values, athletes)


def read_config(path: Path | None = None) -> ConfigFile:
    """Read the config file (a missing file means every default applies)."""
    path = path or config_path()
    if not path.exists():
        return ConfigFile(path, False, {}, {})
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
        ("ramp_caution_pct", "ramp_high_pct"),
        ("acwr_caution", "acwr_high"),
        ("acwr_low", "acwr_caution"),
        ("monotony_caution", "monotony_high"),
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
