"""The ``[notify]`` section of the config file: where notifications go.

::

    [notify]
    urls = ["ntfy://ntfy.sh/${NTFY_TOPIC}"]        # default targets (Apprise URLs)
    digest_urls = ["mailto://coach:${SMTP_PASSWORD}@example.org"]  # --digest (default: urls)
    cleared = false                                 # send a short "cleared" message
    days = 7                                        # days ahead to check

    [notify.athletes."Sam Jumps"]
    urls = ["tgram://${SAM_BOT_TOKEN}/${SAM_CHAT_ID}"]  # instead of the default urls

``${NAME}`` in a URL is replaced by the environment variable ``NAME``, so
secrets need not sit in the file; an unset variable is an error naming it
(never its value). The file is the one :func:`loadwatch.alerts.config.config_path`
names.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from loadwatch.alerts.config import ConfigError, config_path

KEYS = ("urls", "digest_urls", "cleared", "days", "athletes")
ATHLETE_KEYS = ("urls",)
DEFAULT_DAYS = 7
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class NotifyConfig:
    urls: list[str] = field(default_factory=list)
    digest_urls: list[str] = field(default_factory=list)
    athlete_urls: dict[str, list[str]] = field(default_factory=dict)
    cleared: bool = False
    days: int = DEFAULT_DAYS

    def urls_for(self, athlete: str) -> list[str]:
        """The athlete's own targets, else the default ones."""
        return self.athlete_urls.get(athlete) or self.urls

    def digest_targets(self) -> list[str]:
        return self.digest_urls or self.urls


def expand(url: str, where: str, env: Mapping[str, str] | None = None) -> str:
    """``${NAME}`` replaced by the environment variable NAME (an error when unset)."""
    values = os.environ if env is None else env

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name not in values:
            raise ConfigError(f"{where}: environment variable {name} is not set")
        return values[name]

    return _VAR.sub(sub, url)


def _urls(raw: Any, where: str) -> list[str]:
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise ConfigError(f"{where} must be a list of notification URLs")
    return [expand(u, where) for u in raw]


def parse_notify(section: Any, path: Path) -> NotifyConfig:
    """Check the ``[notify]`` table of a parsed config file."""
    where = f"{path} [notify]"
    if not isinstance(section, Mapping):
        raise ConfigError(f"{where} must be a table")
    for key in section:
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key {key!r} (known keys: {', '.join(KEYS)})")
    cleared = section.get("cleared", False)
    if not isinstance(cleared, bool):
        raise ConfigError(f"{where}: cleared must be true or false")
    days = section.get("days", DEFAULT_DAYS)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 28:
        raise ConfigError(f"{where}: days must be a whole number from 1 to 28")
    people: dict[str, list[str]] = {}
    athletes = section.get("athletes", {})
    if not isinstance(athletes, Mapping):
        raise ConfigError(f"{where}: athletes must be a table of athlete names")
    for name, table in athletes.items():
        here = f'{path} [notify.athletes."{name}"]'
        if not isinstance(table, Mapping):
            raise ConfigError(f"{here} must be a table")
        for key in table:
            if key not in ATHLETE_KEYS:
                raise ConfigError(f"{here}: unknown key {key!r} (only 'urls' is known)")
        people[str(name)] = _urls(table.get("urls", []), f"{here} urls")
    return NotifyConfig(
        urls=_urls(section.get("urls", []), f"{where} urls"),
        digest_urls=_urls(section.get("digest_urls", []), f"{where} digest_urls"),
        athlete_urls=people,
        cleared=cleared,
        days=days,
    )


def read_notify_config(path: Path | None = None) -> NotifyConfig:
    """The ``[notify]`` settings (all defaults when the file or the section is missing)."""
    path = path or config_path()
    if not path.exists():
        return NotifyConfig()
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from e
    except OSError as e:
        raise ConfigError(f"{path}: cannot read ({e.strerror})") from e
    return parse_notify(data.get("notify", {}), path)
