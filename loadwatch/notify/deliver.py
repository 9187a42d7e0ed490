"""Delivery through Apprise: e-mail, ntfy, Telegram, Slack, Matrix, JSON webhooks, ...

A target is an Apprise URL (``json://host:port/path``, ``ntfy://topic``,
``mailto://...``). The message travels in the request body; loadwatch never
puts it in a URL and never logs it: Apprise's own logger is kept at WARNING
(its DEBUG lines would show the payload), and the warnings of a failed
delivery are shown without the target's full URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    target: str  # the target without credentials, path or query
    reason: str


def describe_target(url: str) -> str:
    """``json://127.0.0.1:8080/…``: enough to recognise a target, nothing secret."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "an unreadable URL"
    rest = "/…" if (parts.path.strip("/") or parts.query) else ""
    return f"{parts.scheme}://{host}{port}{rest}"


def deliver(urls: list[str], title: str, body: str) -> list[DeliveryFailure]:
    """Send one message to every target; returns the targets that failed and why."""
    import apprise

    logging.getLogger("apprise").setLevel(logging.WARNING)
    failures: list[DeliveryFailure] = []
    for url in urls:
        target = describe_target(url)
        sender = apprise.Apprise()
        if not sender.add(url):
            failures.append(DeliveryFailure(target, "not a notification URL Apprise understands"))
            continue
        with apprise.LogCapture(level=logging.WARNING, fmt="%(message)s") as log:
            ok = sender.notify(title=title, body=body)
            lines = [line.strip() for line in log.getvalue().splitlines() if line.strip()]
        if not ok:
            reason = lines[-1] if lines else "delivery failed"
            failures.append(DeliveryFailure(target, _without_urls(reason)))
    return failures


def _without_urls(text: str) -> str:
    """Drop anything URL-like from a library message (it may carry a token)."""
    words = text.split()
    return " ".join(describe_target(w) if "://" in w else w for w in words)
