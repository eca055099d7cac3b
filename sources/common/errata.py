"""Published errata: known typos in public files, corrected at parse time with a written reason.

A source may keep ``sources/<source>/errata.csv`` (column, published_value, corrected_value,
reason). A cell whose exact published text is listed is replaced before casting and the parse
notes say so; anything not listed still fails loudly. This keeps a known, documented typo from
blocking a whole publication without ever guessing.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_SOURCES = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Erratum:
    column: str
    published_value: str
    corrected_value: str
    reason: str


@cache
def errata_for(source: str) -> dict[tuple[str, str], Erratum]:
    path = _SOURCES / source / "errata.csv"
    if not path.exists():
        return {}
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [Erratum(**row) for row in csv.DictReader(handle)]
    return {(e.column, e.published_value): e for e in rows}


def corrected(source: str, column: str, value: str | None) -> tuple[str | None, Erratum | None]:
    """The value to parse, and the erratum applied (None when the value is not a known typo)."""
    erratum = errata_for(source).get((column, value or ""))
    return (erratum.corrected_value, erratum) if erratum else (value, None)
