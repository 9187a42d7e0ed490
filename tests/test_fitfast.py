"""Fast FIT path: agrees with the fitparse path, declines damage, CRC and names as fitparse.

The fitparse path (``fit._read_with_fitparse``) and plain fitparse are the
references; the fast path must give the same summary, field for field, on
every corpus file fitparse decodes cleanly, or decline (return None).
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from fitcorpus import (
    LOCAL,
    corpus_bytes,
    corpus_params,
    local_bytes,
    local_params,
    manifest_rows,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from loadwatch.errors import NotAnActivityFile
from loadwatch.ingest import fitfast
from loadwatch.ingest.fit import _read_with_fitparse
from loadwatch.ingest.fitfast import fast_fit_summaries, fit_crc, scan_fit

FIELDS = ("sport", "sub_sport", "start_utc", "distance_m", "timer_s", "elapsed_s",
          "elevation_gain_m", "avg_hr", "max_hr", "utc_offset_s", "offset_source", "device",
          "local_date", "session_index", "recovered", "notes")  # fmt: skip


#: Why the fast path hands a file to the fitparse path instead of answering.
DAMAGED_WHY = "damaged: CRC mismatch, truncated or corrupt data (the fitparse path recovers it)"
NO_SESSION_WHY = "no session message: the summary must be derived from the records"
NO_DISTANCE_WHY = "a session without total_distance: the distance must come from the records"
RECORDS_WHY = "session values that only the records give right (see the named tests below)"

#: Every shared-corpus file the fast path declines (returns None), by MANIFEST relpath.
CORPUS_DECLINES = {
    "fit/python-fitparse/DeveloperData.fit": NO_SESSION_WHY,
    "fit/python-fitparse/activity-activity-filecrc.fit": DAMAGED_WHY,
    "fit/python-fitparse/activity-filecrc.fit": DAMAGED_WHY,
    "fit/python-fitparse/activity-settings-corruptheader.fit": DAMAGED_WHY,
    "fit/python-fitparse/activity-settings-nodata.fit": DAMAGED_WHY,
    "fit/python-fitparse/activity-unexpected-eof.fit": DAMAGED_WHY,
    "fit/python-fitparse/antfs-dump.63.fit": NO_DISTANCE_WHY,
    "fit/python-fitparse/compressed-speed-distance.fit": RECORDS_WHY,
    "fit/python-fitparse/coros-pace-2-cycling-misaligned-fields.fit": RECORDS_WHY,
    "fit/python-fitparse/nick.fit": DAMAGED_WHY,
    "fit/python-fitparse/strava-android-app-201.10-b1218918.fit": DAMAGED_WHY,
    "fit/muktihari-fit/TestEncode.fit": NO_DISTANCE_WHY,
    "fit/muktihari-fit/chained_Activity_activity_poolswim.fit": NO_DISTANCE_WHY,
    "fit/muktihari-fit/from_official_sdk/Activity.fit": NO_DISTANCE_WHY,
    "fit/muktihari-fit/from_official_sdk/ActivityDevFields.fit": NO_DISTANCE_WHY,
    "fit/muktihari-fit/from_official_sdk/WithGearChangeData.fit": NO_SESSION_WHY,
    "fit/muktihari-fit/from_official_sdk/activity_developerdata.fit": NO_DISTANCE_WHY,
    "fit/muktihari-fit/from_official_sdk/activity_truncated.fit": NO_SESSION_WHY,
    "fit/muktihari-fit/valid_only_contain_fileid.fit": NO_SESSION_WHY,
    "fit/fit-parser-js/examples/failed.fit": NO_DISTANCE_WHY,
    "fit/fit-parser-js/examples/suunto-weight.fit": NO_DISTANCE_WHY,
    "fit/fit-parser-js/test/test2.fit": NO_DISTANCE_WHY,
    # file_id.time_created lies 6 days after the session start: the clock check
    # needs the records, so the full decoder settles it
    "fit/tormoder-fit/misc/0134902991.fit": "time_created disagrees with the session start",
}
#: Every copied file in tests/data/fit the fast path declines, by name.
LOCAL_DECLINES = {
    "DeveloperData.fit": NO_SESSION_WHY,
    "WithGearChangeData.fit": NO_SESSION_WHY,
    "activity-activity-filecrc.fit": DAMAGED_WHY,
    "activity-filecrc.fit": DAMAGED_WHY,
    "activity-settings-corruptheader.fit": DAMAGED_WHY,
    "activity-settings-nodata.fit": DAMAGED_WHY,
    "activity-unexpected-eof.fit": DAMAGED_WHY,
    "activity_truncated.fit": NO_SESSION_WHY,
    "antfs-dump.63.fit": NO_DISTANCE_WHY,
    "coros-pace-2-cycling-misaligned-fields.fit": RECORDS_WHY,
    "strava-android-app-201.10-b1218918.fit": DAMAGED_WHY,
    "valid_only_contain_fileid.fit": NO_SESSION_WHY,
}


def _agrees_with_fitparse_path(data: bytes, name: str) -> str:
    """Assert agreement where the fast path answers; say what it did.

    Returns "answered" (same summaries as the fitparse path, field for
    field), "refused" (the same NotAnActivityFile reason) or "declined" (it
    returned None and left the file to the fitparse path). The fast path
    answers only for files whose CRC and structure it verified, which the
    fitparse path then reads without finding damage either.
    """
    try:
        fast = fast_fit_summaries(data, name)
    except NotAnActivityFile as e:
        with pytest.raises(NotAnActivityFile) as slow_error:
            _read_with_fitparse(data, name)
        assert slow_error.value.reason == e.reason
        return "refused"
    if fast is None:
        return "declined"
    slow = _read_with_fitparse(data, name)
    assert not any(s.recovered for s in slow)
    assert len(fast) == len(slow)
    for f, s in zip(fast, slow, strict=True):
        for attr in FIELDS:
            a, b = getattr(f, attr), getattr(s, attr)
            if isinstance(a, float) and isinstance(b, float):
                assert a == pytest.approx(b, abs=1e-6), attr
            else:
                assert a == b, attr
    return "answered"


def _check_case(data: bytes, key: str, declines: dict[str, str]) -> None:
    """The fast path answers (and agrees) or refuses, unless ``key`` is a listed decline."""
    outcome = _agrees_with_fitparse_path(data, key.rsplit("/", 1)[-1])
    if key in declines:
        assert outcome == "declined", f"{key} is listed as declined ({declines[key]})"
    else:
        assert outcome in ("answered", "refused"), f"the fast path declined {key} (not listed)"


@pytest.mark.parametrize("relpath", corpus_params())
def test_fast_path_agrees_on_the_corpus(relpath: str | None) -> None:
    assert relpath is not None
    _check_case(corpus_bytes(relpath), relpath, CORPUS_DECLINES)


@pytest.mark.parametrize("name", local_params())
def test_fast_path_agrees_on_the_copied_files(name: str) -> None:
    _check_case(local_bytes(name), name, LOCAL_DECLINES)


@pytest.mark.corpus
def test_every_listed_corpus_decline_is_in_the_corpus() -> None:
    listed = {row["relpath"] for row in manifest_rows()}
    assert set(CORPUS_DECLINES) <= listed


def test_every_listed_local_decline_is_a_copied_file() -> None:
    assert set(LOCAL_DECLINES) <= {p.name for p in LOCAL.glob("*.fit")}


#: Clean files the fast path must answer itself (runs, multisport, chained, dev fields).
FAST = [
    "activity-small-fenix2-run.fit",
    "2013-02-06-12-11-14.fit",
    "running-with-developer-data.fit",
    "garmin-fenix-5-run.fit",
    "activity_multisport.fit",
    "6471559601_ACTIVITY.fit",
    "triathlon_summary_first.fit",
    "sample_mulitple_header.fit",
    "activity-settings.fit",
    "HrmPluginTestActivity.fit",
    "developer-types-sample.fit",
]
DAMAGED = [
    "activity-filecrc.fit",
    "activity-activity-filecrc.fit",
    "activity-settings-corruptheader.fit",
    "activity-settings-nodata.fit",
    "activity-unexpected-eof.fit",
    "coros-pace-2-cycling-misaligned-fields.fit",
    "strava-android-app-201.10-b1218918.fit",
]


@pytest.mark.parametrize("name", FAST)
def test_fast_path_answers_clean_activity_files(name: str) -> None:
    assert fast_fit_summaries(local_bytes(name), name)


@pytest.mark.parametrize("name", DAMAGED)
def test_fast_path_declines_damaged_files(name: str) -> None:
    assert fast_fit_summaries(local_bytes(name), name) is None


@pytest.mark.corpus
def test_fast_path_declines_the_unterminated_corpus_file() -> None:
    assert fast_fit_summaries(corpus_bytes("fit/python-fitparse/nick.fit"), "nick.fit") is None


@pytest.mark.parametrize(
    "name", ["activity_truncated.fit", "WithGearChangeData.fit", "antfs-dump.63.fit"]
)
def test_fast_path_declines_what_needs_the_records(name: str) -> None:
    assert fast_fit_summaries(local_bytes(name), name) is None


@pytest.mark.corpus
def test_fast_path_answers_most_of_the_corpus() -> None:
    answered = 0
    for row in manifest_rows():
        data = corpus_bytes(row["relpath"])
        try:
            answered += fast_fit_summaries(data, "x.fit") is not None
        except NotAnActivityFile:
            answered += 1
    # 71 of 93 when written (13 of them non-activity files it refuses itself); the
    # other 22 are damaged, have no session, no date, or a session without distance.
    # 70 since clocks are checked: tormoder-fit/misc/0134902991.fit (file_id
    # time_created 6 days after its session start) goes to the record-level check.
    assert answered >= 70


def test_reading_a_clean_file_does_not_import_fitparse() -> None:
    code = (
        "import sys; from pathlib import Path; from loadwatch.ingest.fit import read_fit; "
        f"read_fit(Path({str(LOCAL / 'activity-small-fenix2-run.fit')!r}).read_bytes(), 'r.fit'); "
        "print('fitparse' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------- the walker


CHAINED = [("sample_mulitple_header.fit", 4), ("activity-settings.fit", 2),
           ("HrmPluginTestActivity.fit", 4)]  # fmt: skip


@pytest.mark.parametrize(("name", "parts"), CHAINED)
def test_chained_parts_are_walked(name: str, parts: int) -> None:
    scan = scan_fit(local_bytes(name))  # part counts from the MANIFEST
    assert len(scan.parts) == parts and scan.problem is None and not scan.crc_errors


def test_compressed_timestamp_records_are_skipped_by_size() -> None:
    data = local_bytes("antfs-dump.63.fit")  # 686 records with compressed timestamp headers
    scan = scan_fit(data)
    assert scan.problem is None and not scan.crc_errors
    (session,) = scan.parts[0].sessions
    import fitparse

    (ref,) = fitparse.FitFile(data).get_messages("session")
    assert session.start == ref.get_raw_value("start_time") == 16441241
    assert session.timer_s == pytest.approx(ref.get_value("total_timer_time"))


def test_every_copied_file_crc_matches_fitparse() -> None:
    from fitparse.records import Crc

    for path in sorted(LOCAL.glob("*.fit")):
        data = path.read_bytes()
        assert fit_crc(data) == Crc.calculate(data), path.name


@settings(max_examples=60, deadline=None)
@given(st.binary(min_size=0, max_size=9000), st.integers(0, 50))
def test_crc_matches_fitparse_on_any_bytes(data: bytes, skip: int) -> None:
    from fitparse.records import Crc

    start = min(skip, len(data))
    assert fit_crc(data, start) == Crc.calculate(data[start:])


def test_profile_names_match_fitparse() -> None:
    from fitparse.profile import FIELD_TYPES

    tables = {
        "file": fitfast._FILE_TYPES,
        "sport": fitfast._SPORTS,
        "sub_sport": fitfast._SUB_SPORTS,
        "manufacturer": fitfast._MANUFACTURERS,
        "garmin_product": fitfast._GARMIN_PRODUCTS,
    }
    for kind, table in tables.items():
        for value, name in FIELD_TYPES[kind].values.items():
            assert table[value] == name.lower(), (kind, value)
