"""A CPU-time budget for reading one file.

Some damaged files send the FIT fallback decoder (pure Python) through
millions of tiny steps; one such file must not hold a whole import. The
budget is a profiling interval timer (``ITIMER_PROF``: CPU time of this
process): when it fires while a file is being read, :class:`ReadTimeout` is
raised inside the reader, which unwinds it like any other error, and the file
is reported by name. CPU time rather than wall-clock time, so that a busy
machine slows an import down but never makes a good file fail.

The timer exists only in the main thread of a process (an import's worker
processes, or the CLI itself); elsewhere (a web server thread) files are read
without a budget rather than not at all.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from loadwatch.errors import ActivityFileError


class ReadTimeout(ActivityFileError):
    """Reading one file took longer than its time budget."""


class _Deadline(BaseException):
    """Raised by the timer; a BaseException so readers' ``except Exception`` cannot eat it."""


def budget_available() -> bool:
    """True where a budget can be enforced (the main thread, on a system with SIGALRM)."""
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


_TIMER = getattr(signal, "ITIMER_PROF", 0)
_SIGNAL = getattr(signal, "SIGPROF", 0)


@contextmanager
def time_budget(seconds: float, name: str) -> Iterator[None]:
    """Raise :class:`ReadTimeout` naming ``name`` if the body uses more than ``seconds`` of CPU."""
    if seconds <= 0 or not budget_available():
        yield
        return
    armed = True

    def fire(_signum: int, _frame: Any) -> None:
        if armed:
            raise _Deadline

    previous = signal.signal(_SIGNAL, fire)
    signal.setitimer(_TIMER, seconds)
    try:
        yield
    except _Deadline:
        raise ReadTimeout(
            name,
            f"reading took more than {seconds:g} s of CPU time, the budget for one file "
            "(LOADWATCH_FILE_SECONDS); the file is probably damaged",
        ) from None
    finally:
        armed = False
        signal.setitimer(_TIMER, 0)
        signal.signal(_SIGNAL, previous)
