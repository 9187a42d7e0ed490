"""Every athlete's state as of a date in one pass: the coach table and ``status --all``.

The numbers are those of :func:`loadwatch.service.state.athlete_state` for
each athlete (a test compares the two field by field), computed from one
query for all runs, one for all pain scores, one vectorised metrics pass and
one run-spike pass. The alert rules are evaluated only where they can give
an alert of the state: the :data:`ACTIVE_DAYS` up to the as-of date. Those
days' metrics still come from each athlete's whole history (EWMAs start at
the first run), and the pain rule reads the days before the window its
rolling median and its spike link need.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from loadwatch import metrics
from loadwatch.alerts import SEVERITY_RANK, Alert, Thresholds
from loadwatch.alerts.many import pain_alerts_many
from loadwatch.alerts.rules import metric_alerts, sort_alerts, spike_alerts
from loadwatch.service.state import ACTIVE_DAYS, AthleteState, _num
from loadwatch.store import Store

ThresholdsOf = Callable[[str], Thresholds]


def _groups(names: np.ndarray) -> dict[str, slice]:
    """Positions of each name's block in an array sorted by name blocks."""
    if not len(names):
        return {}
    cuts = np.flatnonzero(np.r_[True, names[1:] != names[:-1], True])
    return {str(names[a]): slice(a, b) for a, b in itertools.pairwise(cuts)}


def _member(values: np.ndarray, members: set[str], names: Sequence[str]) -> np.ndarray:
    """Which of ``values`` are in ``members`` (hashing, not the quadratic np.isin on strings)."""
    if len(members) == len(names):
        return np.ones(len(values), dtype=bool)
    return pd.Series(values, dtype=object).isin(members).to_numpy(dtype=bool)


def _by_thresholds(names: Sequence[str], thresholds_of: ThresholdsOf) -> dict[Thresholds, set[str]]:
    """Athletes grouped by the thresholds in force for them (usually one group)."""
    out: dict[Thresholds, set[str]] = {}
    for name in names:
        out.setdefault(thresholds_of(name), set()).add(name)
    return out


def coach_states(
    store: Store,
    as_of: date,
    thresholds_of: ThresholdsOf,
    athletes: Sequence[str] | None = None,
) -> dict[str, AthleteState]:
    """The state of every athlete (or of ``athletes``) as of ``as_of``, unranked."""
    names = list(athletes) if athletes is not None else list(store.athlete_versions())
    one = names[0] if len(names) == 1 else None
    acts = store.running_table(one, until=as_of)
    pain = store.pain_table(one, until=as_of)
    if one is None:
        # only the athletes asked for (and none created since the list was read)
        wanted = set(names)
        acts = acts[_member(acts["athlete"].to_numpy(dtype=object), wanted, ())]
        pain = pain[_member(pain["athlete"].to_numpy(dtype=object), wanted, ())]
    wellness = [w for w in store.list_wellness(one) if w.athlete in set(names)]
    return states_from_frames(acts, pain, names, as_of, thresholds_of, wellness)


def states_from_frames(
    acts: pd.DataFrame,
    pain: pd.DataFrame,
    names: Sequence[str],
    as_of: date,
    thresholds_of: ThresholdsOf,
    wellness: Sequence[Any] = (),
) -> dict[str, AthleteState]:
    """:func:`coach_states` on frames already read (activities and pain up to ``as_of``)."""
    first = as_of - timedelta(days=ACTIVE_DAYS - 1)
    first_stamp = pd.Timestamp(first)
    groups = _by_thresholds(names, thresholds_of)
    values: dict[str, dict[str, Any]] = {n: {} for n in names}
    alerts: dict[str, list[Alert]] = {n: [] for n in names}

    # ---- daily metrics: the last day's numbers, the window's metric alerts
    daily = (
        metrics.all_athletes_daily_metrics(acts, end=as_of)
        if len(acts)
        else pd.DataFrame(columns=list(metrics.METRIC_COLUMNS))
    )
    if len(daily):
        who = daily.index.get_level_values("athlete").to_numpy(dtype=object)
        days = daily.index.get_level_values("date")
        last_rows = np.flatnonzero(np.r_[who[1:] != who[:-1], True])
        last = daily.iloc[last_rows]
        for name, row in zip(who[last_rows], last.itertuples(index=False), strict=True):
            values[str(name)].update(
                last_7d_km=_num(row.week_load),
                prev_7d_km=_num(row.prev_week_load),
                ramp_pct=_num(row.ramp_pct),
                acwr=_num(row.acwr),
                acwr_ewma=_num(row.acwr_ewma),
            )
        in_window = np.asarray(days >= first_stamp)
        for thresholds, members in groups.items():
            sel = in_window & _member(who, members, names)
            if sel.any():
                window = daily[sel].droplevel("athlete")
                for a in metric_alerts(window, thresholds, athlete=who[sel]):
                    alerts[a.athlete].append(a)

    # ---- run spikes: last run, latest spike above caution, the window's spike alerts
    spikes = metrics.run_spikes(acts) if len(acts) else None
    if spikes is not None and len(spikes):
        sp_who = spikes["athlete"].to_numpy(dtype=object)
        sp_day = spikes["local_date"].to_numpy()
        pct = spikes["spike_pct"].to_numpy(dtype=float)
        for name, where in _groups(sp_who).items():
            values[name]["last_run_date"] = pd.Timestamp(sp_day[where].max()).date()
        for thresholds, members in groups.items():
            mine = _member(sp_who, members, names)
            with np.errstate(invalid="ignore"):
                big = np.flatnonzero(mine & (pct > thresholds.spike_caution_pct))
            if len(big):
                latest = big[np.r_[sp_who[big][1:] != sp_who[big][:-1], True]]
                for i in latest:
                    values[str(sp_who[i])].update(
                        latest_spike_date=pd.Timestamp(sp_day[i]).date(),
                        latest_spike_pct=_num(pct[i]),
                    )
            sel = mine & (sp_day >= np.datetime64(first))
            if sel.any():
                window = spikes[sel]
                for a in spike_alerts(window, thresholds, athlete=sp_who[sel]):
                    alerts[a.athlete].append(a)

    # ---- pain: the latest score, the window's flares
    if len(pain):
        p_who = pain["athlete"].to_numpy(dtype=object)
        p_day = pain["date"].to_numpy()
        score = pain["score"].to_numpy(dtype=float)
        for name, where in _groups(p_who).items():
            day = p_day[where].max()
            values[name].update(
                latest_pain_date=pd.Timestamp(day).date(),
                latest_pain=int(score[where][p_day[where] == day].max()),
            )
        for thresholds, members in groups.items():
            reach = first - timedelta(days=thresholds.pain_median_days + 1)
            part = pain[_member(p_who, members, names) & (p_day >= np.datetime64(reach))]
            spike_part = None
            if spikes is not None and len(spikes):
                spike_reach = first - timedelta(days=thresholds.pain_after_spike_days + 1)
                spike_part = spikes[
                    _member(sp_who, members, names) & (sp_day >= np.datetime64(spike_reach))
                ]
            for a in pain_alerts_many(part, spike_part, thresholds, since=first):
                alerts[a.athlete].append(a)

    # ---- wellness context (information alerts), merged as all_alerts merges them
    context: dict[str, list[Alert]] = {}
    if wellness:
        from loadwatch.wellness import context_alerts

        by_athlete: dict[str, list[Any]] = {}
        for row in wellness:
            by_athlete.setdefault(row.athlete, []).append(row)
        for name, rows in by_athlete.items():
            found = context_alerts(rows, athlete=name, end=as_of)
            context[name] = [a for a in found if first <= a.date <= as_of]

    return {
        name: _state(name, as_of, values[name], alerts[name], context.get(name)) for name in names
    }


def _state(
    name: str,
    as_of: date,
    values: dict[str, Any],
    found: list[Alert],
    context: list[Alert] | None = None,
) -> AthleteState:
    """The state from its values and the window's alerts, ordered as :func:`athlete_state` does."""
    recent = sort_alerts(found)
    if context:
        recent = sorted([*recent, *context], key=lambda a: (a.date, -a.rank))
    serious = [a for a in recent if a.rank >= SEVERITY_RANK["caution"]]
    if serious:
        values["worst_alert"] = max(serious, key=lambda a: (a.rank, a.date))
    recent.sort(key=lambda a: (a.date, a.rank), reverse=True)
    return AthleteState(name, as_of, recent_alerts=recent, **values)
