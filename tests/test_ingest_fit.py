"""FIT reader: every corpus file, multisport, chained, damaged and session-less files.

Expected values come from outside the code under test: plain fitparse (CRC
checked, see ``fitcorpus.fitparse_reference``), the corpus MANIFEST (written by
a separate survey with fitdecode), and bytes patched by hand with fitparse's
own CRC routine.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import struct
from datetime import UTC, date, datetime

import pytest
from fitcorpus import (
    corpus_bytes,
    corpus_params,
    fitparse_reference,
    local_bytes,
    local_params,
    manifest_rows,
)

from loadwatch.errors import ActivityFileError, NotAnActivityFile
from loadwatch.ingest import read_activity_bytes
from loadwatch.ingest.fitfast import FitPart, FitSession, summaries_from_parts
from loadwatch.model import ActivitySummary, is_running


def _read(data: bytes, name: str) -> list[ActivitySummary]:
    return read_activity_bytes(data, name).summaries


def _fit_crc(data: bytes) -> bytes:
    from fitparse.records import Crc

    return struct.pack("<H", Crc.calculate(data))


# ------------------------------------------------------------- every file


_POWER_ON = "no date in the file: the device recorded times since power-on only"
#: The files (corpus and copies) refused as unreadable rather than skipped, and how
#: the reason starts: both carry times but no date to place them on a day.
REFUSED = {
    "antfs-dump.63.fit": _POWER_ON,
    "compressed-speed-distance.fit": _POWER_ON,
    "TestEncode.fit": "no session has a valid start time and no record carries a date",
}


def _check_file(data: bytes, name: str) -> None:
    """Summaries or a specific ActivityFileError; values equal fitparse's where it decodes."""
    ref = fitparse_reference(data)
    try:
        summaries = _read(data, name)
    except NotAnActivityFile as e:
        types = [t for t in ref.file_types if t is not None]
        if types and "activity" not in types:
            assert e.reason == f"FIT file of type '{types[0]}', not an activity"
        else:
            assert "no session" in e.reason
        return
    except ActivityFileError as e:
        assert e.path == name
        assert name in REFUSED, f"{name} refused: {e.reason}"
        assert e.reason.startswith(REFUSED[name])
        assert ref.error is None  # only clean files that carry no date at all are refused
        if "power-on" in e.reason:  # the raw value as fitparse reads it
            assert f"(session start_time {ref.sessions[0].start_time})" in e.reason
        return
    assert name not in REFUSED, f"{name} is listed as refused but was read"
    assert summaries
    assert [s.session_index for s in summaries] == list(range(len(summaries)))
    for s in summaries:
        assert s.start_utc.tzinfo is UTC
        assert s.source_format == "fit" and len(s.source_sha256) == 64
        assert s.distance_m >= 0 and s.timer_s >= 0 and s.elapsed_s >= 0
        assert (s.utc_offset_s is None) == (s.local_date is None) == (s.offset_source is None)
        if s.utc_offset_s is not None:
            assert abs(s.utc_offset_s) <= 14 * 3600 and s.utc_offset_s % 900 == 0
    if ref.error is not None:  # fitparse fails: the reader says what it did about it
        assert all(s.recovered or any("raw bytes" in n for n in s.notes) for s in summaries)
        return
    assert not any(s.recovered for s in summaries)
    if not ref.sessions:
        (s,) = summaries
        assert any(n.startswith("no session message: summary derived from") for n in s.notes)
        return
    assert len(summaries) == len(ref.sessions)
    for s, r in zip(summaries, ref.sessions, strict=True):
        assert s.start_utc == r.start_time.replace(tzinfo=UTC)
        if r.total_distance is not None:
            assert s.distance_m == pytest.approx(r.total_distance, abs=1e-6)
        timer, elapsed = r.total_timer_time, r.total_elapsed_time
        if timer is not None and elapsed is not None and elapsed < timer <= elapsed + 2:
            timer = elapsed  # a timer up to 2 s over the elapsed time is rounding: capped
        if timer is not None:
            assert s.timer_s == pytest.approx(timer, abs=1e-6)
        if elapsed is not None:
            assert s.elapsed_s == pytest.approx(elapsed, abs=1e-6)


@pytest.mark.parametrize("relpath", corpus_params())
def test_corpus_file_reads_or_fails_with_a_reason(relpath: str | None) -> None:
    data = corpus_bytes(relpath)
    assert relpath is not None
    _check_file(data, relpath.rsplit("/", 1)[-1])


@pytest.mark.parametrize("name", local_params())
def test_copied_file_reads_or_fails_with_a_reason(name: str) -> None:
    _check_file(local_bytes(name), name)


@pytest.mark.corpus
def test_copied_files_are_byte_identical_to_the_corpus() -> None:
    sums: dict[str, set[str]] = {}
    for row in manifest_rows():
        sums.setdefault(row["relpath"].rsplit("/", 1)[-1], set()).add(row["sha256"])
    for name in (p.values[0] for p in local_params()):
        assert hashlib.sha256(local_bytes(name)).hexdigest() in sums[name], name


# ------------------------------------------------------------- multisport, chained


def test_multisport_gives_one_summary_per_leg() -> None:
    legs = _read(local_bytes("activity_multisport.fit"), "activity_multisport.fit")
    assert [(s.sport, s.sub_sport) for s in legs] == [("cycling", "mountain"), ("running", "trail")]
    assert [is_running(s.sport) for s in legs] == [False, True]
    assert legs[0].start_utc == datetime(2020, 4, 20, 19, 56, 20, tzinfo=UTC)


def test_transition_legs_stay_their_own_sport() -> None:
    legs = _read(local_bytes("6471559601_ACTIVITY.fit"), "6471559601_ACTIVITY.fit")
    assert [s.sport for s in legs] == ["running", "transition", "rowing"]
    assert [is_running(s.sport) for s in legs] == [True, False, False]


def test_triathlon_with_summary_messages_first() -> None:
    legs = _read(local_bytes("triathlon_summary_first.fit"), "t.fit")
    assert [s.sport for s in legs] == ["swimming", "transition", "cycling", "transition", "running"]
    assert legs[0].sub_sport == "open_water"
    starts = [s.start_utc for s in legs]
    assert starts == sorted(starts)
    assert legs[4].distance_m == pytest.approx(4491.51)  # fitparse's total_distance
    assert {s.device for s in legs} == {"garmin fr255"}


def test_chained_parts_give_the_sessions_of_every_part() -> None:
    legs = _read(local_bytes("sample_mulitple_header.fit"), "s.fit")
    assert [s.sport for s in legs] == ["swimming", "transition", "cycling", "transition", "running"]
    assert legs[-1].distance_m == pytest.approx(9805.92)
    assert legs[0].device == "garmin fr920xt"
    # an activity followed by a chained settings file: the activity only
    (run,) = _read(local_bytes("activity-settings.fit"), "a.fit")
    assert run.sport == "running" and not run.recovered
    # an activity followed by chained HR-strap blocks
    (walk,) = _read(local_bytes("HrmPluginTestActivity.fit"), "h.fit")
    assert walk.sport == "walking" and walk.device == "garmin fr955"


def test_developer_fields_do_not_disturb_the_summary() -> None:
    (run,) = _read(local_bytes("developer-types-sample.fit"), "d.fit")
    assert (run.sport, run.distance_m, run.timer_s) == ("running", pytest.approx(6753.99), 3424.0)
    assert run.device == "stryd"


# ------------------------------------------------------------- not activities


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Settings.fit", "settings"),
        ("WorkoutRepeatSteps.fit", "workout"),
        ("MonitoringFile.fit", "monitoring_b"),
        ("2023-01-13_heartratef.fit", "workout"),
    ],
)
def test_non_activity_files_are_skipped_naming_their_type(name: str, kind: str) -> None:
    with pytest.raises(NotAnActivityFile) as info:
        _read(local_bytes(name), name)
    assert info.value.reason == f"FIT file of type '{kind}', not an activity"
    assert info.value.path == name


@pytest.mark.parametrize("name", ["DeveloperData.fit", "valid_only_contain_fileid.fit"])
def test_activity_files_with_nothing_to_summarise_are_skipped(name: str) -> None:
    with pytest.raises(NotAnActivityFile) as info:
        _read(local_bytes(name), name)
    assert re.search(r"no session and [01] dated record", info.value.reason)
    assert info.value.path == name


# ------------------------------------------------------------- damaged files

DAMAGED = {
    # name: (summaries, recovered, words in the notes)
    "activity-filecrc.fit": (1, True, "FIT file CRC mismatch (stored 0xB1D5, computed 0xA1D5)"),
    "activity-activity-filecrc.fit": (2, True, "CRC mismatch in chained part 2"),
    "activity-settings-corruptheader.fit": (1, True, "corrupt FIT header of chained part 2"),
    "activity-settings-nodata.fit": (1, True, "(chained part 2)"),
    "activity-unexpected-eof.fit": (1, True, "truncated FIT file: ended mid-message at byte 768"),
    "coros-pace-2-cycling-misaligned-fields.fit": (1, False, "read as raw bytes"),
    "strava-android-app-201.10-b1218918.fit": (1, True, "undefined local type 11 at byte 7471"),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(DAMAGED))
def test_damaged_files_recover_what_precedes_the_damage(name: str) -> None:
    count, recovered, words = DAMAGED[name]
    assert fitparse_reference(local_bytes(name)).error is not None  # fitparse alone fails
    summaries = _read(local_bytes(name), name)
    assert len(summaries) == count
    for s in summaries:
        assert s.recovered is recovered
        assert any(words in n for n in s.notes), s.notes


def test_damaged_values_match_the_manifest() -> None:
    # the SDK's Activity.fit, which the first five damaged files are built from
    for name in ("activity-filecrc.fit", "activity-unexpected-eof.fit"):
        (run,) = _read(local_bytes(name), name)
        assert run.start_utc == datetime(2012, 4, 9, 21, 22, 26, tzinfo=UTC)
        assert (run.distance_m, run.timer_s) == (pytest.approx(5.73), pytest.approx(13.749))
    (ride,) = _read(local_bytes("coros-pace-2-cycling-misaligned-fields.fit"), "c.fit")
    assert ride.start_utc == datetime(2020, 10, 25, 11, 10, 19, tzinfo=UTC)
    assert ride.elapsed_s == 12719 and ride.device == "coros pace 2"
    (run,) = _read(local_bytes("strava-android-app-201.10-b1218918.fit"), "s.fit")
    assert (run.sport, run.elapsed_s) == ("running", 3558)
    assert run.start_utc == datetime(2021, 9, 27, 14, 13, 10, tzinfo=UTC)


@pytest.mark.slow
@pytest.mark.corpus
def test_unterminated_file_without_session_is_derived_from_its_records() -> None:
    data = corpus_bytes("fit/python-fitparse/nick.fit")
    (ride,) = _read(data, "nick.fit")
    assert ride.recovered
    assert ride.start_utc == datetime(2020, 9, 12, 12, 23, 38, tzinfo=UTC)
    assert any("unterminated FIT data" in n for n in ride.notes)
    assert any("derived from 14391 records" in n for n in ride.notes)


def _patched_activity(offset: int, new: bytes) -> bytes:
    """The SDK Activity.fit with bytes replaced and its file CRC made right again."""
    data = bytearray(local_bytes("Activity.fit"))
    data[offset : offset + len(new)] = new
    return bytes(data[:-2]) + _fit_crc(bytes(data[:-2]))


def test_truncated_before_anything_usable_raises_a_specific_error() -> None:
    data = local_bytes("Activity.fit")[:40]
    with pytest.raises(ActivityFileError) as info:
        _read(data, "cut.fit")
    assert info.value.reason.startswith("truncated FIT file")
    assert not isinstance(info.value, NotAnActivityFile)


def test_header_declaring_zero_data_bytes_is_read_to_the_crc() -> None:
    data = _patched_activity(4, b"\x00\x00\x00\x00")
    (run,) = _read(data, "zero.fit")
    assert run.recovered and run.distance_m == pytest.approx(5.73)
    assert any("declares 0 data bytes" in n for n in run.notes)


def test_unterminated_data_keeps_the_messages_before_the_end() -> None:
    original = local_bytes("Activity.fit")
    size = struct.unpack_from("<I", original, 4)[0]
    data = bytearray(original)
    data[4:8] = struct.pack("<I", size - 3)  # the last message now runs past the end
    (run,) = _read(bytes(data), "short.fit")
    assert run.recovered and run.distance_m == pytest.approx(5.73)
    assert any("unterminated FIT data" in n for n in run.notes)


def test_trailing_garbage_is_named() -> None:
    (run,) = _read(local_bytes("Activity.fit") + b"\x00" * 20, "padded.fit")
    assert run.recovered
    assert any("corrupt FIT header of chained part 2 at byte 771" in n for n in run.notes)


def test_broken_session_start_falls_back_to_the_first_record() -> None:
    # Activity.fit is big-endian; the session's start_time is the uint32 at byte 677
    data = _patched_activity(677, b"\xff\xff\xff\xff")
    ref = fitparse_reference(data)
    assert ref.error is None and ref.sessions[0].start_time is None
    (run,) = _read(data, "nodate.fit")
    assert run.start_utc == datetime(2012, 4, 9, 21, 22, 26, tzinfo=UTC)  # first record
    assert any("no valid start time" in n for n in run.notes)
    assert not run.recovered


def test_relative_times_only_give_a_clear_error_not_a_date() -> None:
    # Forerunner 70 files (compressed timestamps) record seconds since power-on
    with pytest.raises(ActivityFileError, match="no date in the file") as info:
        _read(local_bytes("antfs-dump.63.fit"), "antfs-dump.63.fit")
    assert not isinstance(info.value, NotAnActivityFile)


# ------------------------------------------------------------- no session


def _reference_record_distances(data: bytes) -> list[float]:
    import fitparse

    return [
        d
        for m in fitparse.FitFile(data).get_messages("record")
        if (d := m.get_value("distance")) is not None
    ]


def test_no_session_is_derived_from_records() -> None:
    data = local_bytes("activity_truncated.fit")
    (run,) = _read(data, "activity_truncated.fit")
    assert run.start_utc == datetime(2012, 4, 9, 21, 22, 26, tzinfo=UTC)  # MANIFEST start
    assert run.distance_m == pytest.approx(max(_reference_record_distances(data)))
    assert any("no session message: summary derived from 14 records" in n for n in run.notes)
    assert not run.recovered


def test_no_session_ride_takes_distance_hr_and_offset_from_records() -> None:
    data = local_bytes("WithGearChangeData.fit")
    (ride,) = _read(data, "WithGearChangeData.fit")
    assert ride.start_utc == datetime(2022, 6, 22, 23, 8, 37, tzinfo=UTC)
    assert ride.distance_m == pytest.approx(max(_reference_record_distances(data)))
    assert ride.avg_hr is not None and ride.max_hr is not None and ride.avg_hr < ride.max_hr
    assert 0 < ride.timer_s <= ride.elapsed_s
    assert ride.device == "garmin edge_1040"
    assert ride.utc_offset_s == fitparse_reference(data).activity_offsets[0]


# ------------------------------------------------------------- local dates


def test_local_date_from_the_device_clock() -> None:
    data = local_bytes("garmin-fenix-5-run.fit")
    (run,) = _read(data, "garmin-fenix-5-run.fit")
    assert fitparse_reference(data).activity_offsets == (-25200.0,)
    assert (run.utc_offset_s, run.offset_source) == (-25200, "device")
    assert run.start_utc == datetime(2017, 6, 11, 14, 34, 9, tzinfo=UTC)
    assert run.local_date == date(2017, 6, 11)
    assert run.device == "garmin fenix5"


def test_local_date_from_the_start_position_without_a_device_clock() -> None:
    # Forerunner 110 in the Scottish Highlands (57.38 N, 4.43 W) in February: UTC+0
    (run,) = _read(local_bytes("2013-02-06-12-11-14.fit"), "fr110.fit")
    assert (run.utc_offset_s, run.offset_source) == (0, "position")
    assert run.local_date == date(2013, 2, 6)


def test_gzipped_fit_reads_the_same() -> None:
    data = local_bytes("activity-small-fenix2-run.fit")
    plain, packed = _read(data, "r.fit"), _read(gzip.compress(data), "r.fit.gz")
    assert [s.as_dict() for s in plain] == [s.as_dict() for s in packed]


# ------------------------------------------------------------- summary rules


def _part(session: FitSession, **kw: int | None) -> FitPart:
    return FitPart(index=0, start=0, file_type=4, sessions=[session], **kw)  # type: ignore[arg-type]


def _session(**kw: float | int | None) -> FitSession:
    base: dict[str, float | int | None] = {
        "start": 1_000_000_000,  # FIT seconds: 2021-09-08T01:46:40Z
        "sport": 1,
        "distance_m": 10_000.0,
        "timer_s": 3600.0,
        "elapsed_s": 3700.0,
    }
    base.update(kw)
    return FitSession(**base)  # type: ignore[arg-type]


def test_implausibly_long_sessions_are_kept_and_flagged() -> None:
    (s,) = summaries_from_parts([_part(_session(elapsed_s=27 * 86400.0))], "x.fit")
    assert s.elapsed_s == 27 * 86400
    assert any("27.0 days, which is implausible" in n for n in s.notes)


def test_timer_longer_than_elapsed_without_records_is_capped_and_noted() -> None:
    (s,) = summaries_from_parts([_part(_session(elapsed_s=3000.0))], "x.fit")
    assert (s.timer_s, s.elapsed_s) == (3000.0, 3000.0)
    assert any("longer than its elapsed time 3000 s" in n for n in s.notes)


def test_device_offset_is_rounded_and_crosses_midnight() -> None:
    start = 1_000_000_000
    part = _part(
        _session(start=start), activity_ts=start + 3700, activity_local_ts=start + 3700 - 7190
    )
    (s,) = summaries_from_parts([part], "x.fit")
    assert (s.utc_offset_s, s.offset_source) == (-7200, "device")
    assert s.start_utc == datetime(2021, 9, 8, 1, 46, 40, tzinfo=UTC)
    assert s.local_date == date(2021, 9, 7)  # 23:46 the evening before


def test_absurd_device_offset_is_ignored() -> None:
    start = 1_000_000_000
    part = _part(_session(start=start), activity_ts=start, activity_local_ts=0)
    (s,) = summaries_from_parts([part], "x.fit")
    assert s.utc_offset_s is None and s.offset_source is None


def test_missing_timer_takes_elapsed_and_zero_heart_rate_is_none() -> None:
    (s,) = summaries_from_parts([_part(_session(timer_s=None, avg_hr=0, max_hr=0))], "x.fit")
    assert s.timer_s == s.elapsed_s == 3700.0
    assert s.avg_hr is None and s.max_hr is None
    assert any("no timer time" in n for n in s.notes)


def test_unknown_sport_numbers_are_listed_as_unknown_with_their_number() -> None:
    (s,) = summaries_from_parts([_part(_session(sport=250, sub_sport=240))], "x.fit")
    assert (s.sport, s.sub_sport) == ("unknown", "sport_250")
    assert any("'sport_250' is not one loadwatch knows" in n for n in s.notes)
