"""Thin callbacks: read state -> ask :mod:`dashboards.data` -> build figures and fragments.

Each callback's body is a module-level function taking a
:class:`~dashboards.data.DashboardData` first, so tests call it directly;
:func:`register` wires them to component ids.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any, cast

import pandas as pd
import plotly.graph_objects as go
from dash import ALL, Dash, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboards import ids, layout
from dashboards.data import KM_TO_MI, DashboardData
from dashboards.figures import context_figure, empty_figure, timeline_figure, weekly_figure
from dashboards.upload import UploadArea
from loadwatch.errors import LoadwatchError

LOG = logging.getLogger("loadwatch.dashboard")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value[:10]) if value else None


def _km(value: float | None, unit: str) -> float | None:
    """A distance typed in the display unit, as km."""
    if value is None:
        return None
    return float(value) / KM_TO_MI if unit == "mi" else float(value)


def _failed(text: str, *, outputs: int = 1) -> tuple[Any, ...]:
    """A form's error message and class, leaving its other ``outputs`` (the version...) alone."""
    return (text, "lw-message error", *[no_update] * outputs)


def _saved(text: str, version: int | None, *more: Any) -> tuple[Any, ...]:
    """A form's success message and class, and the next data version (refreshes the views)."""
    return (text, "lw-message ok", (version or 0) + 1, *more)


# ------------------------------------------------------------------ athletes
def athlete_options(
    data: DashboardData, current: str | None
) -> tuple[list[dict[str, str]], str | None, list[dict[str, str]]]:
    """Dropdown options, the selected athlete, rename options.

    The current athlete is kept if it still exists; otherwise the view opens on
    the athlete who needs attention first (the coach table's first row).
    """
    names = data.athletes()
    options = [{"label": n, "value": n} for n in names]
    value = current if current in names else first_to_attend(data, names)
    return options, value, options


def first_to_attend(data: DashboardData, names: list[str]) -> str | None:
    """The first athlete of the coach ordering, else the first name (None without athletes)."""
    if not names:
        return None
    try:
        ordered = [r.get("athlete") for r in data.coach_rows()]
    except Exception as e:  # the ordering is a nicety: never let it break the page
        _log_failure("coach ordering", e)
        ordered = []
    return next((n for n in ordered if n in names), names[0])


def _log_failure(what: str, error: Exception) -> None:
    """Log a failure by type and place only: its message may name an athlete or a pain score."""
    frames = traceback.extract_tb(error.__traceback__) if error.__traceback__ else []
    ours = [f for f in frames if Path(f.filename).parent.name in ("dashboards", "service")] or [
        f for f in frames if "loadwatch" in Path(f.filename).parts
    ]
    where = (ours or frames)[-1:]
    place = f"{Path(where[0].filename).name}:{where[0].lineno}" if where else "?"
    LOG.error("%s failed: %s at %s (message withheld)", what, type(error).__name__, place)


def add_athlete(data: DashboardData, name: str | None, version: int) -> tuple[Any, ...]:
    try:
        added = data.add_athlete(name or "")
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved(f"Added {added}.", version)


def rename_athlete(
    data: DashboardData, old: str | None, new: str | None, version: int
) -> tuple[Any, ...]:
    if not old:
        return _failed("Choose the athlete to rename.", outputs=2)
    try:
        renamed = data.rename_athlete(old, new or "")
    except LoadwatchError as e:
        return _failed(str(e), outputs=2)
    return _saved(f"Renamed {old} to {renamed}.", version, renamed)


# ---------------------------------------------------------------- runner view
def runner_outputs(
    data: DashboardData,
    athlete: str | None,
    start: str | None,
    end: str | None,
    unit: str,
    measure: str,
) -> tuple[go.Figure, go.Figure, Any, Any]:
    """Weekly bars, the runs/ACWR/pain timeline, the alerts list and the status cards.

    When the view cannot be built, every output is cleared and the status
    area says so: nothing of the athlete shown before stays on screen.
    """
    if not athlete:
        blank = empty_figure("Add an athlete or import runs to begin")
        return blank, blank, layout.alerts_list(pd.DataFrame()), []
    try:
        view = data.runner(athlete, measure=measure, unit=unit, start=_day(start), end=_day(end))
        # a revisit of an unchanged view reuses its figures (building them is most of a switch)
        key = (athlete, start, end, unit, measure)
        known = data.runner_outputs.get(key)
        if known is not None and known[0] is view:
            return cast(tuple[go.Figure, go.Figure, Any, Any], known[1])
        outputs = _runner_view(data, view, athlete, start=_day(start), end=_day(end))
        data.runner_outputs[key] = (view, outputs)
        return outputs
    except LoadwatchError as e:
        return cleared_runner(str(e))
    except Exception as e:
        _log_failure("runner view", e)
        return cleared_runner(
            f"The view of {athlete} could not be built (the server log names the error)."
        )


def cleared_runner(message: str) -> tuple[go.Figure, go.Figure, Any, Any]:
    """Every runner output emptied, and ``message`` where the status cards were."""
    blank = empty_figure("Nothing to show")
    return blank, blank, [], html.Div(message, className="lw-message error")


def _runner_view(
    data: DashboardData, view: Any, athlete: str, *, start: date | None, end: date | None
) -> tuple[go.Figure, go.Figure, Any, Any]:
    """The four runner outputs of a built view. ``start``/``end``: the dates the user chose."""
    alerts = layout.alerts_list(view.alerts, citations=getattr(view, "citations", None))
    status = layout.status_cards(view.status)
    planned = view.planned if view.planned is not None else pd.DataFrame()
    if view.runs.empty and view.pain.empty and planned.empty:
        blank = empty_figure(
            f"No runs or pain scores for {athlete} in this period: drop files in Import runs"
        )
        return blank, blank, alerts, status
    weekly = data.figure(weekly_figure, view.weekly, unit=view.unit, start=start, end=end)
    timeline = data.figure(
        timeline_figure,
        view.daily,
        view.runs,
        view.pain,
        unit=view.distance_unit,
        planned=view.planned,
        start=start,
        end=end,
    )
    return weekly, timeline, alerts, status


# ---------------------------------------------------------------------- pain
def save_pain(
    data: DashboardData,
    athlete: str | None,
    day: str | None,
    score: Any,
    where: str,
    when: str,
    note: str | None,
    version: int,
) -> tuple[Any, ...]:
    """Store one pain score; the new version refreshes the charts."""
    if not athlete:
        return _failed("Choose an athlete first.")
    try:
        entry = data.add_pain(
            athlete, _day(day) or date.today(), score, location=where, timing=when, note=note
        )
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved(f"Saved pain {entry.score}/10 on {entry.date.isoformat()}.", version)


# ---------------------------------------------------------------------- plan
def check_plan(
    data: DashboardData,
    athlete: str | None,
    day: str | None,
    distance: float | None,
    week: float | None,
    unit: str,
    *,
    prefer_week: bool = False,
) -> Any:
    """What the planned run or week would trigger, with the safe ceiling.

    With both a run distance and a week total filled in, the one the user
    touched last counts (``prefer_week``).
    """
    if distance is not None and week is not None:
        distance, week = (None, week) if prefer_week else (distance, None)
    if not athlete or (distance is None and week is None):
        return html.Div(
            "Enter a date and a distance (or a week total) to check it.", className="lw-muted"
        )
    try:
        result = data.check_plan(
            athlete,
            _day(day) or date.today(),
            run_km=_km(distance, unit),
            week_km=_km(week, unit),
        )
    except LoadwatchError as e:
        return html.Div(str(e), className="lw-message error")
    factor = KM_TO_MI if unit == "mi" else 1.0
    return layout.plan_result(
        result.alerts,
        result.projected,
        unit=unit,
        run_ceiling=None if result.run_ceiling_km is None else result.run_ceiling_km * factor,
        run_rule=result.run_binding_rule,
        week_ceiling=None if result.week_ceiling_km is None else result.week_ceiling_km * factor,
        week_rule=result.week_binding_rule,
    )


def save_plan(
    data: DashboardData,
    athlete: str | None,
    day: str | None,
    distance: float | None,
    unit: str,
    version: int,
) -> tuple[Any, ...]:
    if not athlete or not day or distance is None:
        return _failed("Enter a date and a run distance to add it to the plan.")
    try:
        data.save_plan(athlete, _day(day), _km(distance, unit))  # type: ignore[arg-type]
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved(f"Planned {distance:g} {unit} on {day[:10]}.", version)


# ------------------------------------------------------- wellness and rehab
def context_output(
    data: DashboardData,
    athlete: str | None,
    start: str | None,
    end: str | None,
    x_range: Sequence[str] | None = None,
) -> go.Figure:
    """Sleep, resting HR, stress and rehab over the view's dates; ``x_range``: the
    timeline's own range, so both charts cover the same days."""
    if not athlete:
        return empty_figure("Choose an athlete")
    try:
        view = data.context(athlete, start=_day(start), end=_day(end))
    except LoadwatchError as e:
        return empty_figure(str(e))
    except Exception as e:
        _log_failure("context view", e)
        return empty_figure("The context could not be built (the server log names the error).")
    if view.empty:
        return empty_figure(
            f"No sleep, heart rate, stress or rehab for {athlete} in this period: "
            "log a check-in or import a Garmin export"
        )
    return data.figure(context_figure, view.wellness, view.rehab, x_range=x_range)


def save_checkin(
    data: DashboardData,
    athlete: str | None,
    day: str | None,
    sleep_h: Any,
    quality: Any,
    stress: Any,
    soreness: Any,
    fatigue: Any,
    note: str | None,
    version: int,
) -> tuple[Any, ...]:
    """Store one day's check-in, validated as ``loadwatch wellness add`` does."""
    if not athlete:
        return _failed("Choose an athlete first.")
    try:
        entry = data.add_checkin(
            athlete,
            day=_day(day),
            sleep_h=sleep_h,
            sleep_quality=quality,
            stress=stress,
            soreness=soreness,
            fatigue=fatigue,
            note=note,
        )
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved(f"Saved the check-in of {entry.date.isoformat()}.", version)


def rehab_choices(data: DashboardData, athlete: str | None) -> Any:
    """The one-click buttons: the athlete's plan, else the whole catalogue."""
    if not athlete:
        return html.Div("Choose an athlete first.", className="lw-muted")
    try:
        choices = data.rehab_choices(athlete)
    except LoadwatchError as e:
        return html.Div(str(e), className="lw-message error")
    return layout.rehab_buttons(choices, planned=any(c["per_week"] for c in choices))


def log_rehab(
    data: DashboardData,
    athlete: str | None,
    triggered: Any,
    clicks: int | None,
    day: str | None,
    version: int,
) -> tuple[Any, ...]:
    """Log the clicked exercise at its usual dose (``triggered``: the button's id)."""
    if not clicks or not isinstance(triggered, dict):
        raise PreventUpdate  # buttons drawn anew, not clicked
    if not athlete:
        return _failed("Choose an athlete first.")
    try:
        session = data.log_rehab(athlete, str(triggered.get("index")), day=_day(day))
    except LoadwatchError as e:
        return _failed(str(e))
    amount = f"{session.seconds} s" if session.seconds else f"{session.reps}"
    side = f", {session.side}" if session.side else ""
    return _saved(
        f"Logged {session.exercise} {session.sets} x {amount}{side} on {session.date.isoformat()}.",
        version,
    )


# ------------------------------------------------- the days ahead, calendars
def upcoming(data: DashboardData, athlete: str | None, unit: str) -> Any:
    """The planned days ahead with their projected status and each day's ceiling."""
    if not athlete:
        return html.Div("Choose an athlete first.", className="lw-muted")
    try:
        rows = data.upcoming_rows(athlete, unit=unit)
    except LoadwatchError as e:
        return html.Div(str(e), className="lw-message error")
    except Exception as e:
        _log_failure("upcoming", e)
        return html.Div(
            "The days ahead could not be checked (the server log names the error).",
            className="lw-message error",
        )
    return layout.upcoming_list(rows, unit=unit)


def calendars(data: DashboardData, athlete: str | None) -> Any:
    if not athlete:
        return ""
    try:
        return layout.calendar_list(data.calendars(athlete))
    except LoadwatchError:
        return ""


def _calendar_text(report: Any) -> str:
    text = (
        f"{len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged, "
        f"{len(report.skipped)} skipped"
    )
    reasons = [f"{s.summary or '(no title)'}: {s.reason}" for s in report.skipped[:5]]
    return text + (" (" + "; ".join(reasons) + ")" if reasons else "") + "."


def import_ics(
    data: DashboardData,
    athlete: str | None,
    contents: str | None,
    file_name: str | None,
    version: int,
) -> tuple[Any, ...]:
    """Plans from an uploaded ICS file (``contents``: the upload's data URL)."""
    import base64
    import binascii

    if not contents:
        raise PreventUpdate
    if not athlete:
        return _failed("Choose an athlete first.")
    name = Path(file_name or "calendar.ics").name
    try:
        raw = base64.b64decode(contents.split(",", 1)[-1], validate=True)
    except (binascii.Error, ValueError):
        return _failed(f"{name} could not be read.")
    try:
        report = data.import_calendar(athlete, raw, file_name=name)
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved(f"Calendar {name}: " + _calendar_text(report), version)


def subscribe_calendar(
    data: DashboardData, athlete: str | None, url: str | None, version: int
) -> tuple[Any, ...]:
    """Follow a calendar feed; the message names the feed by its host only."""
    if not athlete:
        return _failed("Choose an athlete first.")
    if not url or not url.strip():
        return _failed("Enter the calendar's address (https:// or webcal://).")
    try:
        report = data.subscribe_calendar(athlete, url)
    except LoadwatchError as e:
        return _failed(str(e))
    return _saved("Subscribed: " + _calendar_text(report), version)


def test_notification(data: DashboardData, athlete: str | None) -> tuple[str, str]:
    """Send a test message to the athlete's configured targets; say where it went."""
    if not athlete:
        return "Choose an athlete first.", "lw-message error"
    try:
        targets, failures = data.send_test_notification(athlete)
    except LoadwatchError as e:
        return str(e), "lw-message error"
    if failures:
        lines = "; ".join(f"{f.target}: {f.reason}" for f in failures)
        ok = len(targets) - len(failures)
        return f"Sent to {ok} of {len(targets)} target(s). Failed: {lines}", "lw-message error"
    return f"Test message sent to {', '.join(targets)}.", "lw-message ok"


# --------------------------------------------------------------------- coach
def coach_rows(data: DashboardData, tab: str | None) -> tuple[list[dict[str, Any]], str, Any]:
    """The coach table's rows, the as-of line above it, and the same rows as cards (phones)."""
    if tab != ids.TAB_COACH:
        raise PreventUpdate  # computed when the coach opens the tab, not on every change

    def build() -> tuple[list[dict[str, Any]], str, Any]:
        rows = layout.coach_table_rows(data.coach_rows())
        return rows, layout.coach_as_of(rows), layout.as_json(layout.coach_cards(rows))

    # built once per revision of the athletes shown: a revisit only sends it again
    return data.built_for_versions("coach view", build)


def open_athlete(cell: dict[str, Any] | None) -> tuple[str, str]:
    """A click on a coach-table row opens that athlete's runner view."""
    athlete = (cell or {}).get("rowId")
    if not athlete:
        raise PreventUpdate
    return athlete, ids.TAB_RUNNER


def open_card(triggered: Any, clicks: int | None) -> tuple[str, str]:
    """A click on a coach card opens that athlete's runner view.

    ``triggered``: the id of the card that fired, ``clicks``: its click count
    (0 or None when the cards were just drawn, which opens nothing).
    """
    if not isinstance(triggered, dict) or not clicks:
        raise PreventUpdate
    return str(triggered["index"]), ids.TAB_RUNNER


# -------------------------------------------------------------------- import
class _DashProgress:
    """Importer progress -> the page's progress bar, at most a few updates a second."""

    def __init__(self, set_progress: Any) -> None:
        self.set_progress = set_progress
        self.total = 0
        self.done = 0
        self._last = 0.0

    def start(self, total: int) -> None:
        self.total = total
        self.set_progress(("0", str(max(total, 1))))

    def advance(self, name: str, outcome: str) -> None:
        self.done += 1
        now = time.monotonic()
        if now - self._last > 0.25 or self.done == self.total:
            self._last = now
            self.set_progress((str(self.done), str(max(self.total, 1))))

    def finish(self) -> None:
        self.set_progress((str(self.total), str(max(self.total, 1))))


def run_import(
    store_url: str,
    area: UploadArea,
    set_progress: Any,
    upload: dict[str, Any] | None,
    athlete: str | None,
    version: int,
) -> tuple[Any, Any]:
    """Import an uploaded batch with the CLI's importer (runs in a background process)."""
    if not upload or not upload.get("token"):
        raise PreventUpdate
    token = str(upload["token"])
    if not athlete:
        area.discard(token)
        return html.Div(
            "Choose an athlete before importing.", className="lw-message error"
        ), no_update
    from dashboards.auth import owner_scope
    from loadwatch.importer import Progress
    from loadwatch.service import Service
    from loadwatch.store import Store

    progress = _DashProgress(set_progress)

    class _Bridge(Progress):
        def start(self, total: int) -> None:
            progress.start(total)

        def advance(self, name: str, outcome: str) -> None:
            progress.advance(name, outcome)

        def finish(self) -> None:
            progress.finish()

    store = Store(store_url)  # a fresh engine: this runs in a child process
    try:
        # the user who sent the files: they must be allowed to write the athlete (the
        # page's athlete is the browser's word), and the import is recorded as theirs
        scope = owner_scope(store, area, token)
        if scope is None:
            return html.Div(
                "Sign in and drop the files again.", className="lw-message error"
            ), no_update
        service = Service(store, scope=scope)
        service.check_write(athlete)
        files = area.files(token)
        if not files:
            return html.Div("The upload arrived empty.", className="lw-message error"), no_update
        report = service.import_files(athlete, files, progress=_Bridge()).as_json()
    except LoadwatchError as e:
        return html.Div(f"Import failed: {e}", className="lw-message error"), no_update
    finally:
        store.close()
        folder = str(area.folder(token))
        area.discard(token)
    for entry in (*report["errors"], *report["skipped"]):
        entry["path"] = _upload_name(str(entry.get("path", "")), folder)
    return layout.import_summary(report), (version or 0) + 1


def _upload_name(path: str, folder: str) -> str:
    """The name the user dropped, not the server's temporary path."""
    return path[len(folder) :].lstrip("/\\") if path.startswith(folder) else Path(path).name


# ------------------------------------------------------------------ wiring
def register(
    app: Dash,
    data: DashboardData,
    area: UploadArea,
    *,
    background: Any,
    scoped: Callable[[], DashboardData] | None = None,
) -> None:
    """Attach every callback to ``app``.

    ``scoped()``: ``data`` as the user of the current request may see it (their
    :class:`~loadwatch.service.access.Scope`); every callback reads and writes
    through it. Without it, ``data`` itself (the local single user).
    """
    version = Input(ids.DATA_VERSION, "data")
    view = scoped or (lambda: data)

    def on_submit(
        button: str,
        message: str,
        body: Callable[..., tuple[Any, ...]],
        *states: State,
        again: bool = False,
        more: Sequence[Output] = (),
    ) -> None:
        """A form that writes: a click on ``button`` calls ``body(data, *states, version)``
        (``data`` seen through the request's scope).

        ``body`` answers the message (text, class) shown in ``message``, the
        next data version (which refreshes the views) and any ``more`` outputs.
        ``again``: ``message`` is also an output of another form.
        """
        dup = {"allow_duplicate": True} if again else {}

        @app.callback(
            Output(message, "children", **dup),
            Output(message, "className", **dup),
            Output(ids.DATA_VERSION, "data", allow_duplicate=True),
            *more,
            Input(button, "n_clicks"),
            *states,
            State(ids.DATA_VERSION, "data"),
            prevent_initial_call=True,
        )
        def _submit(_n: int, *values: Any) -> Any:
            return body(view(), *values)

    @app.callback(
        Output(ids.ATHLETE_DROPDOWN, "options"),
        Output(ids.ATHLETE_DROPDOWN, "value"),
        Output(ids.RENAME_FROM, "options"),
        version,
        State(ids.ATHLETE_DROPDOWN, "value"),
    )
    def _athletes(_version: int, current: str | None) -> Any:
        return athlete_options(view(), current)

    @app.callback(Output(ids.SELECTED_ATHLETE, "data"), Input(ids.ATHLETE_DROPDOWN, "value"))
    def _select(value: str | None) -> str | None:
        return value

    @app.callback(
        Output(ids.WEEKLY_GRAPH, "figure"),
        Output(ids.TIMELINE_GRAPH, "figure"),
        Output(ids.ALERTS_LIST, "children"),
        Output(ids.STATUS, "children"),
        Output(ids.CONTEXT_GRAPH, "figure"),
        Input(ids.SELECTED_ATHLETE, "data"),
        Input(ids.DATE_RANGE, "start_date"),
        Input(ids.DATE_RANGE, "end_date"),
        Input(ids.UNIT, "value"),
        Input(ids.MEASURE, "value"),
        version,
    )
    def _runner(
        athlete: str | None,
        start: str | None,
        end: str | None,
        unit: str,
        measure: str,
        _version: int,
    ) -> Any:
        mine = view()
        with mine.one_read():
            return _runner_and_context(mine, athlete, start, end, unit, measure)

    def _runner_and_context(
        mine: DashboardData,
        athlete: str | None,
        start: str | None,
        end: str | None,
        unit: str,
        measure: str,
    ) -> Any:
        weekly, timeline, alerts, status = runner_outputs(mine, athlete, start, end, unit, measure)
        x_range = timeline.layout.xaxis.range
        context = context_output(mine, athlete, start, end, x_range)
        return weekly, timeline, alerts, status, context

    @app.callback(
        Output(ids.UPCOMING, "children"),
        Output(ids.REHAB_BUTTONS, "children"),
        Output(ids.CALENDAR_LIST, "children"),
        Input(ids.SELECTED_ATHLETE, "data"),
        Input(ids.UNIT, "value"),
        version,
    )
    def _side(athlete: str | None, unit: str, _version: int) -> Any:
        mine = view()
        with mine.one_read():
            return (
                upcoming(mine, athlete, unit),
                rehab_choices(mine, athlete),
                calendars(mine, athlete),
            )

    on_submit(
        ids.CHECKIN_SUBMIT,
        ids.CHECKIN_MESSAGE,
        save_checkin,
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.CHECKIN_DATE, "date"),
        State(ids.CHECKIN_SLEEP, "value"),
        State(ids.CHECKIN_QUALITY, "value"),
        State(ids.CHECKIN_STRESS, "value"),
        State(ids.CHECKIN_SORENESS, "value"),
        State(ids.CHECKIN_FATIGUE, "value"),
        State(ids.CHECKIN_NOTE, "value"),
    )
    on_submit(
        ids.CALENDAR_SUBSCRIBE,
        ids.CALENDAR_MESSAGE,
        subscribe_calendar,
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.CALENDAR_URL, "value"),
    )

    @app.callback(
        Output(ids.CALENDAR_MESSAGE, "children", allow_duplicate=True),
        Output(ids.CALENDAR_MESSAGE, "className", allow_duplicate=True),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input(ids.ICS_UPLOAD, "contents"),
        State(ids.ICS_UPLOAD, "filename"),
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def _ics(contents: str | None, name: str | None, athlete: str | None, v: int) -> Any:
        return import_ics(view(), athlete, contents, name, v)

    @app.callback(
        Output(ids.REHAB_MESSAGE, "children"),
        Output(ids.REHAB_MESSAGE, "className"),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Input({"type": ids.REHAB_LOG, "index": ALL}, "n_clicks"),
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.REHAB_DATE, "date"),
        State(ids.DATA_VERSION, "data"),
        prevent_initial_call=True,
    )
    def _rehab(clicks: list[int | None], athlete: str | None, day: str | None, v: int) -> Any:
        fired = ctx.triggered[0]["value"] if ctx.triggered else None
        return log_rehab(view(), athlete, ctx.triggered_id, fired, day, v)

    @app.callback(
        Output(ids.NOTIFY_MESSAGE, "children"),
        Output(ids.NOTIFY_MESSAGE, "className"),
        Input(ids.NOTIFY_TEST, "n_clicks"),
        State(ids.SELECTED_ATHLETE, "data"),
        prevent_initial_call=True,
    )
    def _notify(_n: int, athlete: str | None) -> Any:
        return test_notification(view(), athlete)

    on_submit(
        ids.PAIN_SUBMIT,
        ids.PAIN_MESSAGE,
        save_pain,
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.PAIN_DATE, "date"),
        State(ids.PAIN_SCORE, "value"),
        State(ids.PAIN_WHERE, "value"),
        State(ids.PAIN_WHEN, "value"),
        State(ids.PAIN_NOTE, "value"),
    )
    on_submit(
        ids.PLAN_SAVE,
        ids.PLAN_MESSAGE,
        save_plan,
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.PLAN_DATE, "date"),
        State(ids.PLAN_DISTANCE, "value"),
        State(ids.UNIT, "value"),
    )
    on_submit(
        ids.ADD_ATHLETE, ids.ATHLETE_MESSAGE, add_athlete, State(ids.NEW_ATHLETE_NAME, "value")
    )
    on_submit(
        ids.RENAME_ATHLETE,
        ids.ATHLETE_MESSAGE,
        rename_athlete,
        State(ids.RENAME_FROM, "value"),
        State(ids.RENAME_TO, "value"),
        again=True,
        more=[Output(ids.ATHLETE_DROPDOWN, "value", allow_duplicate=True)],
    )

    @app.callback(
        Output(ids.PLAN_RESULT, "children"),
        Input(ids.PLAN_CHECK, "n_clicks"),
        Input(ids.PLAN_DATE, "date"),
        Input(ids.PLAN_DISTANCE, "value"),
        Input(ids.PLAN_WEEK, "value"),
        Input(ids.SELECTED_ATHLETE, "data"),
        State(ids.UNIT, "value"),
        version,
    )
    def _plan(
        _n: int,
        day: str | None,
        distance: float | None,
        week: float | None,
        athlete: str | None,
        unit: str,
        _version: int,
    ) -> Any:
        prefer_week = ctx.triggered_id == ids.PLAN_WEEK
        return check_plan(view(), athlete, day, distance, week, unit, prefer_week=prefer_week)

    @app.callback(
        Output(ids.COACH_GRID, "rowData"),
        Output(ids.COACH_AS_OF, "children"),
        Output(ids.COACH_CARDS, "children"),
        Input(ids.TABS, "value"),
        version,
    )
    def _coach(tab: str, _version: int) -> Any:
        mine = view()
        with mine.one_read():
            return coach_rows(mine, tab)

    @app.callback(
        Output(ids.ATHLETE_DROPDOWN, "value", allow_duplicate=True),
        Output(ids.TABS, "value", allow_duplicate=True),
        Input({"type": ids.COACH_CARD, "index": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def _open_card(_clicks: list[int | None]) -> Any:
        fired = ctx.triggered[0]["value"] if ctx.triggered else None
        return open_card(ctx.triggered_id, fired)

    @app.callback(
        Output(ids.ATHLETE_DROPDOWN, "value", allow_duplicate=True),
        Output(ids.TABS, "value"),
        Input(ids.COACH_GRID, "cellClicked"),
        prevent_initial_call=True,
    )
    def _open(cell: dict[str, Any] | None) -> Any:
        return open_athlete(cell)

    register_import(app, data.store_url, area, background=background)


def register_import(app: Dash, store_url: str, area: UploadArea, *, background: Any) -> None:
    """Attach the background import callback to ``app``.

    The dashboard calls it from :func:`register`; a Celery worker
    (``loadwatch worker``) calls it alone, which registers the same callback
    (same id, same code) as the task the dashboard sends: the job's arguments
    are the upload's token, the athlete and a counter, never the file's bytes.
    """

    @app.callback(
        Output(ids.IMPORT_SUMMARY, "children"),
        Output(ids.DATA_VERSION, "data", allow_duplicate=True),
        Output(ids.UPLOAD_PROGRESS, "children"),
        Input(ids.UPLOAD_DONE, "data"),
        State(ids.SELECTED_ATHLETE, "data"),
        State(ids.DATA_VERSION, "data"),
        background=True,
        manager=background,
        progress=[Output(ids.IMPORT_PROGRESS, "value"), Output(ids.IMPORT_PROGRESS, "max")],
        running=[
            (
                Output(ids.IMPORT_PROGRESS, "style"),
                {"visibility": "visible"},
                {"visibility": "hidden"},
            ),
        ],
        prevent_initial_call=True,
    )
    def _import(
        set_progress: Any, upload: dict[str, Any] | None, athlete: str | None, current: int
    ) -> Any:
        summary, new_version = run_import(store_url, area, set_progress, upload, athlete, current)
        return summary, new_version, ""  # the summary replaces "uploaded; importing..."
