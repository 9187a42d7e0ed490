"""The columns of Strava's ``activities.csv``, in the languages Strava exports them.

Strava writes the header in the account's language and repeats some names
(``Elapsed Time``, ``Distance``, ``Max Heart Rate``, ``Relative Effort``,
``Commute``), so columns are found by position, not by a dictionary of names:

1. each header cell is compared, ignoring case, accents and punctuation,
   with the known names below (English, German, French, Spanish, Dutch); the
   first cell with a name wins (the first ``Distance`` is km, the second metres);
2. when a column has no known name but at least :data:`POSITION_ANCHORS` of the
   recognised columns sit exactly where Strava's English layout puts them,
   the column is taken from its place in that layout, and marked as found by
   position.

:func:`match_columns` says which columns it recognised and how, so the import
can report it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

#: Canonical column -> names Strava uses for it (en, de, fr, es, nl; several spellings).
ALIASES: dict[str, tuple[str, ...]] = {
    "activity_id": (
        "Activity ID",
        "Aktivitäts-ID",
        "ID de l'activité",
        "ID de actividad",
        "ID de la actividad",
        "Activiteits-ID",
        "Activiteit-ID",
    ),
    "activity_date": (
        "Activity Date",
        "Aktivitätsdatum",
        "Datum der Aktivität",
        "Date de l'activité",
        "Fecha de la actividad",
        "Fecha de actividad",
        "Activiteitsdatum",
        "Datum activiteit",
    ),
    "activity_name": (
        "Activity Name",
        "Name der Aktivität",
        "Aktivitätsname",
        "Nom de l'activité",
        "Nombre de la actividad",
        "Nombre de actividad",
        "Naam activiteit",
        "Activiteitsnaam",
    ),
    "activity_type": (
        "Activity Type",
        "Aktivitätsart",
        "Aktivitätstyp",
        "Type d'activité",
        "Tipo de actividad",
        "Activiteitstype",
        "Type activiteit",
    ),
    "filename": (
        "Filename",
        "Dateiname",
        "Nom du fichier",
        "Nom de fichier",
        "Nombre de archivo",
        "Nombre del archivo",
        "Bestandsnaam",
    ),
    "moving_time": (
        "Moving Time",
        "Bewegungszeit",
        "Zeit in Bewegung",
        "Temps de déplacement",
        "Temps en mouvement",
        "Tiempo en movimiento",
        "Beweegtijd",
        "Tijd in beweging",
    ),
    "perceived_exertion": (
        "Perceived Exertion",
        "Wahrgenommene Anstrengung",
        "Empfundene Anstrengung",
        "Effort perçu",
        "Effort ressenti",
        "Esfuerzo percibido",
        "Ervaren inspanning",
        "Waargenomen inspanning",
    ),
}

#: Strava's English ``activities.csv`` layout (0-based position -> canonical column),
#: for the columns loadwatch reads.
ENGLISH_POSITIONS: dict[str, int] = {
    "activity_id": 0,
    "activity_date": 1,
    "activity_name": 2,
    "activity_type": 3,
    "filename": 12,
    "moving_time": 16,
    "perceived_exertion": 43,
}
#: Recognised columns that must sit at their English position before position is trusted.
POSITION_ANCHORS = 3


def normalise_header(text: str) -> str:
    """Lower case, accents and punctuation dropped: ``"Aktivitäts-ID"`` -> ``"aktivitatsid"``."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lstrip("\ufeff"))
    return "".join(c for c in decomposed.casefold() if c.isalnum())


_LOOKUP: dict[str, str] = {
    normalise_header(name): column for column, names in ALIASES.items() for name in names
}


@dataclass(slots=True)
class ColumnMatch:
    """Where each canonical column is (0-based index), its header text, and how it was found."""

    index: dict[str, int] = field(default_factory=dict)
    header: dict[str, str] = field(default_factory=dict)
    by_position: list[str] = field(default_factory=list)

    def get(self, row: Sequence[str], column: str) -> str:
        """The stripped cell of ``column`` in ``row`` ("" when absent)."""
        i = self.index.get(column)
        return row[i].strip() if i is not None and i < len(row) else ""

    def recognised(self) -> dict[str, str]:
        """Canonical column -> header text (with " (by position)" where so found)."""
        return {
            c: self.header[c] + (" (by position)" if c in self.by_position else "")
            for c in sorted(self.index, key=self.index.__getitem__)
        }


def match_columns(header: Sequence[str]) -> ColumnMatch:
    """Find loadwatch's columns in an ``activities.csv`` header row."""
    match = ColumnMatch()
    for i, cell in enumerate(header):
        column = _LOOKUP.get(normalise_header(cell))
        if column is not None and column not in match.index:
            match.index[column] = i
            match.header[column] = cell.strip()
    anchored = sum(ENGLISH_POSITIONS.get(c) == i for c, i in match.index.items())
    if anchored >= POSITION_ANCHORS:
        taken = set(match.index.values())
        for column, i in ENGLISH_POSITIONS.items():
            if column not in match.index and i < len(header) and i not in taken:
                match.index[column] = i
                match.header[column] = header[i].strip()
                match.by_position.append(column)
    return match


def parse_rpe(text: str) -> float | None:
    """Strava's Perceived Exertion (1-10; "7", "7.0" or "7,0") as a float, or None."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if 1 <= value <= 10 else None
