"""Helpers shared by the club server and dashboard tests: runs written straight into a store, and
the JSON body the dashboard page posts to ``/_dash-update-component``."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from dashboards import ids
from loadwatch.model import ActivitySummary
from loadwatch.store import FileRecord, Store


def add_run(store: Store, athlete: str, day: date, km: float) -> None:
    """One run of ``km`` kilometres at 07:00 UTC on ``day`` (5:30 min/km), as an imported file."""
    sha = hashlib.sha256(f"{athlete}{day}{km}".encode()).hexdigest()
    summary = ActivitySummary(
        sport="running",
        start_utc=datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC),
        distance_m=km * 1000,
        timer_s=km * 330,
        elapsed_s=km * 340,
        source_format="fit",
        utc_offset_s=0,
        source_sha256=sha,
    )
    store.add_file(
        store.athlete(athlete), FileRecord(sha, f"{day}.fit", 1, "fit", "imported"), [summary]
    )


def dash_body(
    callback_map: Mapping[str, Mapping[str, Any]],
    output: str,
    values: dict[tuple[str, str], Any],
    fired: str,
) -> dict[str, Any]:
    """The JSON the page posts to ``/_dash-update-component`` for the callback whose
    output names ``output`` (``id.property``), with ``values`` for its inputs and state.

    ``callback_map``: the app's ``callback_map``, or the records of the server's
    ``/_dash-dependencies`` keyed by their ``output`` (both carry ``inputs`` and ``state``).
    """
    key = next(k for k in callback_map if output in k)
    spec = callback_map[key]

    def items(kind: str) -> list[dict[str, Any]]:
        return [{**dep, "value": values.get((dep["id"], dep["property"]))} for dep in spec[kind]]

    parts = key.strip(".").split("...")
    outputs = [dict(zip(("id", "property"), p.rsplit(".", 1), strict=True)) for p in parts]
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": items("inputs"),
        "state": items("state"),
        "changedPropIds": [fired],
    }


def pain_form(athlete: str, day: str, score: int) -> dict[tuple[str, str], Any]:
    """What the pain form holds when its Save button is clicked (``day``: YYYY-MM-DD)."""
    return {
        (ids.PAIN_SUBMIT, "n_clicks"): 1,
        (ids.SELECTED_ATHLETE, "data"): athlete,
        (ids.PAIN_DATE, "date"): day,
        (ids.PAIN_SCORE, "value"): score,
        (ids.PAIN_WHERE, "value"): "lower_back",
        (ids.PAIN_WHEN, "value"): "not_running",
        (ids.PAIN_NOTE, "value"): None,
        (ids.DATA_VERSION, "data"): 0,
    }


#: The output and the input of the pain form's save callback.
PAIN_OUTPUT = f"{ids.PAIN_MESSAGE}.children"
PAIN_FIRED = f"{ids.PAIN_SUBMIT}.n_clicks"
