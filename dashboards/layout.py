"""Layout builders: plain Dash components, no data.

The layout holds no athlete data at all: it is a function (Dash calls it on
every page load) that lays out empty controls; callbacks fill them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboards import ids
from loadwatch.model import KM_PER_MILE
from loadwatch.service.tables import MEASURES
from loadwatch.store import PAIN_LOCATIONS, PAIN_TIMINGS

MEASURE_LABELS = {
    "distance": "distance",
    "duration": "moving time",
    "trimp": "TRIMP (heart rate)",
    "srpe": "session RPE",
}
RULE_WORDS = {
    "spike": "single-run spike",
    "ramp": "7-day distance ramp",
    "acwr": "acute:chronic ratio high",
    "acwr_ewma": "acute:chronic ratio (EWMA) high",
    "acwr_low": "load well below your usual",
    "monotony": "monotonous week",
    "pain_flare": "pain flare",
}
DISCLAIMER = (
    "loadwatch shows training load next to the studies that link it with injury risk. "
    "It is information with its evidence, not medical advice or a diagnosis."
)


def _label(text: str, control: Component, *, class_name: str = "lw-control") -> html.Div:
    return html.Div([html.Label(text), control], className=class_name)


def _field(text: str, control: Component) -> html.Div:
    return _label(text, control, class_name="lw-field")


def _inline(*children: Component) -> html.Div:
    """Form fields and buttons side by side."""
    return html.Div(list(children), className="lw-inline")


def _panel(children: Any, **kwargs: Any) -> html.Div:
    return html.Div(children, className="lw-panel", **kwargs)


def _text_input(id: str) -> dcc.Input:
    return dcc.Input(id=id, type="text", className="lw-input")


def _number_input(id: str, **limits: Any) -> dcc.Input:
    """A number box from 0 (``limits``: max, step, debounce...)."""
    return dcc.Input(id=id, type="number", min=0, className="lw-input", **limits)


def _choice(id: str, values: tuple[str, ...], value: str) -> dcc.Dropdown:
    return dcc.Dropdown(id=id, options=_options(values), value=value, clearable=False)


def _date(id: str) -> dcc.DatePickerSingle:
    return dcc.DatePickerSingle(id=id, display_format="YYYY-MM-DD")


def _options(values: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"label": v.replace("_", " "), "value": v} for v in values]


def runner_controls() -> html.Div:
    return html.Div(
        [
            _label(
                "Athlete",
                dcc.Dropdown(id=ids.ATHLETE_DROPDOWN, clearable=False, placeholder="no athletes"),
                class_name="lw-control lw-athlete",
            ),
            _label(
                "Dates",
                dcc.DatePickerRange(id=ids.DATE_RANGE, display_format="YYYY-MM-DD", clearable=True),
                class_name="lw-control lw-dates",
            ),
            _label(
                "Units",
                dcc.RadioItems(
                    id=ids.UNIT,
                    options=[{"label": " km", "value": "km"}, {"label": " miles", "value": "mi"}],
                    value="km",
                    inline=True,
                    inputStyle={"marginLeft": "8px"},
                ),
            ),
            _label(
                "Load measure",
                dcc.Dropdown(
                    id=ids.MEASURE,
                    options=[{"label": MEASURE_LABELS[m], "value": m} for m in MEASURES],
                    value="distance",
                    clearable=False,
                ),
            ),
        ],
        className="lw-panel lw-controls",
    )


def pain_form() -> html.Div:
    return _panel(
        [
            html.H2("Log back pain"),
            _inline(
                _field("Date", _date(ids.PAIN_DATE)),
                _field("Score 0–10", _number_input(ids.PAIN_SCORE, max=10, step=1)),
            ),
            _inline(
                _field("Where", _choice(ids.PAIN_WHERE, PAIN_LOCATIONS, "lower_back")),
                _field("When", _choice(ids.PAIN_WHEN, PAIN_TIMINGS, "not_running")),
            ),
            _field("Note", _text_input(ids.PAIN_NOTE)),
            html.Button("Save pain score", id=ids.PAIN_SUBMIT, className="lw-button"),
            html.Div(id=ids.PAIN_MESSAGE, className="lw-message"),
        ]
    )


def plan_form() -> html.Div:
    return _panel(
        [
            html.H2("Plan ahead"),
            _field("Date", _date(ids.PLAN_DATE)),
            _inline(
                _field("Run distance", _number_input(ids.PLAN_DISTANCE, step=0.1, debounce=True)),
                _field("or week total", _number_input(ids.PLAN_WEEK, step=0.1, debounce=True)),
            ),
            _inline(
                html.Button("Check", id=ids.PLAN_CHECK, className="lw-button"),
                html.Button("Add run to plan", id=ids.PLAN_SAVE, className="lw-button secondary"),
            ),
            dcc.Loading(html.Div(id=ids.PLAN_RESULT, className="lw-message"), type="dot"),
            html.Div(id=ids.PLAN_MESSAGE, className="lw-message"),
            html.H3("From a calendar"),
            dcc.Upload(
                html.Div(["Drop an .ics file here or ", html.A("choose one")]),
                id=ids.ICS_UPLOAD,
                className="lw-drop lw-drop-small",
                accept=".ics,.ical,.icalendar,text/calendar",
                max_size=5 * 1024 * 1024,
                multiple=False,
            ),
            _inline(
                _field("or follow a calendar feed (https:// or webcal://)", _url_input()),
                html.Button("Subscribe", id=ids.CALENDAR_SUBSCRIBE, className="lw-button"),
            ),
            dcc.Loading(html.Div(id=ids.CALENDAR_MESSAGE, className="lw-message"), type="dot"),
            html.Div(id=ids.CALENDAR_LIST, className="lw-muted"),
            html.H3("Notifications"),
            html.Button(
                "Send a test notification", id=ids.NOTIFY_TEST, className="lw-button secondary"
            ),
            dcc.Loading(html.Div(id=ids.NOTIFY_MESSAGE, className="lw-message"), type="dot"),
        ]
    )


def _url_input() -> dcc.Input:
    # type=url lets phones show the right keyboard; the address stays in the page only
    return dcc.Input(
        id=ids.CALENDAR_URL,
        type="url",
        className="lw-input",
        placeholder="https://…/plan.ics",
        autoComplete="off",
    )


def upcoming_panel() -> html.Div:
    return html.Div(
        [html.H2("Upcoming"), html.Div(id=ids.UPCOMING)], className="lw-panel lw-upcoming"
    )


def _rating_input(id: str) -> dcc.Input:
    """A number box without browser limits: a value out of range reaches the server,
    which refuses it with the same message as the CLI (a browser limit would blank it)."""
    return dcc.Input(id=id, type="number", step="any", className="lw-input")


def checkin_form() -> html.Div:
    return _panel(
        [
            html.H2("Daily check-in"),
            _field("Date", _date(ids.CHECKIN_DATE)),
            _inline(
                _field("Sleep hours", _rating_input(ids.CHECKIN_SLEEP)),
                _field("Sleep quality 1–5", _rating_input(ids.CHECKIN_QUALITY)),
            ),
            _inline(
                _field("Stress 0–10", _rating_input(ids.CHECKIN_STRESS)),
                _field("Soreness 0–10", _rating_input(ids.CHECKIN_SORENESS)),
                _field("Fatigue 0–10", _rating_input(ids.CHECKIN_FATIGUE)),
            ),
            _field("Note", _text_input(ids.CHECKIN_NOTE)),
            html.Button("Save check-in", id=ids.CHECKIN_SUBMIT, className="lw-button"),
            html.Div(id=ids.CHECKIN_MESSAGE, className="lw-message"),
        ]
    )


def rehab_panel() -> html.Div:
    return _panel(
        [
            html.H2("Rehab"),
            html.Div(
                "One click logs the exercise at its usual dose.",
                className="lw-muted",
            ),
            _field("Date", _date(ids.REHAB_DATE)),
            html.Div(id=ids.REHAB_BUTTONS, className="lw-rehab-buttons"),
            html.Div(id=ids.REHAB_MESSAGE, className="lw-message"),
        ]
    )


def import_panel(upload_url: str) -> html.Div:
    return _panel(
        [
            html.H2("Import runs"),
            html.Div(
                [
                    html.Div("Drop .fit .gpx .tcx .gz or .zip files here"),
                    html.Div("(a whole Garmin or Strava export works)", className="lw-muted"),
                ],
                id=ids.UPLOAD_ZONE,
                className="lw-drop",
                **{"data-upload-url": upload_url},  # type: ignore[arg-type]
            ),
            html.Div(id=ids.UPLOAD_PROGRESS, className="lw-message"),
            html.Progress(
                id=ids.IMPORT_PROGRESS,
                value="0",
                max="100",
                className="lw-progress",
                style={"visibility": "hidden"},
            ),
            html.Div(id=ids.IMPORT_SUMMARY, className="lw-message"),
            dcc.Store(id=ids.UPLOAD_DONE),
        ]
    )


def runner_view(upload_url: str) -> html.Div:
    return html.Div(
        [
            runner_controls(),
            html.Div(id=ids.STATUS, className="lw-status"),
            html.Div(
                [
                    html.Div(
                        [
                            _panel(dcc.Graph(id=ids.WEEKLY_GRAPH, config={"displaylogo": False})),
                            _panel(dcc.Graph(id=ids.TIMELINE_GRAPH, config={"displaylogo": False})),
                            _panel(
                                [
                                    html.H2("Sleep, heart rate, stress and rehab"),
                                    dcc.Graph(id=ids.CONTEXT_GRAPH, config={"displaylogo": False}),
                                ]
                            ),
                            _panel([html.H2("Alerts"), html.Div(id=ids.ALERTS_LIST)]),
                        ],
                        className="lw-grow",
                    ),
                    html.Div(
                        [
                            upcoming_panel(),
                            plan_form(),
                            checkin_form(),
                            rehab_panel(),
                            pain_form(),
                            import_panel(upload_url),
                        ],
                        className="lw-side",
                    ),
                ],
                className="lw-row",
            ),
        ]
    )


#: The coach table's columns, sized to fit a 1400 px screen without scrolling sideways.
COACH_COLUMNS: list[dict[str, Any]] = [
    {"field": "athlete", "headerName": "Athlete", "pinned": "left", "width": 140},
    {"field": "alert", "headerName": "Worst alert (28 days)", "width": 100},
    {"field": "alert_date", "headerName": "Alert on", "width": 105},
    {
        "field": "reason",
        "headerName": "Why",
        "flex": 1,
        "minWidth": 200,
        "wrapText": True,
        "autoHeight": True,
        "cellStyle": {"lineHeight": "1.35", "paddingTop": "6px", "paddingBottom": "6px"},
    },
    {"field": "latest_pain", "headerName": "Latest pain /10", "width": 80, "type": "numericColumn"},
    {"field": "last_7d", "headerName": "Last 7 days km", "width": 85, "type": "numericColumn"},
    {"field": "ramp_pct", "headerName": "Ramp %", "width": 75, "type": "numericColumn"},
    {"field": "acwr", "headerName": "ACWR", "width": 75, "type": "numericColumn"},
    {"field": "acwr_ewma", "headerName": "ACWR EWMA", "width": 80, "type": "numericColumn"},
    {
        "field": "latest_spike_pct",
        "headerName": "Latest spike %",
        "width": 85,
        "type": "numericColumn",
    },
    {"field": "last_run", "headerName": "Last run", "width": 105},
    # short numbers that may wrap onto a second line ("7.5" over "(+1.0)")
    {
        "field": "sleep",
        "headerName": "Sleep 7 days h (vs usual)",
        "width": 90,
        "wrapText": True,
        "autoHeight": True,
        "cellStyle": {"lineHeight": "1.35", "paddingTop": "6px", "paddingBottom": "6px"},
    },
    {
        "field": "rehab",
        "headerName": "Rehab % of plan (4 weeks)",
        "width": 80,
        "wrapText": True,
        "autoHeight": True,
        "cellStyle": {"lineHeight": "1.35", "paddingTop": "6px", "paddingBottom": "6px"},
    },
]


def coach_view() -> html.Div:
    import dash_ag_grid as dag

    return html.Div(
        [
            _panel(
                [
                    html.H2("All athletes, who needs attention first"),
                    html.Div(id=ids.COACH_AS_OF, className="lw-as-of"),
                    html.Div("Click an athlete to open their runner view.", className="lw-muted"),
                    html.Div(
                        dag.AgGrid(
                            id=ids.COACH_GRID,
                            columnDefs=COACH_COLUMNS,
                            rowData=[],
                            defaultColDef={
                                "sortable": True,
                                "resizable": True,
                                "wrapHeaderText": True,
                                "autoHeaderHeight": True,
                            },
                            dashGridOptions={"animateRows": False, "domLayout": "autoHeight"},
                            getRowId="params.data.athlete",
                            style={"width": "100%"},
                        ),
                        className="lw-coach-grid",
                    ),
                    # the same rows as a list of cards, shown instead of the grid on phones
                    html.Div(id=ids.COACH_CARDS, className="lw-coach-cards"),
                ]
            ),
            _panel(
                [
                    html.H2("Athletes"),
                    _inline(
                        _field("New athlete", _text_input(ids.NEW_ATHLETE_NAME)),
                        html.Button("Add", id=ids.ADD_ATHLETE, className="lw-button"),
                    ),
                    _inline(
                        _field("Rename", dcc.Dropdown(id=ids.RENAME_FROM, placeholder="athlete")),
                        _field("to", _text_input(ids.RENAME_TO)),
                        html.Button("Rename", id=ids.RENAME_ATHLETE, className="lw-button"),
                    ),
                    html.Div(id=ids.ATHLETE_MESSAGE, className="lw-message"),
                ],
                style={"maxWidth": "720px"},
            ),
        ]
    )


def page(upload_url: str) -> html.Div:
    """The whole page: header, the two views as tabs, and the page state."""
    return html.Div(
        [
            html.Div(
                [
                    html.H1("loadwatch"),
                    html.Span("training load next to back pain", className="lw-tagline"),
                ],
                className="lw-header",
            ),
            html.Div(
                [
                    dcc.Tabs(
                        id=ids.TABS,
                        value=ids.TAB_RUNNER,
                        className="lw-tabs",
                        mobile_breakpoint=0,  # tabs side by side on phones too
                        children=[
                            dcc.Tab(
                                label="Runner",
                                value=ids.TAB_RUNNER,
                                children=runner_view(upload_url),
                            ),
                            dcc.Tab(label="Coach", value=ids.TAB_COACH, children=coach_view()),
                        ],
                    ),
                    html.Div(DISCLAIMER, className="lw-disclaimer"),
                ],
                className="lw-main",
            ),
            dcc.Store(id=ids.SELECTED_ATHLETE, storage_type="memory"),
            dcc.Store(id=ids.DATA_VERSION, data=0, storage_type="memory"),
        ]
    )


# ---------------------------------------------------------------- fragments
# Small pieces of the page filled by callbacks; pure functions of plain values.


def _fmt(value: float | None, spec: str, suffix: str = "", missing: str = "–") -> str:
    return missing if value is None else f"{value:{spec}}{suffix}"


def ago(day: date, today: date) -> str:
    """How long before ``today`` ``day`` was, in words ("today", "3 days ago", "2 years ago")."""
    days = (today - day).days
    if days < 0:
        return "in the future"
    if days == 0:
        return "today"
    if days == 1:
        return "yesterday"
    if days < 60:
        return f"{days} days ago"
    if days < 730:
        return f"{round(days / 30.44)} months ago"
    return f"{days // 365} years ago"


def _as_date(value: Any) -> date | None:
    if value is None or (not isinstance(value, str | date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def status_cards(status: dict[str, Any], *, today: date | None = None) -> list[html.Div]:
    """Headline cards: last 7 days, ramp, ACWR, latest run's spike and how long ago it was.

    ``today`` (default: the real today) only words how old ``as_of`` and the
    last run are, so a history that ended years ago is not read as current.
    """
    if not status:
        return [html.Div("No runs yet for this athlete.", className="lw-muted")]
    today = today or date.today()
    unit = status["unit"]

    def card(label: str, value: str, note: str = "") -> html.Div:
        return html.Div(
            [
                html.Div(label, className="lw-card-label"),
                html.Div(value, className="lw-card-value"),
                html.Div(note, className="lw-card-note"),
            ],
            className="lw-card",
        )

    spike = status.get("last_spike_category")
    spike_text = (
        "first after a break"
        if spike == "none"
        else _fmt(status.get("last_spike_pct"), "+.0f", "%")
    )
    last_run = status.get("last_run_distance")
    run_unit = "mi" if unit == "mi" else "km"
    as_of = _as_date(status.get("as_of"))
    as_of_note = f"as of {as_of.isoformat()} ({ago(as_of, today)})" if as_of else ""
    run_day = _as_date(status.get("last_run_date"))
    run_notes = [ago(run_day, today)] if run_day else []
    if spike:
        run_notes.append(f"spike {spike_text}" + ("" if spike == "none" else f" ({spike})"))
    return [
        card("Last 7 days", _fmt(status.get("week_load"), ".1f", f" {unit}"), as_of_note),
        card("Ramp vs 7 days before", _fmt(status.get("ramp_pct"), "+.0f", "%")),
        card(
            "ACWR (rolling / EWMA)",
            f"{_fmt(status.get('acwr'), '.2f')} / {_fmt(status.get('acwr_ewma'), '.2f')}",
            "not enough history" if status.get("acwr") is None else "sweet spot 0.8–1.3",
        ),
        card(
            "Latest run",
            _fmt(last_run, ".1f", f" {run_unit}") if last_run is not None else "–",
            "; ".join(run_notes),
        ),
    ]


def _when(row: Any) -> str:
    """One day, or an episode's first and last day."""
    first = _as_date(getattr(row, "first_date", None))
    last = _as_date(getattr(row, "last_date", None))
    if first is None or last is None:
        single = _as_date(getattr(row, "date", None)) or first or last
        return single.isoformat() if single else ""
    if first == last:
        return first.isoformat()
    days = getattr(row, "days", None)
    days = int(days) if days is not None and not pd.isna(days) else (last - first).days + 1
    return f"{first.isoformat()} to {last.isoformat()} ({days} days)"


def _texts(values: Any) -> list[str]:
    """The distinct non-empty texts of ``values``, in order."""
    seen: list[str] = []
    for v in values:
        if isinstance(v, str) and v.strip() and v not in seen:
            seen.append(v)
    return seen


def evidence_by_rule(
    alerts: pd.DataFrame, citations: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Each rule of ``alerts`` (in order of appearance) and the texts citing its evidence.

    From ``citations`` (rule -> text) when it names the rule, else the alerts'
    ``citation`` column, else the service's wording of the rule's evidence; any
    ``detail`` texts follow. Every text appears once per rule.
    """
    from loadwatch.service.render import rule_evidence

    out: dict[str, list[str]] = {}
    for rule in _texts(alerts["rule"].astype(str)):
        rows = alerts[alerts["rule"].astype(str) == rule]
        if citations and citations.get(rule):
            texts = [citations[rule]]
        elif "citation" in rows and _texts(rows["citation"]):
            texts = _texts(rows["citation"])
        else:
            texts = [rule_evidence(rule)]
        if "detail" in rows:
            texts += [d for d in _texts(rows["detail"]) if d not in texts]
        out[rule] = texts
    return out


def alerts_list(
    alerts: pd.DataFrame, *, citations: Mapping[str, str] | None = None, limit: int = 30
) -> html.Div:
    """Alerts newest first, one short sentence each, then each rule's evidence once.

    ``alerts``: rule, severity, a day (``date``) or an episode (``first_date``,
    ``last_date``), message, evidence (key) and optionally citation, detail,
    planned. The evidence of each rule shown sits in one expandable block
    (``citations`` maps rule -> citation text, else the frame's own columns).
    """
    if alerts.empty:
        return html.Div("No alerts in this period.", className="lw-muted")
    shown = alerts.head(limit)
    items = []
    for row in shown.itertuples(index=False):
        severity = str(row.severity)
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Span(severity, className=f"lw-badge {severity}"),
                            f"{_when(row)}: {RULE_WORDS.get(str(row.rule), str(row.rule))}",
                            " (planned)" if bool(getattr(row, "planned", False)) else "",
                        ],
                        className="lw-alert-head",
                    ),
                    html.Div(str(getattr(row, "message", "") or "")),
                ],
                className=f"lw-alert {severity}",
            )
        )
    more = len(alerts) - limit
    tail = [html.Div(f"… and {more} earlier alerts", className="lw-muted")] if more > 0 else []
    evidence = [
        html.Details(
            [
                html.Summary(f"Evidence: {RULE_WORDS.get(rule, rule)}"),
                *[html.P(text) for text in texts],
            ],
            className="lw-evidence",
        )
        for rule, texts in evidence_by_rule(shown, citations).items()
        if texts
    ]
    return html.Div([html.Ul(items, className="lw-alerts"), *tail, *evidence])


def plan_result(
    alerts: pd.DataFrame,
    projected: dict[str, Any],
    *,
    unit: str,
    run_ceiling: float | None,
    run_rule: str | None,
    week_ceiling: float | None,
    week_rule: str | None,
) -> html.Div:
    """What a plan would trigger, the projected numbers, and the safe ceiling.

    Ceilings are already in ``unit``; ``projected`` holds km (week_load,
    longest_30d_km), % (ramp_pct, spike_pct) and ratios (acwr, acwr_ewma).
    """
    parts: list[Any] = []
    if projected:
        factor = 1.0 / KM_PER_MILE if unit == "mi" else 1.0
        week = projected.get("week_load")
        bits = [
            f"7 days to {projected['date']}: "
            + _fmt(None if week is None else week * factor, ".1f", f" {unit}"),
            f"ramp {_fmt(projected.get('ramp_pct'), '+.0f', '%')}",
            f"ACWR {_fmt(projected.get('acwr'), '.2f')} "
            f"(EWMA {_fmt(projected.get('acwr_ewma'), '.2f')})",
        ]
        if projected.get("spike_pct") is not None:
            bits.append(f"spike {projected['spike_pct']:+.0f}% over the longest run of 30 days")
        parts.append(html.Div("Projected: " + "; ".join(bits) + "."))
    if alerts.empty:
        parts.append(html.Div("Nothing at caution or above for this plan.", className="lw-plan-ok"))
    else:
        parts.append(alerts_list(alerts))
    ceilings = []
    if run_ceiling is not None:
        rule = f" (limited by {run_rule.replace('_', ' ')})" if run_rule else ""
        ceilings.append(f"Longest run that day: {run_ceiling:.1f} {unit}{rule}.")
    if week_ceiling is not None:
        rule = f" (limited by {week_rule.replace('_', ' ')})" if week_rule else ""
        ceilings.append(f"Largest total for the next 7 days: {week_ceiling:.1f} {unit}{rule}.")
    if ceilings:
        parts.append(html.Div(["Safe ceiling: ", *ceilings], className="lw-ceiling"))
    return html.Div(parts)


def import_summary(report: dict[str, Any]) -> html.Div:
    """The import report in words, with each failed file and its reason."""
    added = int(report.get("activities_added", 0))
    line = (
        f"{added} new activit{'y' if added == 1 else 'ies'} from {report.get('imported', 0)} "
        f"file(s); {report.get('unchanged', 0)} already known, "
        f"{report.get('duplicates', 0)} duplicate file(s), "
        f"{report.get('merged_duplicates', 0)} merged duplicate run(s), "
        f"{len(report.get('skipped', []))} skipped, {len(report.get('errors', []))} error(s)."
    )
    errors = report.get("errors", [])
    items = [
        html.Li(f"{e.get('file', e.get('path', '?'))}: {e.get('reason', e.get('error', ''))}")
        for e in errors[:50]
    ]
    return html.Div(
        [
            html.Div(line, className="lw-message error" if errors else "lw-message ok"),
            html.Ul(items) if items else None,
        ]
    )


# ------------------------------------------------------------- coach table
def _first(row: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` that ``row`` holds a value for (field names of old and new rows)."""
    for key in keys:
        value = row.get(key)
        if value is not None and not (isinstance(value, float) and pd.isna(value)):
            return value
    return None


def coach_table_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The coach table's rows as shown (:data:`COACH_COLUMNS`), in the order given.

    Reads either the dashboard's rows (``worst_alert`` a severity, ``alert_date``,
    ``reason`` or ``alert_message``, ``last_7d``, ``last_run``) or the status
    shape (``worst_alert`` a mapping of rule, severity and date, ``last_7d_km``,
    ``last_run_date``). No alert at caution or above reads "none".
    """
    shown = []
    for row in rows:
        worst = row.get("worst_alert")
        if isinstance(worst, Mapping):
            severity, day = worst.get("severity"), worst.get("date")
        else:
            severity, day = worst, row.get("alert_date")
        alerting = severity in ("caution", "high")
        day_text = _as_date(day)
        shown.append(
            {
                "athlete": row.get("athlete"),
                "alert": severity if alerting else "none",
                "alert_date": day_text.isoformat() if alerting and day_text else "",
                "reason": (_first(row, "reason", "alert_message") or "") if alerting else "",
                "latest_pain": _first(row, "latest_pain"),
                "last_7d": _first(row, "last_7d", "last_7d_km"),
                "ramp_pct": _first(row, "ramp_pct"),
                "acwr": _first(row, "acwr"),
                "acwr_ewma": _first(row, "acwr_ewma"),
                "latest_spike_pct": _first(row, "latest_spike_pct"),
                "last_run": _first(row, "last_run", "last_run_date"),
                "as_of": _first(row, "as_of"),
                "days_since_last_run": _first(row, "days_since_last_run"),
                "sleep": sleep_text(row.get("sleep_7d_h"), row.get("sleep_change_h")),
                "rehab": rehab_text(row.get("rehab_adherence_pct"), row.get("rehab_sessions_28d")),
            }
        )
    return shown


def sleep_text(hours: float | None, change: float | None) -> str:
    """``7.1 (-0.6)``: mean hours slept over 7 days and the change from the 28 days before."""
    if hours is None:
        return "–"
    return f"{hours:.1f}" + ("" if change is None else f" ({change:+.1f})")


def rehab_text(pct: float | None, sessions: int | None) -> str:
    """Adherence to the rehab plan in %, or the sessions of 28 days when there is no plan."""
    if pct is not None:
        return f"{pct:.0f}%"
    if sessions:
        return f"{sessions} sessions, no plan"
    return "–"


def coach_as_of(rows: list[dict[str, Any]]) -> str:
    """The line above the coach table naming the date its numbers describe."""
    days = sorted({d.isoformat() for r in rows if (d := _as_date(r.get("as_of")))})
    if not days:
        return ""
    when = days[0] if len(days) == 1 else f"{days[0]} to {days[-1]} (each athlete's own)"
    return f"As of {when}: distances over the 7 days and alerts over the 28 days up to it."


def _number(value: Any, spec: str, suffix: str = "") -> str:
    return "–" if value is None else f"{value:{spec}}{suffix}"


def _days_ago(row: Mapping[str, Any]) -> str:
    days = int(row["days_since_last_run"])
    return " (today)" if days == 0 else f" ({days} day{'s' if days != 1 else ''} ago)"


def as_json(value: Any) -> Any:
    """Components (in lists, as children, as props) as the plain JSON objects Dash sends
    for them: a cached answer then goes out in one fast pass, instead of Dash walking
    every component of it again on each request."""
    if isinstance(value, Component):
        shaped = value.to_plotly_json()
        shaped["props"] = {k: as_json(v) for k, v in shaped["props"].items()}
        return shaped
    if isinstance(value, list | tuple):
        return [as_json(v) for v in value]
    return value


def coach_cards(rows: list[dict[str, Any]]) -> list[html.Button]:
    """The coach table as cards (for narrow screens): one per athlete, a click opens them.

    ``rows`` are :func:`coach_table_rows`.
    """
    cards = []
    for row in rows:
        alert = row["alert"]
        facts = [
            f"last 7 days {_number(row['last_7d'], '.1f', ' km')}",
            f"ramp {_number(row['ramp_pct'], '+.0f', '%')}",
            f"ACWR {_number(row['acwr'], '.2f')}",
            f"pain {_number(row['latest_pain'], '.0f', '/10')}",
            f"sleep {row.get('sleep', '–')} h",
            f"rehab {row.get('rehab', '–')}",
            f"last run {row['last_run'] or '–'}"
            + ("" if row.get("days_since_last_run") is None else _days_ago(row)),
        ]
        cards.append(
            html.Button(
                [
                    html.Div(
                        [
                            html.Span(str(row["athlete"]), className="lw-coach-name"),
                            html.Span(alert, className=f"lw-badge {alert}"),
                            html.Span(row["alert_date"], className="lw-muted"),
                        ],
                        className="lw-coach-card-head",
                    ),
                    html.Div(row["reason"] or "No alert at caution or above."),
                    html.Div(" · ".join(facts), className="lw-muted"),
                ],
                id={"type": ids.COACH_CARD, "index": str(row["athlete"])},
                className=f"lw-coach-card {alert}",
                n_clicks=0,
            )
        )
    return cards


# ------------------------------------------------------- context and the days ahead
def upcoming_list(rows: list[dict[str, Any]], *, unit: str, days: int = 7) -> html.Div:
    """The planned days ahead: date, planned distance, projected status, the day's ceiling.

    ``rows``: :meth:`dashboards.data.DashboardData.upcoming_rows` (distances in ``unit``).
    """
    if not rows:
        return html.Div(
            f"Nothing planned in the next {days} days. Add a run below or import a calendar.",
            className="lw-muted",
        )
    items = []
    for row in rows:
        status = str(row["status"])
        ceiling = row["ceiling"]
        if row.get("ceiling_status") == "already":
            ceiling_text = "no safe distance while the rest of the plan stands"
        elif ceiling is None:
            ceiling_text = "no ceiling applies"
        else:
            ceiling_text = f"ceiling {ceiling:.1f} {unit}"
        day = _as_date(row["date"])
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Span(status, className=f"lw-badge {status}"),
                            html.Strong(day.strftime("%a %d %b") if day else str(row["date"])),
                            f" {row['planned']:.1f} {unit} planned",
                            html.Span(f" · {ceiling_text}", className="lw-upcoming-ceiling"),
                        ],
                        className="lw-alert-head",
                    ),
                    html.Div(row["reason"]) if row["reason"] else None,
                    html.Div(row["ceiling_note"], className="lw-muted")
                    if (status != "ok" or row.get("ceiling_status") == "already")
                    and row.get("ceiling_note")
                    else None,
                    html.Div("; ".join(row["notes"]), className="lw-muted")
                    if row.get("notes")
                    else None,
                ],
                className=f"lw-alert {status}",
            )
        )
    return html.Div(html.Ul(items, className="lw-alerts"))


def rehab_buttons(choices: list[dict[str, Any]], *, planned: bool) -> html.Div:
    """One button per exercise (``choices``: key, name, dose, per_week)."""
    head = (
        "Your plan:"
        if planned
        else "No rehab plan yet (set one with `loadwatch rehab plan set`): the catalogue."
    )
    buttons = [
        html.Button(
            [html.Span(c["name"]), html.Span(f" {c['dose']}", className="lw-muted")],
            id={"type": ids.REHAB_LOG, "index": c["key"]},
            className="lw-button secondary lw-rehab",
            n_clicks=0,
            title=f"Log {c['name']} ({c['dose']})",
        )
        for c in choices
    ]
    return html.Div([html.Div(head, className="lw-muted"), html.Div(buttons)])


def calendar_list(rows: list[dict[str, Any]]) -> html.Div | str:
    """The athlete's calendars (feeds by host only) with how many plans each brought."""
    if not rows:
        return ""
    return html.Div(
        [
            html.Div("Calendars:"),
            html.Ul(
                [
                    html.Li(
                        f"{r['calendar']} ({'feed' if r['kind'] == 'url' else 'file'}): "
                        f"{r['plans']} planned run(s)"
                        + (f"; last sync failed: {r['last_error']}" if r.get("last_error") else "")
                    )
                    for r in rows
                ]
            ),
        ]
    )
