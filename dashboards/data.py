"""The dashboard's face on the service: service calls plus rendering for the page.

Everything is computed by :class:`loadwatch.service.Service` (the same numbers
``loadwatch status``, ``alerts`` and ``check`` print); this module only turns
alerts into sentences in the page's unit and shapes rows for the components.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

import pandas as pd

from loadwatch.model import KM_PER_MILE
from loadwatch.service import RunnerView, Service
from loadwatch.service.context import ContextView
from loadwatch.service.core import FEW_STALE
from loadwatch.service.render import (
    alert_sentence,
    ceiling_sentence,
    rule_evidence,
    short_reason,
)

#: Kilometres to miles.
KM_TO_MI = 1.0 / KM_PER_MILE
SEVERITY_RANK: dict[str | None, int] = {None: 0, "info": 1, "caution": 2, "high": 3}
T = TypeVar("T")
#: Figures :meth:`DashboardData.figure` keeps (about 10 athletes' views).
FIGURES_KEPT = 40


@dataclass(frozen=True)
class PlanCheck:
    """What a planned run or week would trigger, and the safe ceiling (km), for the page."""

    athlete: str
    on: date
    run_km: float | None
    week_km: float | None
    alerts: pd.DataFrame  # alert facts plus a rendered ``message``
    run_ceiling_km: float | None
    run_binding_rule: str | None
    week_ceiling_km: float | None
    week_binding_rule: str | None
    run_reason: str = ""
    week_reason: str = ""
    found: bool = False
    projected: dict[str, Any] = field(default_factory=dict)


def with_messages(alerts: pd.DataFrame, unit: str, who: str | None = None) -> pd.DataFrame:
    """Alerts (or episodes) with a ``message`` sentence in ``unit`` and the rule's evidence."""
    if alerts.empty:
        return alerts.assign(message=pd.Series(dtype=object), citation=pd.Series(dtype=object))
    records = alerts.to_dict("records")
    return alerts.assign(
        message=[alert_sentence(r, unit=unit, who=who) for r in records],
        citation=[rule_evidence(str(r["rule"])) for r in records],
    )


def _hashable(value: Any) -> Hashable:
    if isinstance(value, pd.DataFrame):
        return _frame_digest(value)
    return tuple(value) if isinstance(value, list) else value


def _frame_digest(frame: pd.DataFrame | None) -> Hashable:
    """A digest of a frame's columns, dtypes, index and values (None for None)."""
    if frame is None:
        return None
    rows = pd.util.hash_pandas_object(frame, index=True).to_numpy()
    head = repr((list(frame.columns), [str(t) for t in frame.dtypes], frame.shape))
    return hashlib.blake2b(head.encode() + rows.tobytes(), digest_size=16).hexdigest()


def _context_columns(summary: dict[str, Any]) -> dict[str, Any]:
    """The coach table's sleep trend (hours) and rehab adherence (%) of one athlete,
    from their :meth:`~loadwatch.service.Service.context_summary`."""
    recent, change = summary["sleep_7d_h"], summary["sleep_change_h"]
    share = summary["rehab_adherence"]
    return {
        "sleep_7d_h": None if recent is None else round(recent, 1),
        "sleep_change_h": None if change is None else round(change, 1),
        "rehab_adherence_pct": None if share is None else round(100 * share),
        "rehab_sessions_28d": summary["rehab_sessions_28d"],
    }


class DashboardData(Service):
    """Read and write access for the dashboard, over one store URL."""

    def __init__(self, store_url: str, *, as_of: date | None = None) -> None:
        super().__init__(store_url)
        self.store_url = store_url
        #: the date the views describe (None: today, re-read on every request)
        self.fixed_as_of = as_of
        # (athlete, measure, unit, start, end, as_of) -> (service view, view shown)
        self._views: dict[tuple[Any, ...], tuple[RunnerView, RunnerView]] = {}
        #: (the view shown, the runner callback's outputs built from it), per key
        self.runner_outputs: dict[tuple[Any, ...], tuple[RunnerView, Any]] = {}
        #: figures by what they were built from (:meth:`figure`), the newest last
        self._figures: OrderedDict[Hashable, Any] = OrderedDict()
        self._figures_lock = threading.Lock()
        #: per scope's athletes: the versions and the newest data date stand-in of them
        self._newest: dict[Any, tuple[dict[str, Hashable], date | None]] = {}

    @property
    def as_of(self) -> date | None:  # type: ignore[override]
        """The fixed as-of date, moved on to the newest run or pain date when data
        newer than it has arrived (a run dropped into the demo is shown); None: today."""
        if self.fixed_as_of is None:
            return None
        return self._moved_as_of(self.versions())

    def _moved_as_of(self, versions: dict[str, Hashable]) -> date:
        assert self.fixed_as_of is not None
        newest = self._newest_date(versions)
        return max([self.fixed_as_of, *([newest] if newest else [])])

    def _newest_date(self, versions: dict[str, Hashable]) -> date | None:
        """The newest run or pain date, or a date D standing in for it: D is at least
        the newest date, and both are on or before the fixed as-of date whenever they
        differ (so the as-of date is the same with either).

        The store's newest date is a scan of every run (about 0.2 s CPU at 1.2
        million runs); after a write for up to :data:`FEW_STALE` athletes it comes
        from the date known before and those athletes' histories (which the
        switch and their new state read anyway). Only when it may have moved back
        (an athlete holding it deleted data) is the store asked again. A history
        leaves out runs flagged implausible and not accepted, so such a run does
        not move the date on this path; the store's scan counts it.
        """
        assert self.fixed_as_of is not None
        scope = self.scope.athletes
        known = self._newest.get(scope)
        if known is not None and known[0] == versions:
            return known[1]
        value: date | None
        found = False
        if known is not None:
            before, old = known
            changed = [n for n, v in versions.items() if before.get(n) != v]
            if len(changed) <= FEW_STALE and before.keys() <= versions.keys():
                theirs = [self.history(n, versions[n]).last_data_date for n in changed]
                top = max((d for d in theirs if d is not None), default=None)
                if top is not None and (old is None or top >= old):
                    value, found = top, True  # the others are on or before ``old``
                elif old is None or old <= self.fixed_as_of:
                    value, found = old, True  # the newest date is at most ``old``
        if not found:
            value = self.store.newest_data_date()
        self._newest[scope] = (dict(versions), value)
        return value

    def figure(self, build: Callable[..., T], *frames: pd.DataFrame | None, **options: Any) -> T:
        """``build(*frames, **options)``, or the figure built before from equal frames
        and options (a digest of every value, index and column of each frame).

        A write changes an athlete's revision, but usually only one of the runner
        view's charts: a pain score leaves the weekly bars and the context chart as
        they were, and they are not built again.
        """
        try:
            key = (
                build.__qualname__,
                tuple(_frame_digest(f) for f in frames),
                tuple(sorted((k, _hashable(v)) for k, v in options.items())),
            )
            hash(key)
        except (TypeError, ValueError):  # a value pandas cannot hash: build it
            return build(*frames, **options)
        with self._figures_lock:
            known = self._figures.get(key)
            if known is not None:
                self._figures.move_to_end(key)
                return known
        fig = build(*frames, **options)
        with self._figures_lock:
            self._figures[key] = fig
            while len(self._figures) > FIGURES_KEPT:
                self._figures.popitem(last=False)
        return fig

    def built_for_versions(self, name: str, build: Callable[[], T]) -> T:
        """``build()``, kept until the data of any athlete the scope sees changes (or
        the config, or the as-of date): the same revisions as the coach table's."""
        versions = self.versions()
        day = date.today() if self.fixed_as_of is None else self._moved_as_of(versions)
        key = ("built", name, day, self.scope.athletes)
        return self._cached(key, versions, build)

    def runner(
        self,
        athlete: str,
        *,
        measure: str = "distance",
        unit: str = "km",
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> RunnerView:
        view = super().runner(
            athlete, measure=measure, unit=unit, start=start, end=end, as_of=as_of or self.as_of
        )
        # the same service view (a cache hit) gives the same object back, so the
        # callback can reuse the figures it built from it
        key = (athlete, measure, unit, start, end, as_of or self.as_of)
        known = self._views.get(key)
        if known is not None and known[0] is view:
            return known[1]
        shown = self._with_messages(view, unit)
        self._views[key] = (view, shown)
        return shown

    def _with_messages(self, view: RunnerView, unit: str) -> RunnerView:
        status = dict(view.status)
        if view.has_runs:
            last = view.runs.iloc[-1]
            status.update(
                last_run_distance=float(last["distance"]),
                last_spike_pct=None if pd.isna(last["spike_pct"]) else float(last["spike_pct"]),
                last_spike_category=str(last["category"]),
            )
        if status.get("week_load") is None and not view.has_runs:
            status = {}
        from dataclasses import replace

        return replace(view, alerts=with_messages(view.alerts, unit), status=status)

    def check_plan(
        self,
        athlete: str,
        on: date,
        *,
        run_km: float | None = None,
        week_km: float | None = None,
        unit: str = "km",
    ) -> PlanCheck:
        """Alerts a planned run (or week total) would trigger, with the safe ceiling."""
        from loadwatch.errors import ValidationError
        from loadwatch.service import alerts_frame

        if run_km is None and week_km is None:
            raise ValidationError("enter a planned distance or a week total")
        for value, what in ((run_km, "planned distance"), (week_km, "week total")):
            if value is not None and not value > 0:
                raise ValidationError(f"the {what} must be more than 0")
        checked = self.check(athlete, on=on, run_km=run_km, week_km=week_km)
        result = checked.result
        planned = [a for a in result.alerts if a.planned]
        return PlanCheck(
            athlete=athlete,
            on=on,
            run_km=run_km,
            week_km=week_km,
            alerts=with_messages(alerts_frame(planned), unit),
            run_ceiling_km=result.run_ceiling.km,
            run_binding_rule=result.run_ceiling.binding_rule,
            week_ceiling_km=result.week_ceiling.km,
            week_binding_rule=result.week_ceiling.binding_rule,
            run_reason=ceiling_sentence(result.run_ceiling, unit=unit),
            week_reason=ceiling_sentence(result.week_ceiling, unit=unit),
            found=result.has_findings,
            projected=checked.projected,
        )

    def save_plan(self, athlete: str, on: date, run_km: float) -> None:
        self.save_plans(athlete, [(on, run_km, None)])

    def coach_rows(self, *, as_of: date | None = None, unit: str = "km") -> list[dict[str, Any]]:
        """One row per athlete, who needs attention first: the service's status rows
        with the fields the coach grid shows (distances in ``unit``)."""
        factor = KM_TO_MI if unit == "mi" else 1.0
        day = as_of or self.as_of or date.today()
        context = self.context_summaries(as_of=day)
        rows = []
        for row in super().coach_rows(as_of=day, unit=unit):
            worst = row["worst_alert"] or {}
            last_7d = row["last_7d_km"]
            rows.append(
                {
                    **row,
                    "last_7d": None if last_7d is None else round(last_7d * factor, 1),
                    "ramp_pct": None if row["ramp_pct"] is None else round(row["ramp_pct"]),
                    "acwr": None if row["acwr"] is None else round(row["acwr"], 2),
                    "acwr_ewma": None if row["acwr_ewma"] is None else round(row["acwr_ewma"], 2),
                    "latest_spike": row["latest_spike_date"],
                    "latest_spike_pct": None
                    if row["latest_spike_pct"] is None
                    else round(row["latest_spike_pct"]),
                    "worst_alert": worst.get("severity") or "none",
                    "alert_date": worst.get("date"),
                    "alert_message": row["reason"],
                    "last_run": row["last_run_date"],
                    **_context_columns(
                        context.get(row["athlete"])
                        or self.context_summary(row["athlete"], as_of=day)
                    ),
                }
            )
        return rows

    def context(
        self,
        athlete: str,
        *,
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> ContextView:
        return super().context(athlete, start=start, end=end, as_of=as_of or self.as_of)

    def upcoming_rows(
        self, athlete: str, *, unit: str = "km", days: int = 7
    ) -> list[dict[str, Any]]:
        """The planned days ahead for the page: date, planned and ceiling in ``unit``,
        ``status`` (the worst alert the plan would raise that day, or ``ok``), a
        short ``reason`` and the ceiling's ``ceiling_note``."""
        factor = KM_TO_MI if unit == "mi" else 1.0
        rows = []
        for day in self.upcoming(athlete, days=days, as_of=self.as_of):
            alert, ceiling = day["alert"], day["ceiling"]
            km = day["ceiling_km"]
            rows.append(
                {
                    "date": day["date"],
                    "planned": round(day["planned_km"] * factor, 1),
                    "notes": day["notes"],
                    "status": day["severity"] or "ok",
                    "reason": short_reason(alert, unit=unit) if alert is not None else "",
                    "ceiling": None if km is None else round(km * factor, 1),
                    "ceiling_status": ceiling.status,
                    "ceiling_note": ceiling_sentence(ceiling, unit=unit),
                }
            )
        return rows
