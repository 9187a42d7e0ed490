"""The service: the one place that composes the store, the metrics and the alerts.

The CLI and the dashboard are two thin faces over :class:`Service`: parse
input, make one call here, render. Computed state is cached per athlete,
keyed by the store's per-athlete version (every write for an athlete changes
it) and a hash of the config file, so a write or a threshold change is seen
on the next call and only that athlete is recomputed. The coach table (every
athlete's state as of a date) is one cached list keyed by all the versions:
a hit costs one query of the athletes table and one comparison. With a
Redis configured the entries are shared by every process reading it
(:mod:`loadwatch.service.cache`).

Every call is checked against the service's :class:`~loadwatch.service.access.Scope`
(the local single user by default; :meth:`Service.for_user` gives a view for a
signed-in user): the athlete list holds only the athletes the scope may see, any
other athlete is :class:`~loadwatch.service.access.NotFound` exactly like one that
does not exist, and writes are recorded under the user's name.
"""

from __future__ import annotations

import copy
import hashlib
import logging
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from loadwatch.alerts import SEVERITY_RANK, Alert, Thresholds, config_path
from loadwatch.alerts.config import effective_thresholds, read_config
from loadwatch.errors import ValidationError
from loadwatch.model import ActivitySummary
from loadwatch.service.access import LOCAL, NotFound, Scope, not_found, scope_for
from loadwatch.service.cache import MISSING, MemoryCache, default_cache
from loadwatch.service.check import PlanCheck, default_check_date, plan_check
from loadwatch.service.coach import coach_states
from loadwatch.service.context import (
    ContextView,
    context_summaries,
    context_summary,
    context_view,
    rehab_choices,
)
from loadwatch.service.render import short_reason
from loadwatch.service.runner import RunnerView, runner_view
from loadwatch.service.state import (
    AthleteState,
    DistanceMetrics,
    History,
    all_alerts,
    athlete_state,
    distance_metrics,
    load_history,
    ranked,
)
from loadwatch.store import Athlete, PainEntry, PlannedRun, RehabSession, Store, WellnessDay

if TYPE_CHECKING:
    from loadwatch.accounts import User
    from loadwatch.importer import ImportReport

LOG = logging.getLogger("loadwatch.service")
#: Runner views the warm-up computes after the coach table: the athletes a coach
#: is likeliest to open first (the top of the table); the others on first visit.
WARM_VIEWS = 20
#: Up to this many changed athletes are recomputed one by one (sharing their runner
#: view's history and alerts); more in one pass over all of them.
FEW_STALE = 3


#: Inside :meth:`Service.one_read`: the athletes' versions already read, per store.
_READ_ONCE: ContextVar[dict[int, dict[str, Hashable]] | None] = ContextVar(
    "loadwatch_versions_read_once", default=None
)


def _config_key() -> str:
    """A hash of the config file's bytes (thresholds and units), '' when there is none."""
    try:
        return hashlib.sha256(config_path().read_bytes()).hexdigest()
    except OSError:
        return ""


class Service:
    """Read and write access to one store for the CLI and the dashboard."""

    #: the date the warm-up computes the views for (None: today)
    as_of: date | None = None

    def __init__(
        self, store: Store | str, *, scope: Scope = LOCAL, cache: MemoryCache | None = None
    ) -> None:
        self._store = store if isinstance(store, Store) else None
        self._url = store if isinstance(store, str) else None
        self._scope = scope
        # computed values by key and the version they were computed for: in this
        # process, or shared through Redis when one is configured
        where = store if isinstance(store, str) else store.url
        self._cache = cache if cache is not None else default_cache(where)

    @classmethod
    def open(cls, db: str | None = None, *, scope: Scope = LOCAL) -> Service:
        return cls(Store.open(db), scope=scope)

    def for_user(self, scope: Scope) -> Service:
        """This service seen through ``scope`` (one per request): the same store and
        caches (computed state does not depend on who asks), every call checked."""
        self._store = self.store  # opened here, once, so that the views share it
        view = copy.copy(self)
        view._scope = scope
        return view

    def for_account(self, user: User) -> Service:
        """:meth:`for_user` with the scope the account tables give ``user`` now."""
        from loadwatch.accounts import Accounts

        return self.for_user(scope_for(Accounts(self.store), user))

    @property
    def scope(self) -> Scope:
        return self._scope

    # ------------------------------------------------------------ access
    def check_read(self, athlete: str) -> None:
        """:class:`NotFound` unless the scope may see ``athlete`` (existence not checked)."""
        if not self._scope.can_see(athlete):
            raise not_found(athlete)

    def check_write(self, athlete: str) -> None:
        """:class:`NotFound` unless ``athlete`` exists and the scope may write them.

        The local user and an admin get the store's message for an unknown athlete
        (it names the athletes there); anyone else the same message as for an
        athlete outside their scope.
        """
        if not self._scope.can_write(athlete):
            raise not_found(athlete)
        try:
            self.store.athlete(athlete, create=False)
        except ValidationError as e:
            if self._scope.athletes is not None:
                raise not_found(athlete) from None
            raise NotFound(str(e)) from e

    def _manage_athletes(self) -> None:
        if not self._scope.can_manage_athletes:
            raise ValidationError("only coaches and admins add or rename athletes")

    @property
    def writer(self) -> Store:
        """The store whose writes are recorded under the acting user's name."""
        return self.store.acting_as(self._scope.user_name)

    # ------------------------------------------------------------ plumbing
    @property
    def store(self) -> Store:
        # Opened on first use so that creating the dashboard touches no database.
        if self._store is None:
            assert self._url is not None
            self._store = Store(self._url)
        return self._store

    def versions(self) -> dict[str, Hashable]:
        """Per athlete the scope may see, a value that changes whenever their data or
        the config changes (read once per :meth:`one_read` block)."""
        read = _READ_ONCE.get()
        everyone = read.get(id(self.store)) if read is not None else None
        if everyone is None:
            config = _config_key()
            everyone = {name: (v, config) for name, v in self.store.athlete_versions().items()}
            if read is not None:
                read[id(self.store)] = everyone
        scope = self._scope
        if scope.athletes is None:
            return dict(everyone)
        return {name: v for name, v in everyone.items() if scope.can_see(name)}

    @contextmanager
    def one_read(self) -> Iterator[None]:
        """Read the athletes' versions once for the block (one request of a face that
        only reads): every call inside it sees the store as of the block's first read.

        Values computed inside are stored under those versions; a write landing
        meanwhile only makes them look older than they are, so they are computed
        again on the next request, never served stale.
        """
        token = _READ_ONCE.set({})
        try:
            yield
        finally:
            _READ_ONCE.reset(token)

    def _cached(self, key: Hashable, version: Any, compute: Callable[[], Any]) -> Any:
        hit = self._cache.get(key, version)
        if hit is not MISSING:
            return hit
        value = compute()
        self._cache.put(key, version, value)
        return value

    def invalidate(self) -> None:
        self._cache.clear()  # in place: the views of :meth:`for_user` share it

    def _version(self, athlete: str, versions: dict[str, Hashable] | None = None) -> Hashable:
        """The athlete's version; :class:`NotFound` for an unknown athlete or one
        outside the scope (``versions`` holds only the athletes the scope may see)."""
        self.check_read(athlete)
        versions = versions if versions is not None else self.versions()
        if athlete not in versions:
            raise not_found(athlete)
        return versions[athlete]

    def warm_up(self) -> None:
        """Compute the coach table ahead of the first clicks, as of :attr:`as_of`, then
        the default runner view of the first :data:`WARM_VIEWS` athletes it ranks.

        Best effort: a failure only means the first request computes instead; it
        is logged by type only (a message could name an athlete). Processes sharing
        a Redis warm up one at a time: the first computes, the others read.
        """
        try:
            with self._cache.exclusive("warm-up"):
                for state in self.status(as_of=self.as_of)[:WARM_VIEWS]:
                    self.runner(state.athlete, as_of=self.as_of)
        except Exception as e:
            LOG.warning("cache warm-up stopped early (%s)", type(e).__name__)

    # -------------------------------------------------------------- reads
    def athletes(self) -> list[str]:
        return sorted(self.versions())

    def athlete_profiles(self) -> list[Athlete]:
        """The athletes the scope may see with their profiles (time zone, heart rates
        in bpm, sex), by name: the rows of ``loadwatch athletes``."""
        return [a for a in self.store.list_athletes() if self._scope.can_see(a.name)]

    def activities(self, athlete: str, *, since: date | None = None) -> list[ActivitySummary]:
        """The athlete's stored activities, oldest first (from local date ``since``)."""
        self._version(athlete)
        return self.store.activity_rows(athlete, since=since)

    def history(self, athlete: str, version: Hashable | None = None) -> History:
        self.check_read(athlete)
        version = version if version is not None else self._version(athlete)
        return self._cached(
            ("history", athlete), version, lambda: load_history(self.store, athlete)
        )

    def _alerts(self, athlete: str, as_of: date, version: Hashable) -> list[Alert]:
        """Every alert of the recorded history up to ``as_of`` (cached)."""
        return self._cached(
            ("alerts", athlete, as_of),
            version,
            lambda: all_alerts(self.history(athlete, version), end=as_of),
        )

    def _distance_metrics(
        self, athlete: str, end: date, version: Hashable
    ) -> DistanceMetrics | None:
        """:func:`distance_metrics` of the athlete up to ``end`` (cached): computed once for
        the athlete's state and their runner view after a write."""
        return cast(
            DistanceMetrics | None,
            self._cached(
                ("distance metrics", athlete, end),
                version,
                lambda: distance_metrics(self.history(athlete, version), end),
            ),
        )

    def _table(self, as_of: date, versions: dict[str, Hashable]) -> list[AthleteState]:
        """Every athlete's state as of ``as_of``, ranked: one cached table.

        A hit is one comparison of ``versions`` with those the table was built
        for. Otherwise only the athletes whose version changed are computed
        (all of them in one vectorised pass, :func:`coach_states`), the others
        come from the per-athlete cache.
        """
        # one table per set of athletes seen (a coach's ranks count their athletes only)
        key = ("table", as_of, self._scope.athletes)
        hit = self._cache.get(key, versions)
        if hit is not MISSING:
            return cast(list[AthleteState], hit)
        known = self._cache.get_many([(("state", n, as_of), v) for n, v in versions.items()])
        states: dict[str, AthleteState] = {}
        stale = []
        for name, found in zip(versions, known, strict=True):
            if found is not MISSING:
                states[name] = found
            else:
                stale.append(name)
        if stale:
            config = read_config()
            memo: dict[str, Thresholds] = {}

            def thresholds_of(name: str) -> Thresholds:
                if name not in memo:
                    memo[name] = effective_thresholds(name, config=config).thresholds
                return memo[name]

            if len(stale) <= FEW_STALE and len(stale) < len(versions):
                # after a write or two: the definition itself, on the history and
                # alerts the athlete's runner view reads too (computed once for both)
                computed = {
                    n: athlete_state(
                        self.history(n, versions[n]),
                        as_of,
                        self._alerts(n, as_of, versions[n]),
                        self._distance_metrics(n, as_of, versions[n]),
                    )
                    for n in stale
                }
            else:
                everyone = len(stale) == len(versions) and self._scope.athletes is None
                subset = None if everyone else stale
                computed = coach_states(self.store, as_of, thresholds_of, subset)
            self._cache.put_many([(("state", n, as_of), versions[n], computed[n]) for n in stale])
            states.update(computed)
        table = ranked([states[n] for n in versions])
        self._cache.put(key, dict(versions), table)
        return table

    def status(
        self, athlete: str | None = None, *, as_of: date | None = None
    ) -> list[AthleteState]:
        """Every athlete's state as of ``as_of`` (default today), who needs attention first.

        Only the athletes of the scope are listed and ranked. With ``athlete``,
        that athlete's state alone (its ``attention_rank`` is still its place
        among them, as in the coach table).
        """
        as_of = as_of or date.today()
        versions = self.versions()
        if athlete is not None:
            self._version(athlete, versions)
        states = self._table(as_of, versions)
        if athlete is not None:
            return [s for s in states if s.athlete == athlete]
        return states

    def coach_rows(self, *, as_of: date | None = None, unit: str = "km") -> list[dict[str, Any]]:
        """The coach table: :meth:`status` of every athlete plus a short third-person reason."""
        rows = []
        for state in self.status(as_of=as_of):
            row = state.as_dict()
            row["reason"] = (
                short_reason(state.worst_alert, unit=unit) if state.worst_alert else "none"
            )
            row["days_since_last_run"] = state.days_since_last_run
            rows.append(row)
        return rows

    def alerts(
        self,
        athlete: str,
        *,
        since: date | None = None,
        until: date | None = None,
        min_severity: str = "info",
    ) -> list[Alert]:
        """Past alerts of the recorded history (no plans), oldest first, from ``since`` to
        ``until`` (default: the whole history up to today or the last data date)."""
        if min_severity not in SEVERITY_RANK or min_severity is None:
            raise ValidationError(f"unknown severity {min_severity!r}")
        version = self._version(athlete)
        history = self.history(athlete, version)
        end = until or max(date.today(), history.last_data_date or date.today())
        floor = SEVERITY_RANK[min_severity]
        return [
            a
            for a in self._alerts(athlete, end, version)
            if a.rank >= floor and (since is None or a.date >= since) and a.date <= end
        ]

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
        """The runner view of ``athlete``; the status cards are the state as of ``as_of``."""
        as_of = as_of or date.today()
        versions = self.versions()
        version = self._version(athlete, versions)
        # the state's attention rank depends on every athlete: key on all versions
        state = self.status(athlete, as_of=as_of)[0]

        def compute() -> RunnerView:
            history = self.history(athlete, version)
            alerts_end = max(as_of, end or as_of)
            alerts = self._alerts(athlete, alerts_end, version)
            shared = None
            if measure == "distance" and (end is None or end <= as_of):
                shared = self._distance_metrics(athlete, as_of, version)
            return runner_view(
                history,
                state,
                alerts,
                measure=measure,
                unit=unit,
                start=start,
                end=end,
                shared=shared,
            )

        key = ("runner", athlete, measure, unit, start, end, as_of)
        return cast(RunnerView, self._cached(key, (version, state), compute))

    def check(
        self,
        athlete: str,
        *,
        on: date | None = None,
        run_km: float | None = None,
        week_km: float | None = None,
    ) -> PlanCheck:
        """What a planned run or week (and the stored plans) would raise, and the ceilings."""
        history = self.history(athlete)
        day = on or default_check_date(history)
        return plan_check(history, on=day, run_km=run_km, week_km=week_km)

    def pain_report(self, athlete: str) -> Any:
        """Pain against load at lags 0–3 days, and every flare with the load events before it;
        plus pain against sleep, stress, soreness and rehab (the report's ``context``)."""
        from loadwatch.pain import pain_report

        history = self.history(athlete)
        return pain_report(
            history.activities,
            list(self.store.list_pain(athlete)),
            history.thresholds,
            athlete=athlete,
            wellness=self.store.list_wellness(athlete),
            rehab=self.store.list_rehab(athlete),
            rehab_plan=self.store.rehab_plan(athlete),
        )

    # -------------------------------------------------------------- writes
    def add_athlete(self, name: str) -> str:
        """Add an athlete (coaches and admins). A coach's new athlete joins the teams
        they coach, so that they can see them; a coach without a team is refused."""
        self._manage_athletes()
        user = self._scope.user
        if user is None or user.role != "coach":
            return self.writer.add_athlete(name).name
        from loadwatch.accounts import Accounts

        accounts = Accounts(self.store)
        their_teams = accounts.teams_of(user)
        if not their_teams:
            raise ValidationError("you coach no team yet: ask an admin to assign you to one")
        added = self.writer.add_athlete(name).name
        for team in their_teams:
            accounts.assign(team, athlete=added)
        self._see_also(added)
        return added

    def rename_athlete(self, old: str, new: str) -> str:
        """Rename an athlete the scope may write (coaches and admins)."""
        self._manage_athletes()
        self.check_write(old)
        renamed = self.writer.update_athlete(old, new_name=new).name
        self._see_also(renamed, instead_of=old)
        return renamed

    def _see_also(self, athlete: str, *, instead_of: str | None = None) -> None:
        """Let this view's scope see an athlete it just added or renamed (the next
        request builds its scope from the tables, which say so already)."""
        from dataclasses import replace

        seen = self._scope.athletes
        if seen is not None:
            kept = seen - {instead_of} if instead_of is not None else seen
            self._scope = replace(self._scope, athletes=kept | {athlete})

    def add_pain(
        self,
        athlete: str,
        day: date,
        score: Any,
        *,
        location: str = "lower_back",
        timing: str = "not_running",
        note: str | None = None,
    ) -> PainEntry:
        """Validate (as the CLI does) and store one pain score (integer 0–10)."""
        from loadwatch.pain import validate_entry

        self.check_write(athlete)
        entry = validate_entry(
            athlete=athlete, score=score, day=day, where=location, when=timing, note=note
        )
        self.writer.add_pain([entry])
        return entry

    def save_plans(self, athlete: str, runs: Sequence[tuple[date, float, str | None]]) -> None:
        """Store planned runs ``(date, km, note)`` for an existing athlete."""
        self.check_write(athlete)
        for _, km, _ in runs:
            if not km > 0:
                raise ValidationError("the planned distance must be more than 0")
        self.writer.add_plans([PlannedRun(None, athlete, d, km * 1000.0, n) for d, km, n in runs])

    # ------------------------------------------------- context (wellness, rehab)
    def context(
        self,
        athlete: str,
        *,
        start: date | None = None,
        end: date | None = None,
        as_of: date | None = None,
    ) -> ContextView:
        """Wellness and rehab over the runner view's dates (the same defaults as
        :meth:`runner`, so the context shares the timeline's axis)."""
        from loadwatch.service.runner import view_range

        as_of = as_of or date.today()
        history = self.history(athlete)
        first, last = view_range(history, as_of, start, end)
        return context_view(
            athlete,
            self.store.list_wellness(athlete),
            self.store.list_rehab(athlete),
            start=first,
            end=last,
        )

    def context_summary(self, athlete: str, *, as_of: date | None = None) -> dict[str, Any]:
        """Sleep trend and rehab adherence as of ``as_of`` (see :func:`context_summary`);
        cached until the athlete's data changes."""
        day = as_of or date.today()
        return self._cached(
            ("context_summary", athlete, day),
            self._version(athlete),
            lambda: context_summary(
                self.store.list_wellness(athlete),
                self.store.list_rehab(athlete),
                self.store.rehab_plan(athlete),
                as_of=day,
            ),
        )

    def context_summaries(self, *, as_of: date | None = None) -> dict[str, dict[str, Any]]:
        """:meth:`context_summary` of every athlete the scope may see (the coach table's
        sleep and rehab columns): each cached until the athlete's data changes, the
        others read together (:func:`~loadwatch.service.context.context_summaries`)."""
        day = as_of or date.today()
        versions = self.versions()
        keys = [(("context_summary", n, day), v) for n, v in versions.items()]
        found = dict(zip(versions, self._cache.get_many(keys), strict=True))
        stale = [n for n, value in found.items() if value is MISSING]
        if stale:
            computed = context_summaries(self.store, stale, as_of=day)
            self._cache.put_many(
                [(("context_summary", n, day), versions[n], computed[n]) for n in stale]
            )
            found.update(computed)
        return found

    def rehab_choices(self, athlete: str) -> list[dict[str, Any]]:
        """Exercises offered for one-click logging: the athlete's plan, else the catalogue."""
        self._version(athlete)
        return rehab_choices(self.store.rehab_plan(athlete))

    def add_checkin(self, athlete: str, **values: Any) -> WellnessDay:
        """Validate (as ``loadwatch wellness add`` does) and store one day's check-in.

        ``values``: day, sleep_h, sleep_quality, stress, soreness, fatigue, note.
        """
        from loadwatch.wellness import validate_checkin

        self.check_write(athlete)
        entry = validate_checkin(athlete=athlete, **values)
        self.writer.upsert_wellness([entry])
        return entry

    def log_rehab(self, athlete: str, exercise: str, *, day: date | None = None) -> RehabSession:
        """Validate (as ``loadwatch rehab log`` does) and store one session at the usual dose."""
        from loadwatch.rehab import validate_session

        self.check_write(athlete)
        session = validate_session(athlete=athlete, exercise=exercise, day=day)
        self.writer.add_rehab([session])
        return session

    def import_files(self, athlete: str, paths: Sequence[Any], **options: Any) -> ImportReport:
        """Import activity files, folders or archives for an athlete the scope may write,
        recorded under the acting user (``options``: those of
        :func:`loadwatch.importer.import_paths`)."""
        from loadwatch.importer import import_paths

        self.check_write(athlete)
        return import_paths(self.writer, paths, athlete=athlete, **options)

    # ------------------------------------------------------- the days ahead
    def upcoming(
        self, athlete: str, *, days: int = 7, as_of: date | None = None
    ) -> list[dict[str, Any]]:
        """The planned days of the ``days`` days from ``as_of`` (or the last recorded run):
        per day ``date``, ``planned_km``, ``notes``, ``severity`` (the worst alert the
        plans would raise that day, None when none), ``rule``, ``alert`` (the alert
        itself), ``ceiling_km`` (the longest run that day that keeps the binding rules
        quiet, the rest of the plan as it is) and ``ceiling`` (the ceiling itself)."""
        from datetime import timedelta

        history = self.history(athlete)
        on = default_check_date(history, as_of)
        until = on + timedelta(days=days - 1)
        by_day: dict[date, list[PlannedRun]] = {}
        for p in history.plans:
            if on <= p.date <= until:
                by_day.setdefault(p.date, []).append(p)
        if not by_day:
            return []
        alerts = [a for a in self.check(athlete, on=on).result.alerts if a.planned]
        out = []
        for day in sorted(by_day):
            mine = [a for a in alerts if a.date == day]
            worst = max(mine, key=lambda a: a.rank, default=None)
            ceiling = self.check(athlete, on=day).result.run_ceiling
            out.append(
                {
                    "date": day,
                    "planned_km": sum(p.distance_m for p in by_day[day]) / 1000.0,
                    "notes": [p.note for p in by_day[day] if p.note],
                    "severity": worst.severity if worst is not None else None,
                    "rule": worst.rule if worst is not None else None,
                    "alert": worst,
                    "ceiling_km": ceiling.km,
                    "ceiling": ceiling,
                }
            )
        return out

    # ---------------------------------------------------- calendars, notify
    def import_calendar(self, athlete: str, data: bytes, *, file_name: str) -> Any:
        """Plans from one ICS file, idempotent by event (see ``loadwatch plan import``)."""
        from loadwatch.plans.sync import import_calendar

        self.check_write(athlete)
        return import_calendar(self.writer, athlete, data, kind="file", location=file_name)

    def subscribe_calendar(self, athlete: str, url: str) -> Any:
        """Follow a calendar feed: read it now (see ``loadwatch plan subscribe``)."""
        from loadwatch.plans.sync import fetch_calendar, import_calendar

        self.check_write(athlete)
        text = (url or "").strip()
        if not text.lower().startswith(("https://", "http://", "webcal://")):
            raise ValidationError("a calendar address starts with https:// or webcal://")
        data = fetch_calendar(text)
        return import_calendar(self.writer, athlete, data, kind="url", location=text)

    def calendars(self, athlete: str) -> list[dict[str, Any]]:
        """The athlete's calendar files and feeds (feeds by host only) with their plan counts."""
        from loadwatch.plans.sync import describe_source

        self._version(athlete)
        counts: dict[int | None, int] = {}
        for p in self.store.calendar_plans(athlete):
            counts[p.source_id] = counts.get(p.source_id, 0) + 1
        return [
            {
                "kind": s.kind,
                "calendar": describe_source(s),
                "plans": counts.get(s.id, 0),
                "last_error": s.sync_error,
            }
            for s in self.store.calendar_sources(athlete)
        ]

    def send_test_notification(self, athlete: str) -> tuple[list[str], list[Any]]:
        """Send a test message to the athlete's configured targets (``[notify]`` in the
        config file), through the delivery code of ``loadwatch notify``.

        Returns the targets (described without secrets) and the failures; a
        :class:`ValidationError` when no target is configured.
        """
        from loadwatch.notify.config import read_notify_config
        from loadwatch.notify.deliver import deliver, describe_target

        self.check_write(athlete)
        urls = read_notify_config().urls_for(athlete)
        if not urls:
            raise ValidationError(
                f"no notification address is configured for {athlete}: add urls to the "
                "[notify] section of the config file (see the README)"
            )
        failures = deliver(
            urls,
            "loadwatch: test",
            f"A test message from loadwatch for {athlete}: warnings about planned runs "
            "will arrive here.",
        )
        return [describe_target(u) for u in urls], failures
