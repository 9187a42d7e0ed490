"""The loadwatch exception tree.

Every error a user can cause derives from :class:`LoadwatchError` and carries a
one-line, human message that says what went wrong (and, where possible, how to
fix it). Errors about one file carry the file's name so a batch import can
report it and carry on.
"""

from __future__ import annotations


class LoadwatchError(Exception):
    """Root of every error loadwatch raises on purpose."""


class ActivityFileError(LoadwatchError):
    """A file could not be read as an activity.

    ``path`` is the name the user knows the file by (for an archive member:
    ``archive.zip!inner/member.fit``); ``reason`` is a short human explanation.
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class NotAnActivityFile(ActivityFileError):
    """A readable file that holds no activity (FIT settings, workout, course...).

    Import skips it with ``reason`` instead of counting it as an error.
    """


class UnsupportedFormat(NotAnActivityFile):
    """A file whose name or content is not FIT, GPX or TCX (or a zip/gzip of them)."""


class StoreError(LoadwatchError):
    """The database could not be opened or written."""


class ValidationError(LoadwatchError):
    """User input (a pain score, a date, a CSV row...) is out of range or malformed."""
