"""Import activity files, folders and whole exports into the store.

The one import path behind both the CLI and the dashboard:

1. every input is expanded into members (files on disk, zip members at any
   depth) without unpacking archives;
2. a zip member whose header (base name, size, CRC-32) matches a file
   stored from a zip is ``unchanged`` without being inflated; every other
   member's bytes are hashed (once): a file already in the store is
   ``unchanged``, a second copy within the same run is a ``duplicate``;
3. new files are decoded on all cores (a process pool for larger batches;
   in one process where a pool cannot start, e.g. inside a Celery worker);
4. each file's activities are committed in one transaction together with its
   source-file row (batches of files in a few statements, see
   :meth:`Store.add_files`), so an interrupted import leaves no half-imported
   activity and re-running it finishes the job;
5. an archive whose every member was handled is remembered by its sha256, so
   importing the same export again costs one hash of the zip.

Hostile or unlucky input is bounded (:mod:`loadwatch.ingest.limits`): members
inflate in steps under size and ratio limits, each file is read within a time
budget (:mod:`loadwatch.ingest.budget`), and activities no person could have
done are stored but flagged (:mod:`loadwatch.plausibility`), so they do not
count as load. An interrupt (Ctrl-C, SIGINT or SIGTERM to this process) stops
the workers at once and raises :class:`ImportInterrupted` with what was stored.
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import json
import multiprocessing
import os
import signal
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from collections.abc import Set as AbstractSet
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from loadwatch import __version__
from loadwatch.errors import ActivityFileError, LoadwatchError, NotAnActivityFile
from loadwatch.ingest import is_activity_name, maybe_gunzip, read_activity_bytes, sniff_format
from loadwatch.ingest.budget import time_budget
from loadwatch.ingest.limits import Limits
from loadwatch.ingest.sources import (
    ArchiveScan,
    ExpectedActivity,
    Hint,
    Member,
    Payload,
    file_member,
    is_zip_name,
    iter_paths,
    scan_archive,
)
from loadwatch.ingest.tz import format_offset, offset_in_zone
from loadwatch.model import UNKNOWN_SPORT, ActivitySummary
from loadwatch.plausibility import implausibility
from loadwatch.store import DEDUP_WINDOW, Athlete, FileRecord, Store, base_name, write_original

#: Below this many new files, decoding in-process beats starting workers.
POOL_THRESHOLD = 16
#: Files handed to the workers ahead of the results being stored (bounds memory).
IN_FLIGHT_PER_WORKER = 16
#: Files stored per transaction (each file is still all-or-nothing).
COMMIT_BATCH = 64


@dataclass
class ImportReport:
    """What an import did. ``as_json()`` is the ``--json`` output."""

    imported: int = 0  # files that added at least one new activity
    unchanged: int = 0  # files already in the store before this run
    duplicates: int = 0  # files whose bytes repeat another file of this run
    merged_duplicates: int = 0  # activities recognised as a run already stored from another file
    activities_added: int = 0
    ignored: int = 0  # non-activity files inside folders/archives (JSON, images...)
    skipped: list[dict[str, str]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    recovered: list[dict[str, str]] = field(default_factory=list)
    missing_from_archive: list[dict[str, Any]] = field(default_factory=list)
    wellness_days_imported: int = 0  # Garmin wellness days added or changed
    wellness_days_unchanged: int = 0  # wellness days already stored with these values
    #: per Strava activities.csv: {"path", "columns": {canonical column: header text}}
    columns_recognised: list[dict[str, Any]] = field(default_factory=list)
    #: per imported file, what the readers noticed or repaired: {"path", "notes": [...]}
    notes: list[dict[str, Any]] = field(default_factory=list)
    #: activities stored but not counted as load: {"path", "start_utc", "reason"}
    implausible: list[dict[str, str]] = field(default_factory=list)
    interrupted: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.errors)

    def as_json(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "merged_duplicates": self.merged_duplicates,
            "activities_added": self.activities_added,
            "skipped": self.skipped,
            "errors": self.errors,
            "recovered": self.recovered,
            "missing_from_archive": self.missing_from_archive,
            "wellness_days_imported": self.wellness_days_imported,
            "wellness_days_unchanged": self.wellness_days_unchanged,
            "columns_recognised": self.columns_recognised,
            "notes": self.notes,
            "implausible": self.implausible,
            "interrupted": self.interrupted,
        }

    def absorb(self, other: dict[str, Any]) -> None:
        """Add a stored per-archive report, replayed on re-import, as unchanged files."""
        self.unchanged += int(other.get("files", 0))
        self.skipped.extend(other.get("skipped", []))
        self.errors.extend(other.get("errors", []))
        self.missing_from_archive.extend(other.get("missing_from_archive", []))
        self.wellness_days_unchanged += int(other.get("wellness_days", 0))
        self.columns_recognised.extend(other.get("columns_recognised", []))


class ImportInterrupted(LoadwatchError):
    """The import was stopped by an interrupt; ``report`` says what was stored before it.

    Every stored file is whole; running the same import again finishes the job.
    """

    def __init__(self, report: ImportReport) -> None:
        super().__init__("import interrupted")
        self.report = report


@contextmanager
def interrupt_on_sigterm() -> Iterator[None]:
    """Turn SIGTERM (``kill``, a service manager, a container stop) into KeyboardInterrupt.

    Only in the main thread; the previous handler is restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Progress:
    """Progress callbacks; the CLI and the dashboard subclass this. Does nothing."""

    def start(self, total: int) -> None:
        """The number of files to look at is known."""

    def advance(self, name: str, outcome: str) -> None:
        """One file is done (outcome: imported, unchanged, duplicate, skipped, error)."""

    def finish(self) -> None:
        """The import is over."""


@dataclass(slots=True)
class _Decoded:
    display: str
    sha256: str | None  # None when the bytes could not even be unpacked
    size: int
    fmt: str | None
    summaries: list[ActivitySummary]
    notes: list[str]
    skip_reason: str | None = None
    error: str | None = None
    known: bool = False
    crc32: int | None = None  # of the bytes as their zip header describes them


def decode_member(
    display: str, raw: bytes, sha256: str, originals: Path | None, limits: Limits | None = None
) -> _Decoded:
    """Decode one file's bytes within its time budget.

    Never raises for file problems: they are reported by name.
    """
    limits = limits or Limits.from_env()
    fmt: str | None = None
    try:
        fmt = sniff_format(raw, display)
        if originals is not None:
            write_original(originals, sha256, raw, fmt)
        with time_budget(limits.budget_for(len(raw)), display):
            result = read_activity_bytes(raw, display, sha256)
        return _Decoded(display, sha256, len(raw), fmt, result.summaries, result.notes)
    except NotAnActivityFile as e:
        if originals is not None and fmt is not None:
            write_original(originals, sha256, raw, fmt)
        return _Decoded(display, sha256, len(raw), fmt, [], [], skip_reason=e.reason)
    except ActivityFileError as e:
        if originals is not None:
            write_original(originals, sha256, raw, fmt or "bin")
        return _Decoded(display, sha256, len(raw), fmt, [], [], error=e.reason)
    except Exception as e:  # a reader bug must not stop the batch: report it by name
        if originals is not None:
            write_original(originals, sha256, raw, fmt or "bin")
        reason = f"unexpected {type(e).__name__} while reading: {e}"
        return _Decoded(display, sha256, len(raw), fmt, [], [], error=reason)


def can_start_workers() -> bool:
    """Whether this process may start worker processes.

    A daemonic process (a Celery worker's pool process, a ``multiprocessing``
    daemon) cannot have children: there the importer decodes in-process.
    Celery's billiard registers its processes with ``multiprocessing``, so one
    check covers both.
    """
    return not multiprocessing.current_process().daemon


#: sha256 of files already in the store, set in each worker process by _init_worker.
_KNOWN: frozenset[str] = frozenset()


def _init_worker(known: frozenset[str]) -> None:
    global _KNOWN
    _KNOWN = known
    # The main process owns interrupts: it terminates the workers itself. A
    # terminal's Ctrl-C reaches every process of the group; workers ignore it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def process_payload(
    display: str,
    payload: Payload,
    originals: Path | None,
    known: AbstractSet[str] | None = None,
    limits: Limits | None = None,
) -> _Decoded:
    """Everything one file costs, done where it runs (a worker process for large batches):
    inflate, un-gzip, hash, and decode unless the store already has these bytes.

    A member over a limit is refused before anything of it is written anywhere.
    """
    limits = limits or Limits.from_env()
    try:
        inflated = payload.inflate(display, limits)
        raw = maybe_gunzip(inflated, display, limits)
    except ActivityFileError as e:
        return _Decoded(display, None, len(payload.data), None, [], [], error=e.reason)
    sha = hashlib.sha256(raw).hexdigest()
    if sha in (_KNOWN if known is None else known):
        return _Decoded(display, sha, len(raw), None, [], [], known=True)
    decoded = decode_member(display, raw, sha, originals, limits)
    # inflate() checked the header's CRC against these very bytes (not when un-gzipped)
    decoded.crc32 = payload.crc if raw is inflated else None
    return decoded


@dataclass(slots=True)
class _Source:
    """One top-level input: a plain file, or a scanned archive."""

    label: str
    members: list[Member]
    scan: ArchiveScan | None = None
    archive_sha: str | None = None
    archive_size: int = 0
    report: ImportReport = field(default_factory=ImportReport)


class Importer:
    """Imports into one store for one athlete. Use :func:`import_paths` for the common case."""

    def __init__(
        self,
        store: Store,
        athlete: str | None = None,
        *,
        keep_originals: bool = True,
        workers: int | None = None,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> None:
        self.store = store
        self.limits = limits or Limits.from_env()
        self.athlete: Athlete = store.athlete(athlete)
        self.originals = store.originals_dir if keep_originals else None
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.progress = progress or Progress()
        self.report = ImportReport()
        #: decoded files waiting to be stored (see :meth:`_drain`)
        self._ready: list[tuple[_Source, Hint | None, _Decoded]] = []

    # ------------------------------------------------------------------ public
    def run(self, paths: Iterable[str | Path]) -> ImportReport:
        """Import ``paths``; raises :class:`ImportInterrupted` on an interrupt."""
        if self.originals is not None:
            self.store.sweep_stale_temp()
        sources: list[_Source] = []
        try:
            sources = list(self._sources([Path(p) for p in paths]))
            total = sum(len(s.members) for s in sources)
            self.progress.start(total)
            self._process(sources)
        except KeyboardInterrupt:
            self.report.interrupted = True
            raise ImportInterrupted(self.report) from None
        finally:
            for s in sources:
                if s.scan is not None:
                    s.scan.close()
            self.progress.finish()
        return self.report

    # ------------------------------------------------------------ expansion
    def _sources(self, paths: list[Path]) -> Iterator[_Source]:
        for p in paths:
            if not p.exists():
                self.report.errors.append({"path": str(p), "error": "no such file or folder"})
        explicit = {p for p in paths if p.is_file()}
        loose: list[Member] = []
        for path in iter_paths([p for p in paths if p.exists()]):
            if is_zip_name(path.name):
                yield from self._archive_source(path)
            elif is_activity_name(path.name):
                loose.append(file_member(path, self.limits))
            elif path in explicit:
                self.report.skipped.append(
                    {"path": str(path), "reason": "not a FIT, GPX, TCX or zip file"}
                )
            else:
                self.report.ignored += 1
        if loose:
            yield _Source("files", loose)

    def _archive_source(self, path: Path) -> Iterator[_Source]:
        try:
            sha, size = _file_sha256(path)
        except OSError as e:
            self.report.errors.append({"path": str(path), "error": f"cannot read ({e.strerror})"})
            return
        stored = self.store.archive_report(self.athlete, sha)
        if stored is not None:
            previous = json.loads(stored)
            # Unchanged archive: replay its report. But if some members failed and
            # loadwatch has changed since, read it again: a newer reader may manage.
            # A report without "wellness_days" predates the wellness import: read again.
            fresh = not previous.get("errors") or previous.get("loadwatch") == __version__
            if fresh and "wellness_days" in previous:
                self.report.absorb(previous)
                return
        try:
            scan = scan_archive(path, self.limits)
        except ActivityFileError as e:
            self.report.errors.append({"path": e.path, "error": e.reason})
            return
        src = _Source(str(path), scan.members, scan, sha, size)
        for display, reason in scan.problems:
            src.report.errors.append({"path": display, "error": reason})
        yield src

    # ----------------------------------------------------------- processing
    def _process(self, sources: list[_Source]) -> None:
        known = frozenset(self.store.known_hashes(self.athlete))
        # files stored from a zip: a member its header shows to be one is not read again
        headers = (
            self.store.known_zip_members(self.athlete)
            if any(s.scan is not None for s in sources)
            else set()
        )
        seen: set[str] = set()
        pool: ProcessPoolExecutor | None = None
        pending: deque[tuple[_Source, Hint | None, Future[_Decoded] | _Decoded]] = deque()
        many = sum(len(s.members) for s in sources) >= POOL_THRESHOLD
        if self.workers > 1 and many and can_start_workers():
            pool = ProcessPoolExecutor(
                max_workers=self.workers, initializer=_init_worker, initargs=(known,)
            )
        window = IN_FLIGHT_PER_WORKER * max(1, self.workers)
        current: _Source | None = None
        try:
            for src in sources:
                current = src
                for member in src.members:
                    try:
                        payload = member.fetch()
                    except ActivityFileError as e:
                        src.report.errors.append({"path": e.path, "error": e.reason})
                        self.progress.advance(member.display, "error")
                        continue
                    if _header_key(member.display, payload) in headers:
                        src.report.unchanged += 1
                        self.progress.advance(member.display, "unchanged")
                        continue
                    job: Future[_Decoded] | _Decoded = (
                        pool.submit(
                            process_payload,
                            member.display,
                            payload,
                            self.originals,
                            None,
                            self.limits,
                        )
                        if pool
                        else process_payload(
                            member.display, payload, self.originals, known, self.limits
                        )
                    )
                    pending.append((src, member.hint, job))
                    self._drain(pending, seen, keep=window)
                self._drain(pending, seen, keep=0)
                current = None
                self._finish_source(src)
        except BaseException:
            # Stop now: workers are killed, queued files dropped. What was committed
            # is whole; the source in progress is reported but not marked done.
            if pool is not None:
                _stop_pool(pool)
                pool = None
            if current is not None:
                self._merge(current.report)
            raise
        finally:
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)

    def _drain(
        self,
        pending: deque[tuple[_Source, Hint | None, Future[_Decoded] | _Decoded]],
        seen: set[str],
        *,
        keep: int,
    ) -> None:
        """Store finished results from the head of the queue, in order, in batches of
        ``COMMIT_BATCH`` (``keep=0``: everything, the last batch as it is).

        Waits only while more than ``keep`` files are in flight (bounding memory).
        Finished results wait in ``self._ready`` until a batch is full: storing
        a few files at a time would cost nearly as much per file as one by one.
        """
        ready = self._ready
        while pending and (len(pending) > keep or _done(pending[0][2])):
            src, hint, job = pending.popleft()
            ready.append((src, hint, job.result() if isinstance(job, Future) else job))
            if len(ready) >= COMMIT_BATCH:
                self._commit(ready, seen)
                ready.clear()
        if keep == 0 and ready:
            self._commit(ready, seen)
            ready.clear()

    def _commit(self, batch: list[tuple[_Source, Hint | None, _Decoded]], seen: set[str]) -> None:
        """One transaction for a batch of decoded files (each file whole or absent)."""
        to_store: list[tuple[_Source, _Decoded, FileRecord, list[ActivitySummary]]] = []
        for src, hint, d in batch:
            rep = src.report
            if d.sha256 is None:  # could not even be unpacked: nothing to remember it by
                rep.errors.append({"path": d.display, "error": d.error or "unreadable"})
                self.progress.advance(d.display, "error")
                continue
            if d.known:
                rep.unchanged += 1
                self.progress.advance(d.display, "unchanged")
                continue
            if d.sha256 in seen:
                rep.duplicates += 1
                self.progress.advance(d.display, "duplicate")
                continue
            seen.add(d.sha256)
            if d.error is not None:
                record = FileRecord(
                    d.sha256, d.display, d.size, d.fmt, "error", d.error, crc32=d.crc32
                )
                to_store.append((src, d, record, []))
            elif d.skip_reason is not None:
                record = FileRecord(
                    d.sha256, d.display, d.size, d.fmt, "skipped", d.skip_reason, crc32=d.crc32
                )
                to_store.append((src, d, record, []))
            else:
                summaries = [self._localize(s, hint) for s in d.summaries]
                for s in summaries:
                    s.implausible = implausibility(s)
                recovered = any(s.recovered for s in summaries)
                d.notes = list(dict.fromkeys([*d.notes, *(n for x in summaries for n in x.notes)]))
                note = "; ".join(d.notes) or None
                record = FileRecord(
                    d.sha256, d.display, d.size, d.fmt, "imported", note, recovered, d.crc32
                )
                to_store.append((src, d, record, summaries))
        if not to_store:
            return
        outcomes = self.store.add_files(self.athlete, [(r, s) for _, _, r, s in to_store])
        for (src, d, record, summaries), outcome in zip(to_store, outcomes, strict=True):
            rep = src.report
            if outcome.error is not None:
                rep.errors.append({"path": d.display, "error": outcome.error})
                self.progress.advance(d.display, "error")
            elif outcome.already_known:  # another import stored it meanwhile
                rep.unchanged += 1
                self.progress.advance(d.display, "unchanged")
            elif record.outcome == "error":
                rep.errors.append({"path": d.display, "error": record.error or ""})
                self.progress.advance(d.display, "error")
            elif record.outcome == "skipped":
                rep.skipped.append({"path": d.display, "reason": record.error or ""})
                self.progress.advance(d.display, "skipped")
            else:
                rep.activities_added += outcome.inserted
                rep.merged_duplicates += outcome.merged
                if record.recovered:
                    rep.recovered.append({"path": d.display, "note": record.error or ""})
                if d.notes:
                    rep.notes.append({"path": d.display, "notes": d.notes})
                rep.implausible.extend(
                    {
                        "path": d.display,
                        "start_utc": s.start_utc.isoformat(),
                        "reason": s.implausible,
                    }
                    for s in summaries
                    if s.implausible
                )
                if outcome.inserted:
                    rep.imported += 1
                self.progress.advance(d.display, "imported" if outcome.inserted else "merged")

    def _localize(self, s: ActivitySummary, hint: Hint | None) -> ActivitySummary:
        if hint is not None:
            if hint.name:  # the name the user gave it in the service wins over the file's
                s.name = hint.name
            if hint.sport and s.sport in ("generic", UNKNOWN_SPORT):
                s.sport, s.sub_sport = hint.sport, hint.sub_sport
                s.notes = [n for n in s.notes if "is not one loadwatch knows" not in n]
            if hint.rpe is not None:
                s.rpe = hint.rpe
        # a device clock that says UTC is the weakest evidence of a zone: the
        # athlete's own zone overrides it
        if s.offset_source == "device_utc" and self.athlete.tz:
            s = dataclasses.replace(s, utc_offset_s=None, local_date=None)
        if s.utc_offset_s is not None and s.local_date is not None:
            return s
        if self.athlete.tz:
            return s.localized(offset_in_zone(self.athlete.tz, s.start_utc), "athlete_zone")
        offset = int((s.start_utc.astimezone().utcoffset() or timedelta(0)).total_seconds())
        s.notes.append(
            "no time zone in the file, no position and no athlete zone: the local date uses "
            f"this computer's zone (UTC{format_offset(offset)}); set the athlete's zone with "
            "'loadwatch athletes set NAME --tz ZONE' and import again"
        )
        return s.localized(offset, "system_zone")

    def _finish_source(self, src: _Source) -> None:
        wellness_days = 0
        if src.scan is not None:
            src.report.missing_from_archive.extend(self._missing(src.scan.expected))
            wellness_days = self._import_wellness(src)
            if src.scan.columns:
                src.report.columns_recognised.append(
                    {"path": f"{src.label}!activities.csv", "columns": src.scan.columns}
                )
        self._merge(src.report)
        if src.scan is not None and src.archive_sha is not None:
            stored = {
                "loadwatch": __version__,
                "files": len(src.members),
                "errors": src.report.errors,
                "skipped": src.report.skipped,
                "missing_from_archive": src.report.missing_from_archive,
                "wellness_days": wellness_days,
                "columns_recognised": src.report.columns_recognised,
            }
            self.store.mark_archive_done(
                self.athlete,
                src.archive_sha,
                src.archive_size,
                src.label,
                src.scan.layout,
                json.dumps(stored),
            )

    def _import_wellness(self, src: _Source) -> int:
        """Store the Garmin wellness days of an archive; returns how many days it holds."""
        from loadwatch.ingest.wellness import read_wellness_members
        from loadwatch.store import WellnessDay

        if src.scan is None or not src.scan.wellness:
            return 0
        read = read_wellness_members(src.scan.wellness)
        for display, reason in read.problems:
            src.report.errors.append({"path": display, "error": reason})
        name = self.athlete.name
        rows = [WellnessDay(name, d.date, "garmin", **d.values()) for d in read.days]
        outcome = self.store.upsert_wellness(rows)
        src.report.wellness_days_imported += outcome.added + outcome.updated
        src.report.wellness_days_unchanged += outcome.unchanged
        return len(rows)

    def _missing(self, expected: list[ExpectedActivity]) -> list[dict[str, Any]]:
        """Activities an export's index lists that no file in it provided."""
        if not expected:
            return []
        starts = sorted(a.start_utc for a in self.store.activity_rows(self.athlete.name))
        names: list[tuple[datetime, str]] = []
        missing: list[dict[str, Any]] = []
        for exp in expected:
            if exp.source == "strava csv":
                if exp.reason:
                    missing.append(_missing_row(exp))
                continue
            if exp.start_utc is None:
                continue
            i = bisect.bisect_left(starts, exp.start_utc - DEDUP_WINDOW)
            if i < len(starts) and starts[i] <= exp.start_utc + DEDUP_WINDOW:
                if exp.name:
                    names.append((exp.start_utc, exp.name))
            else:
                exp.reason = "listed in the Garmin activity summary, but no file in the export"
                missing.append(_missing_row(exp))
        if names:
            self.store.name_activities(self.athlete, names)
        return missing

    def _merge(self, part: ImportReport) -> None:
        r = self.report
        for key in (
            "imported",
            "unchanged",
            "duplicates",
            "merged_duplicates",
            "activities_added",
            "ignored",
            "wellness_days_imported",
            "wellness_days_unchanged",
        ):
            setattr(r, key, getattr(r, key) + getattr(part, key))
        r.columns_recognised.extend(part.columns_recognised)
        r.skipped.extend(part.skipped)
        r.errors.extend(part.errors)
        r.recovered.extend(part.recovered)
        r.missing_from_archive.extend(part.missing_from_archive)
        r.notes.extend(part.notes)
        r.implausible.extend(part.implausible)


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Terminate the workers at once (a graceful shutdown can wait forever on a worker
    blocked sending a result nobody reads) and drop what is queued."""
    # ProcessPoolExecutor has no public way to kill its workers; _processes is
    # the documented-in-source map of worker pid -> Process.
    workers = list((getattr(pool, "_processes", None) or {}).values())
    for p in workers:
        p.terminate()
    pool.shutdown(wait=False, cancel_futures=True)
    for p in workers:
        p.join(timeout=1)


def _done(job: Future[_Decoded] | _Decoded) -> bool:
    return not isinstance(job, Future) or job.done()


def _missing_row(exp: ExpectedActivity) -> dict[str, Any]:
    row = asdict(exp)
    row["start_utc"] = exp.start_utc.isoformat() if exp.start_utc else None
    return row


def _header_key(display: str, payload: Payload) -> tuple[str, int, int] | None:
    """What a zip header says of a member (base name, inflated size, CRC-32), or None
    for a plain file: equal to a stored file's, the member is that file."""
    if payload.crc is None or payload.size is None:
        return None
    return base_name(display), payload.size, payload.crc


def _file_sha256(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def import_paths(
    store: Store,
    paths: Iterable[str | Path],
    *,
    athlete: str | None = None,
    keep_originals: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ImportReport:
    """Import files, folders and archives for ``athlete`` (the default athlete when None)."""
    importer = Importer(
        store,
        athlete,
        keep_originals=keep_originals,
        workers=workers,
        progress=progress,
        limits=limits,
    )
    return importer.run(paths)
