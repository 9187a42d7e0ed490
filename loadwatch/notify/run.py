"""One ``loadwatch notify`` run: sync calendars, find, send what is new, remember it.

**New** means: no earlier message covers the same athlete, rule and days. A
sent finding is remembered with its rule, first and last day and severity
(never its text); a finding of the same rule whose days overlap an earlier
one is the same finding — its days are followed as the plan shifts — unless
its severity rose (caution to high), which is news. A remembered finding
that no longer holds while its days are still ahead is marked cleared (and a
short "cleared" message is sent when the config asks for it); if it comes
back later, it is new again.

A message counts as sent when at least one target took it; a message no
target took is not remembered, so the next run tries again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from loadwatch.notify.deliver import DeliveryFailure, deliver
from loadwatch.notify.findings import Finding, attention_order, findings_for
from loadwatch.notify.render import (
    CLEARED_TITLE,
    DIGEST_TITLE,
    TITLE,
    cleared_message,
    digest_message,
    finding_message,
)
from loadwatch.store import SentNotification, Store

_RANK = {"info": 1, "caution": 2, "high": 3}
Deliver = Callable[[list[str], str, str], list[DeliveryFailure]]


@dataclass
class NotifyOutcome:
    """What one run found and did.

    ``new``: findings not sent before (sent now unless dry or failed);
    ``undelivered``: those of them that no target took.
    """

    findings: list[Finding] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    undelivered: list[Finding] = field(default_factory=list)
    cleared: list[SentNotification] = field(default_factory=list)
    sent: int = 0
    failures: list[DeliveryFailure] = field(default_factory=list)
    sync_errors: list[str] = field(default_factory=list)
    #: athletes left out because no target is configured for them
    no_target: list[str] = field(default_factory=list)


def _overlaps(f: Finding, r: SentNotification) -> bool:
    return (
        r.rule == f.rule
        and r.first_date is not None
        and r.last_date is not None
        and r.first_date <= f.last_date
        and f.date <= r.last_date
    )


def _send(deliver_fn: Deliver, urls: list[str], title: str, body: str, out: NotifyOutcome) -> bool:
    failures = deliver_fn(urls, title, body)
    out.failures.extend(failures)
    return len(failures) < len(urls)


def sync_calendars(store: Store, athlete: str, today: date) -> list[str]:
    """Re-read the athlete's subscribed calendars; the errors, one line each."""
    from loadwatch.plans.sync import SyncFailure, describe_source, sync_subscriptions

    return [
        f"{athlete}: calendar {describe_source(r.source)}: {r.error}"
        for r in sync_subscriptions(store, athlete, today=today)
        if isinstance(r, SyncFailure)
    ]


def notify_athletes(
    store: Store,
    athletes: Sequence[str],
    *,
    today: date,
    days: int,
    targets: Callable[[str], list[str]],
    dry_run: bool = False,
    send_cleared: bool = False,
    sync: bool = True,
    deliver_fn: Deliver = deliver,
) -> NotifyOutcome:
    """Check each athlete's days ahead and send one message per new finding.

    An athlete without any target is left out (and listed in ``no_target``),
    except in a dry run.
    """
    out = NotifyOutcome()
    for athlete in athletes:
        if not dry_run and not targets(athlete):
            out.no_target.append(athlete)
            continue
        if sync:
            out.sync_errors.extend(sync_calendars(store, athlete, today))
        found = findings_for(store, athlete, days, today)
        out.findings.extend(found)
        remembered = [
            r
            for r in store.sent_notifications(athlete)
            if r.cleared_utc is None and r.last_date is not None and r.last_date >= today
        ]
        matched: set[int] = set()
        for f in found:
            earlier = [r for r in remembered if _overlaps(f, r)]
            best = max(earlier, key=lambda r: _RANK.get(r.severity or "", 0), default=None)
            if best is not None:
                matched.update(r.id for r in earlier)
                if _RANK[f.severity] <= _RANK.get(best.severity or "", 0):
                    if not dry_run:
                        store.update_sent(best.id, first_date=f.date, last_date=f.last_date)
                    continue
            out.new.append(f)
            if dry_run:
                continue
            if _send(deliver_fn, targets(athlete), TITLE, finding_message(f), out):
                out.sent += 1
                store.record_sent(
                    athlete,
                    rule=f.rule,
                    first_date=f.date,
                    last_date=f.last_date,
                    severity=f.severity,
                )
                for r in earlier:  # superseded by the more serious one
                    store.update_sent(r.id, cleared=True)
            else:
                out.undelivered.append(f)
        for r in remembered:
            if r.id in matched:
                continue
            out.cleared.append(r)
            if dry_run:
                continue
            if send_cleared:
                if _send(deliver_fn, targets(athlete), CLEARED_TITLE, cleared_message(r), out):
                    out.sent += 1
                else:
                    continue
            store.update_sent(r.id, cleared=True)
    return out


@dataclass
class DigestOutcome:
    message: str
    needs_attention: list[str]
    findings: list[Finding]
    week_start: date
    sent: bool = False
    already_sent: bool = False
    failures: list[DeliveryFailure] = field(default_factory=list)
    sync_errors: list[str] = field(default_factory=list)


def send_digest(
    store: Store,
    athletes: Sequence[str],
    *,
    today: date,
    days: int,
    urls: list[str],
    scope: str = "all",
    dry_run: bool = False,
    sync: bool = True,
    deliver_fn: Deliver = deliver,
) -> DigestOutcome:
    """The coach's weekly message: who needs attention (a caution-or-worse alert in the
    last 28 days, or a finding in the days ahead), in the coach table's order.

    Sent at most once per ISO week and ``scope`` (``all``, or ``athlete NAME``).
    """
    week_start = today - timedelta(days=today.weekday())
    iso = today.isocalendar()
    key = f"{scope} {iso.year}-W{iso.week:02d}"
    sync_errors: list[str] = []
    findings: dict[str, list[Finding]] = {}
    for athlete in athletes:
        if sync:
            sync_errors.extend(sync_calendars(store, athlete, today))
        findings[athlete] = findings_for(store, athlete, days, today)
    states = [
        s
        for s in attention_order(store, list(athletes), today)
        if s.worst_alert is not None or findings.get(s.athlete)
    ]
    message = digest_message(states, findings, week_start=week_start, total=len(athletes))
    out = DigestOutcome(
        message,
        [s.athlete for s in states],
        [f for fs in findings.values() for f in fs],
        week_start,
        sync_errors=sync_errors,
    )
    if any(r.digest_key == key for r in store.sent_notifications(None, kind="digest")):
        out.already_sent = True
        return out
    if dry_run:
        return out
    failures = deliver_fn(urls, DIGEST_TITLE, message)
    out.failures = failures
    if len(failures) < len(urls):
        out.sent = True
        store.record_sent(None, kind="digest", digest_key=key)
    return out
