"""Pure figure builders: ``DataFrame -> go.Figure``, data first, options keyword-only.

Nothing here reads the store or computes a metric; the frames arrive ready
(distances already in the display unit) from :mod:`dashboards.data`, so each
builder can be tested on a small literal DataFrame.

Frame contracts:

| builder             | frame    | columns                                                        |
|---------------------|----------|----------------------------------------------------------------|
| ``weekly_figure``   | weekly   | week_start, distance (display unit), ramp_pct, severity, days  |
|                     |          | (severity: the week's own worst caution-or-worse alert)        |
| ``timeline_figure`` | daily    | index: date; acwr, acwr_ewma (ratios)                          |
|                     | runs     | local_date, distance (display unit), spike_pct (%), category   |
|                     | pain     | date, score (0-10), location, timing, note                     |
|                     | planned  | date, distance (display unit), label                           |
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import pandas as pd
import plotly.graph_objects as go

#: Bar colour by the worst alert of the week (None: no alert at caution or above).
#: ``info`` never colours a bar (science.md section 6): it takes the plain colour.
SEVERITY_COLOURS: dict[str | None, str] = {
    None: "#7a9cc6",
    "info": "#7a9cc6",
    "caution": "#f0a020",
    "high": "#d62728",
}
#: The weekly chart's colour key, in the order the legend lists it.
SEVERITY_KEY: tuple[tuple[str | None, str], ...] = (
    (None, "none or info"),
    ("caution", "caution"),
    ("high", "high"),
)
#: Run marker colour by spike category (science.md section 4).
SPIKE_COLOURS: dict[str, str] = {
    "none": "#9aa5b1",
    "reference": "#4c78a8",
    "small": "#f2c14e",
    "moderate": "#f08a24",
    "large": "#d62728",
}
SPIKE_ORDER: tuple[str, ...] = ("none", "reference", "small", "moderate", "large")
SPIKE_LABELS: dict[str, str] = {
    "none": "first run after a break",
    "reference": "no spike (≤10%)",
    "small": "small spike (10–30%)",
    "moderate": "moderate spike (30–100%)",
    "large": "large spike (>100%)",
}
#: ACWR "sweet spot" band and the high line (Gabbett 2016).
ACWR_BAND: tuple[float, float] = (0.8, 1.3)
ACWR_HIGH = 1.5

_GRID = {"gridcolor": "#e6ebf2", "linecolor": "#c9d2de", "zerolinecolor": "#c9d2de"}
#: A small template of our own: applying a stock one deep-copies a large object
#: into every figure, which costs more than building the figure itself.
_TEMPLATE = {
    "layout": {
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "font": {"color": "#2a3f5f"},
        "xaxis": _GRID,
        "yaxis": _GRID,
    }
}
_LAYOUT = {
    "template": _TEMPLATE,
    "margin": {"l": 55, "r": 20, "t": 40, "b": 40},
    "legend": {"orientation": "h", "y": -0.12},
    "hovermode": "closest",
}


def _ramp_label(pct: float | None) -> str:
    if pct is None or (isinstance(pct, float) and math.isnan(pct)):
        return ""
    return f"{pct:+.0f}%"


def _week_labels(weekly: pd.DataFrame) -> list[str]:
    """Ramp labels; a ramp from or to a partial week (``days`` < 7) would mislead, so
    such a week is labelled "partial week" and the week after it carries no ramp."""
    labels = [_ramp_label(v) for v in weekly["ramp_pct"]]
    if "days" not in weekly:
        return labels
    days = [int(d) for d in weekly["days"]]
    for i, d in enumerate(days):
        if d < 7:
            labels[i] = "partial week"
        elif i > 0 and days[i - 1] < 7:
            labels[i] = ""
    return labels


def empty_figure(message: str) -> go.Figure:
    """A blank figure carrying one centred message (no athlete, no runs yet...).

    The same message gives the same figure object (building one costs more than a
    switch's other figures): show it, do not change it.
    """
    return _empty_figure(message)


@functools.lru_cache(maxsize=256)
def _empty_figure(message: str) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(
        **_LAYOUT,
        xaxis={"visible": False},
        yaxis={"visible": False},
        annotations=[
            {
                "text": message,
                "showarrow": False,
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "font": {"size": 15, "color": "#555"},
            }
        ],
        height=260,
    )
    return fig


#: A day and a week in milliseconds, the unit of widths and periods on a date axis.
DAY_MS = 86_400_000
WEEK_MS = 7 * DAY_MS
#: The shortest span a dated axis covers, days: a lone run gets a fortnight around it.
MIN_SPAN_DAYS = 14
#: A Monday, the phase of the weekly bars' period (ISO weeks start on Mondays).
_A_MONDAY = "2000-01-03"


def view_range(
    dates: Iterable[Iterable[object]],
    *,
    start: date | None = None,
    end: date | None = None,
) -> tuple[str, str] | None:
    """The dated x range of a view, as ISO strings, or None when there is nothing to place.

    From ``start`` (else the earliest of ``dates``) to the later of ``end`` and
    the latest of ``dates`` (planned runs may lie beyond the end), padded by a
    day each side so edge markers are whole, and widened around its middle to
    at least :data:`MIN_SPAN_DAYS`.
    """
    stamps: list[pd.Timestamp] = []
    for column in dates:
        values = pd.to_datetime(pd.Series(list(column), dtype=object))
        if values.notna().any():
            stamps += [pd.Timestamp(values.min()), pd.Timestamp(values.max())]
    lows = [pd.Timestamp(start)] if start is not None else stamps
    highs = [*stamps, *([pd.Timestamp(end)] if end is not None else [])]
    if not lows or not highs:
        return None
    lo = min(lows) - pd.Timedelta(days=1)
    hi = max(highs) + pd.Timedelta(days=1)
    short = pd.Timedelta(days=MIN_SPAN_DAYS) - (hi - lo)
    if short > pd.Timedelta(0):
        lo, hi = lo - short / 2, hi + short / 2
    return lo.isoformat(), hi.isoformat()


def _bar_severity(value: object) -> str | None:
    """The colour class of a week: its caution or high alert, else None (info never colours)."""
    return value if value in ("caution", "high") else None


def weekly_figure(
    weekly: pd.DataFrame,
    *,
    unit: str = "km",
    title: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> go.Figure:
    """Weekly totals as bars labelled with the week-over-week ramp, over a dated axis.

    Each bar spans its calendar week (``week_start``, a Monday) and is coloured
    by that week's own worst caution-or-worse alert (``severity`` column;
    missing, None or ``info`` means the plain colour); a legend names the
    colours. ``unit`` only labels the axis: ``distance`` must already be in it.
    ``start``/``end`` (dates) set the axis range, else the weeks shown.
    """
    if weekly.empty:
        return empty_figure("No runs in this period")
    raw = weekly["severity"] if "severity" in weekly else pd.Series([None] * len(weekly))
    severity = [_bar_severity(s) for s in raw]
    colours = [SEVERITY_COLOURS[s] for s in severity]
    labels = _week_labels(weekly)
    hover_alert = [f"{s} alert this week" if s else "no caution or high alert" for s in severity]
    week_start = pd.to_datetime(weekly["week_start"])
    bars = go.Bar(
        name=f"weekly total ({unit})",
        x=week_start,
        y=weekly["distance"].astype(float),
        # one bar per calendar week, drawn across its Monday-to-Sunday span
        xperiod=WEEK_MS,
        xperiod0=_A_MONDAY,
        xperiodalignment="middle",
        width=0.85 * WEEK_MS,
        text=labels,
        textposition="outside",
        cliponaxis=False,
        marker_color=colours,
        showlegend=False,
        customdata=list(zip(labels, hover_alert, strict=True)),
        hovertemplate=(
            "week of %{x|%d %b %Y}<br>%{y:.1f} " + unit + "<br>ramp %{customdata[0]}"
            "<br>%{customdata[1]}<extra></extra>"
        ),
    )
    # Legend-only entries: the key to the bar colours (they hold no data).
    key = [
        go.Bar(
            name=label,
            x=[None],
            y=[None],
            marker_color=SEVERITY_COLOURS[sev],
            showlegend=True,
            hoverinfo="skip",
        )
        for sev, label in SEVERITY_KEY
    ]
    rng = view_range([week_start, week_start + pd.Timedelta(days=7)], start=start, end=end)
    layout = {
        **_LAYOUT,
        "margin": {"l": 55, "r": 20, "t": 90, "b": 40},
        "title": {
            "text": title or f"Weekly total ({unit}) and week-over-week ramp",
            "font": {"size": 15},
            "x": 0,
            "xref": "paper",
            "xanchor": "left",
            "y": 0.98,
            "yanchor": "top",
        },
        "legend": {
            "orientation": "h",
            # the title on its own line keeps the key to one row on a phone
            "title": {"text": "Alerts this week:", "side": "top left"},
            "x": 0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
        },
        "xaxis": {"type": "date", **({"range": list(rng)} if rng else {})},
        "yaxis": {"title": {"text": unit}},
        "height": 320,
        "barmode": "overlay",
        "showlegend": True,
    }
    return go.Figure(data=[bars, *key], layout=layout)


def _run_words(name: Any, notes: Any) -> str:
    """The run's name and loadwatch's notes on it, as extra hover lines (HTML-escaped)."""
    import html as _html

    lines = []
    if isinstance(name, str) and name.strip():
        lines.append(_html.escape(name.strip()))
    if isinstance(notes, str) and notes.strip():
        lines += [f"note: {_html.escape(n)}" for n in notes.splitlines() if n.strip()]
    return "".join(f"<br>{line}" for line in lines)


def _run_traces(runs: pd.DataFrame, unit: str) -> list[go.Scatter]:
    traces: list[go.Scatter] = []
    if runs.empty:
        return traces
    biggest = max(float(runs["distance"].max()), 1e-9)
    for category in SPIKE_ORDER:
        part = runs[runs["category"].fillna("none") == category]
        if part.empty:
            continue
        spike = ["" if pd.isna(v) else f"{v:+.0f}%" for v in part["spike_pct"]]
        extra = [
            _run_words(name, notes)
            for name, notes in zip(
                part.get("name", pd.Series([None] * len(part))),
                part.get("notes", pd.Series([None] * len(part))),
                strict=True,
            )
        ]
        traces.append(
            go.Scatter(
                name=SPIKE_LABELS[category],
                legendgroup="runs",
                x=pd.to_datetime(part["local_date"]),
                y=part["distance"].astype(float),
                mode="markers",
                marker={
                    # Area proportional to distance, so a 30 km run looks 3x a 10 km one.
                    "size": (4 + 14 * (part["distance"].astype(float) / biggest) ** 0.5).tolist(),
                    "color": SPIKE_COLOURS[category],
                    "line": {
                        "width": 1.5 if category in ("moderate", "large") else 0.5,
                        "color": "#222",
                    },
                },
                customdata=list(zip(spike, extra, strict=True)),
                hovertemplate=(
                    "%{x|%a %d %b %Y}<br>%{y:.1f} " + unit + "<br>spike vs longest run in 30 days: "
                    "%{customdata[0]}<br>"
                    + SPIKE_LABELS[category]
                    + "%{customdata[1]}<extra></extra>"
                ),
            )
        )
    return traces


def _planned_trace(planned: pd.DataFrame, unit: str) -> go.Scatter:
    return go.Scatter(
        name="planned",
        x=pd.to_datetime(planned["date"]),
        y=planned["distance"].astype(float),
        mode="markers",
        marker={"size": 14, "symbol": "circle-open", "color": "#6a3d9a", "line": {"width": 2}},
        customdata=planned.get("label", None),
        hovertemplate="planned %{x|%a %d %b %Y}<br>%{y:.1f} " + unit + "<extra></extra>",
    )


def _acwr_traces(daily: pd.DataFrame) -> list[go.Scatter]:
    x = pd.to_datetime(daily.index)
    return [
        go.Scatter(
            name="ACWR (rolling 7:28)",
            x=x,
            y=daily["acwr"].astype(float),
            mode="lines",
            line={"color": "#1f77b4", "width": 2},
            hovertemplate="%{x|%d %b %Y}<br>rolling ACWR %{y:.2f}<extra></extra>",
        ),
        go.Scatter(
            name="ACWR (EWMA)",
            x=x,
            y=daily["acwr_ewma"].astype(float),
            mode="lines",
            line={"color": "#9467bd", "width": 2, "dash": "dot"},
            hovertemplate="%{x|%d %b %Y}<br>EWMA ACWR %{y:.2f}<extra></extra>",
        ),
    ]


def _pain_trace(pain: pd.DataFrame) -> go.Scatter:
    where = pain["location"].fillna("").astype(str).str.replace("_", " ")
    when = pain["timing"].fillna("").astype(str).str.replace("_", " ")
    note = pain["note"].fillna("").astype(str) if "note" in pain else pd.Series([""] * len(pain))
    return go.Scatter(
        name="back pain (0–10)",
        x=pd.to_datetime(pain["date"]),
        y=pain["score"].astype(float),
        mode="lines+markers",
        line={"color": "#c0392b", "width": 1.5, "shape": "hv"},
        marker={"size": 8, "color": "#c0392b"},
        customdata=list(zip(where, when, note, strict=True)),
        hovertemplate=(
            "%{x|%a %d %b %Y}<br>pain %{y:.0f}/10<br>where: %{customdata[0]}"
            "<br>when: %{customdata[1]}<br>%{customdata[2]}<extra></extra>"
        ),
    )


#: Vertical extent of the timeline's three rows (runs, ACWR, pain), paper fractions.
#: The gaps leave room for each row's own date labels and the next row's title.
_ROWS: tuple[tuple[float, float], ...] = ((0.67, 1.0), (0.335, 0.565), (0.0, 0.23))


def _on_row(trace: go.Scatter, row: int) -> go.Scatter:
    suffix = "" if row == 1 else str(row)
    trace.update(xaxis=f"x{suffix}", yaxis=f"y{suffix}")
    return trace


def _row_note(text: str, row: int) -> dict[str, object]:
    """A grey note in the middle of ``row`` (1-3): that panel's empty state."""
    bottom, top = _ROWS[row - 1]
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": (bottom + top) / 2,
        "xanchor": "center",
        "yanchor": "middle",
        "font": {"color": "#777"},
    }


def _has_values(daily: pd.DataFrame, columns: Sequence[str]) -> bool:
    return any(c in daily and daily[c].notna().any() for c in columns)


def timeline_figure(
    daily: pd.DataFrame,
    runs: pd.DataFrame,
    pain: pd.DataFrame,
    *,
    unit: str = "km",
    planned: pd.DataFrame | None = None,
    band: Sequence[float] = ACWR_BAND,
    high: float = ACWR_HIGH,
    start: date | None = None,
    end: date | None = None,
) -> go.Figure:
    """Runs, ACWR and pain on one dated time axis (three aligned rows).

    Row 1: each run as a marker sized by distance and coloured by its spike
    category (planned runs as open circles). Row 2: rolling and EWMA ACWR with
    the ``band`` shaded and a dashed line at ``high``. Row 3: pain scores 0–10,
    hover showing where, when and the note. Every row has its own date labels
    over the same range (``start``/``end``, dates, else the data's own span);
    a row with nothing to show says so in its own panel.
    """
    planned = planned if planned is not None else pd.DataFrame(columns=["date", "distance"])
    # Laid out by hand rather than with make_subplots: the figure is rebuilt on
    # every athlete switch, and this is several times faster.
    traces = [_on_row(t, 1) for t in _run_traces(runs, unit)]
    if not planned.empty:
        traces.append(_on_row(_planned_trace(planned, unit), 1))
    has_ratio = _has_values(daily, ("acwr", "acwr_ewma"))
    if has_ratio:
        traces += [_on_row(t, 2) for t in _acwr_traces(daily)]
    titles = (f"Runs ({unit}), spikes highlighted", "Acute:chronic ratio", "Back pain")
    annotations = [
        {
            "text": title,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": top,
            "xanchor": "center",
            "yanchor": "bottom",
            "font": {"size": 14},
        }
        for title, (_, top) in zip(titles, _ROWS, strict=True)
    ]
    if runs.empty and planned.empty:
        annotations.append(_row_note("no runs in this period", 1))
    if not has_ratio:
        annotations.append(_row_note("no ratio yet: it needs runs over several weeks", 2))
    if not pain.empty:
        traces.append(_on_row(_pain_trace(pain), 3))
    else:
        annotations.append(_row_note("no pain scores logged in this period", 3))
    # plotly draws only the rows some trace is on: an empty row gets a trace
    # without points, so it still shows its dated axis and its note
    drawn = {t.xaxis for t in traces}
    traces += [
        _on_row(go.Scatter(name="", x=[], y=[], showlegend=False, hoverinfo="skip"), row)
        for row, axis in ((1, "x"), (2, "x2"), (3, "x3"))
        if axis not in drawn
    ]
    low, top = band
    shapes = [
        {
            "type": "rect",
            "name": f"{low}–{top} band",
            "xref": "x2 domain",
            "x0": 0,
            "x1": 1,
            "yref": "y2",
            "y0": low,
            "y1": top,
            "fillcolor": "#2ca02c",
            "opacity": 0.12,
            "line": {"width": 0},
            "layer": "below",
        },
        {
            "type": "line",
            "name": f"{high} line",
            "xref": "x2 domain",
            "x0": 0,
            "x1": 1,
            "yref": "y2",
            "y0": high,
            "y1": high,
            "line": {"dash": "dash", "color": "#d62728", "width": 1.5},
        },
    ]
    # An explicit date type and range: without them an axis whose row holds no
    # trace (no pain logged, say) is taken as numeric, and the rows matched to
    # it squash every date into one column.
    rng = view_range(
        [
            runs.get("local_date", []),
            daily.index,
            pain.get("date", []),
            planned.get("date", []),
        ],
        start=start,
        end=end,
    )
    x_common: dict[str, object] = {"type": "date", **({"range": list(rng)} if rng else {})}
    layout = {
        **_LAYOUT,
        "height": 680,
        "annotations": annotations,
        "shapes": shapes,
        "xaxis": {"anchor": "y", "matches": "x3", **x_common},
        "xaxis2": {"anchor": "y2", "matches": "x3", **x_common},
        "xaxis3": {"anchor": "y3", **x_common},
        "yaxis": {
            "anchor": "x",
            "domain": _ROWS[0],
            "title": {"text": unit},
            "rangemode": "tozero",
        },
        "yaxis2": {
            "anchor": "x2",
            "domain": _ROWS[1],
            "title": {"text": "ratio"},
            "rangemode": "tozero",
        },
        "yaxis3": {
            "anchor": "x3",
            "domain": _ROWS[2],
            "title": {"text": "score"},
            "range": [-0.5, 10.5],
        },
    }
    return go.Figure(data=traces, layout=layout)


# ------------------------------------------------------------------ context
#: Vertical extent of the context figure's rows (sleep, resting HR, stress, rehab).
_CONTEXT_ROWS: tuple[tuple[float, float], ...] = (
    (0.79, 1.0),
    (0.53, 0.71),
    (0.27, 0.45),
    (0.0, 0.19),
)


def _context_note(text: str, row: int) -> dict[str, object]:
    bottom, top = _CONTEXT_ROWS[row - 1]
    return {
        "text": text,
        "showarrow": False,
        "xref": "paper",
        "yref": "paper",
        "x": 0.5,
        "y": (bottom + top) / 2,
        "xanchor": "center",
        "yanchor": "middle",
        "font": {"color": "#777"},
    }


def _column_values(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame:
        return pd.Series(dtype=float)
    return frame[column].dropna().astype(float)


def context_figure(
    wellness: pd.DataFrame,
    rehab: pd.DataFrame,
    *,
    x_range: Sequence[str] | None = None,
) -> go.Figure:
    """Sleep, resting heart rate, stress and rehab sessions on one dated axis (four rows).

    ``wellness``: index date; sleep_h (hours), resting_hr (bpm), stress_device
    (0-100), stress_self (0-10), soreness, fatigue (0-10). ``rehab``: date,
    exercise, name. ``x_range``: the timeline's range (ISO strings), so both
    charts cover the same days. Row 1: hours slept as bars. Row 2: resting
    heart rate. Row 3: the watch's stress (left axis, 0-100) and the athlete's
    own rating (right axis, 0-10). Row 4: one mark per rehab session, one line
    per exercise. A row with nothing to show says so.
    """
    traces: list[go.BaseTraceType] = []
    notes: list[dict[str, object]] = []

    def row_axes(row: int, secondary: bool = False) -> dict[str, str]:
        suffix = "" if row == 1 else str(row)
        y = f"y{5 if secondary else suffix}"
        return {"xaxis": f"x{suffix}", "yaxis": y}

    sleep = _column_values(wellness, "sleep_h")
    if len(sleep):
        traces.append(
            go.Bar(
                name="sleep (h)",
                x=pd.to_datetime(sleep.index),
                y=sleep,
                marker={"color": "#5b7db1"},
                hovertemplate="%{x|%a %d %b %Y}<br>slept %{y:.1f} h<extra></extra>",
                **row_axes(1),
            )
        )
    else:
        notes.append(_context_note("no sleep recorded in this period", 1))
    hr = _column_values(wellness, "resting_hr")
    if len(hr):
        traces.append(
            go.Scatter(
                name="resting HR (bpm)",
                x=pd.to_datetime(hr.index),
                y=hr,
                mode="lines+markers",
                marker={"size": 4},
                line={"color": "#b5475b", "width": 1.5},
                hovertemplate="%{x|%a %d %b %Y}<br>resting HR %{y:.0f} bpm<extra></extra>",
                **row_axes(2),
            )
        )
    else:
        notes.append(_context_note("no resting heart rate in this period", 2))
    device = _column_values(wellness, "stress_device")
    own = _column_values(wellness, "stress_self")
    if len(device):
        traces.append(
            go.Scatter(
                name="stress, watch (0–100)",
                x=pd.to_datetime(device.index),
                y=device,
                mode="lines",
                line={"color": "#8c6bb1", "width": 1.5},
                hovertemplate="%{x|%a %d %b %Y}<br>watch stress %{y:.0f}/100<extra></extra>",
                **row_axes(3),
            )
        )
    if len(own):
        traces.append(
            go.Scatter(
                name="stress, own rating (0–10)",
                x=pd.to_datetime(own.index),
                y=own,
                mode="markers",
                marker={"size": 8, "color": "#e07b39", "symbol": "diamond"},
                hovertemplate="%{x|%a %d %b %Y}<br>own stress %{y:.0f}/10<extra></extra>",
                **row_axes(3, secondary=True),
            )
        )
    if not len(device) and not len(own):
        notes.append(_context_note("no stress recorded in this period", 3))
    if len(rehab):
        names = rehab["name"] if "name" in rehab else rehab["exercise"]
        traces.append(
            go.Scatter(
                name="rehab session",
                x=pd.to_datetime(rehab["date"]),
                y=names.astype(str),
                mode="markers",
                marker={"size": 9, "symbol": "square", "color": "#2e8b57"},
                hovertemplate="%{x|%a %d %b %Y}<br>%{y}<extra></extra>",
                **row_axes(4),
            )
        )
    else:
        notes.append(_context_note("no rehab sessions logged in this period", 4))
    drawn = {t.xaxis for t in traces}
    traces += [
        go.Scatter(name="", x=[], y=[], showlegend=False, hoverinfo="skip", **row_axes(row))
        for row in (1, 2, 3, 4)
        if row_axes(row)["xaxis"] not in drawn
    ]
    titles = ("Sleep (hours)", "Resting heart rate (bpm)", "Stress", "Rehab sessions")
    annotations = [
        {
            "text": title,
            "showarrow": False,
            "xref": "paper",
            "yref": "paper",
            "x": 0.5,
            "y": top,
            "xanchor": "center",
            "yanchor": "bottom",
            "font": {"size": 14},
        }
        for title, (_, top) in zip(titles, _CONTEXT_ROWS, strict=True)
    ]
    x_common: dict[str, object] = {
        "type": "date",
        **({"range": list(x_range)} if x_range else {}),
    }
    n_exercises = int(rehab["exercise"].nunique()) if len(rehab) else 0
    layout = {
        **_LAYOUT,
        "height": 560 + 14 * max(0, n_exercises - 3),
        "annotations": annotations + notes,
        "barmode": "overlay",
        "xaxis": {"anchor": "y", "matches": "x4", **x_common},
        "xaxis2": {"anchor": "y2", "matches": "x4", **x_common},
        "xaxis3": {"anchor": "y3", "matches": "x4", **x_common},
        "xaxis4": {"anchor": "y4", **x_common},
        "yaxis": {
            "anchor": "x",
            "domain": _CONTEXT_ROWS[0],
            "title": {"text": "h"},
            "rangemode": "tozero",
        },
        "yaxis2": {"anchor": "x2", "domain": _CONTEXT_ROWS[1], "title": {"text": "bpm"}},
        "yaxis3": {
            "anchor": "x3",
            "domain": _CONTEXT_ROWS[2],
            "title": {"text": "watch 0–100"},
            "range": [0, 100],
        },
        # the own rating's scale inside the plot, so the plot keeps the timeline's width
        "yaxis5": {
            "anchor": "x3",
            "overlaying": "y3",
            "side": "right",
            "range": [0, 10],
            "ticklabelposition": "inside",
            "tickfont": {"color": "#e07b39"},
            "tickvals": [0, 5, 10],
            "showgrid": False,
        },
        # exercise names inside the plot: long names would push it off the timeline's axis
        "yaxis4": {
            "anchor": "x4",
            "domain": _CONTEXT_ROWS[3],
            "type": "category",
            "ticklabelposition": "inside",
            "tickfont": {"size": 11},
        },
    }
    return go.Figure(data=traces, layout=layout)
