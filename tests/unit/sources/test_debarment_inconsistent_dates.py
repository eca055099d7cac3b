"""Issue #24: a row the publisher printed ending before it starts is loaded, flagged and named in the
parse notes; the gate accepts it. The real case: the expired H-2A list prints an entry ending a day
before it starts, and later repeats it with an end two years on; the fixture
(tests/fixtures/real/debarment/oflc_expired_h2a_debarments_extracted.csv, hand-written rows) has one
such pair (see its PROVENANCE.md).
"""

from __future__ import annotations

import csv
from datetime import date, datetime, timedelta

import pyarrow as pa

from expectations import suite_for
from expectations.validate import validate_parquet
from sources.debarment.contract import EXPIRED_H2A_DEBARMENTS, PROGRAM_DEBARMENTS
from sources.debarment.parse import PROGRAM_COLUMNS, parse_expired_h2a_debarments, parse_program_debarments
from sources.debarment.sample import write_expired_pdf, write_program_pdf
from tests.real_fixtures import REAL
from warehouse.ingest.stage import write_parquet

REAL_EXPIRED = REAL / "debarment" / "oflc_expired_h2a_debarments_extracted.csv"
COLUMNS = ("Name", "City, State", "Violation", "Duration", "Start date", "End date")


def _real_rows() -> list[tuple[str, ...]]:
    """The recorded rows from three before the one ending before it starts to its re-published entry."""
    with open(REAL_EXPIRED, encoding="utf-8", newline="") as handle:
        rows = [tuple(r[c] for c in COLUMNS) for r in csv.DictReader(handle)]
    (flagged,) = [i for i, r in enumerate(rows) if _date(r[5]) < _date(r[4])]
    (again,) = [i for i, r in enumerate(rows) if r[0] == rows[flagged][0] and i != flagged]
    assert again > flagged >= 3
    return rows[flagged - 3 : again + 1]


def _date(text: str) -> date:
    """A recorded M/D/YYYY or M/D/YY date; the day after any date for a cell that is not one (a typo)."""
    for fmt in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return date.max


def _flagged_cells(rows: list[tuple[str, ...]]) -> tuple[str, date, date]:
    (row,) = [r for r in rows if _date(r[5]) < _date(r[4])]
    return row[0], _date(row[4]), _date(row[5])


def _expired(tmp_path):
    rows = _real_rows()
    path = write_expired_pdf(rows, tmp_path / "expired_h2a_debarments.pdf")
    return rows, parse_expired_h2a_debarments(path, file=path.name, sha256="0" * 64)


def _gate(table: pa.Table, contract, tmp_path):
    parquet = write_parquet(table, tmp_path / f"{contract.table_name}.parquet")
    results = validate_parquet(parquet, contract, suite_for(contract.table_name))
    return {r.rule: r for r in results}


def test_an_expired_row_ending_before_it_starts_loads_flagged_with_a_warning(tmp_path):
    rows, result = _expired(tmp_path)
    parsed = result.table.to_pylist()

    name, start, end = _flagged_cells(rows)
    assert len(parsed) == len(rows) and end == start - timedelta(days=1)
    flagged = [r for r in parsed if r["has_inconsistent_dates"]]
    assert [(r["entity_name"], r["start_date"], r["end_date"], r["source_row"]) for r in flagged] == [
        (name, start, end, 4)
    ]
    (warning,) = [n for n in result.notes if n.startswith("warning:")]
    assert "expired_h2a_debarments.pdf" in warning and "row 4" in warning
    assert "a debarment ends on or after it starts" in warning and f"End date {end.isoformat()}" in warning
    # The re-published entry with the corrected end (two years on) is a row of its own, not flagged.
    (again,) = [r for r in parsed if r["entity_name"] == name and r["source_row"] != 4]
    assert (again["start_date"], again["has_inconsistent_dates"]) == (start, False)
    assert again["end_date"] == end.replace(year=end.year + 2)


def test_the_gate_accepts_the_flagged_row_and_still_refuses_an_unflagged_one(tmp_path):
    _, result = _expired(tmp_path)
    accepted = _gate(result.table, EXPIRED_H2A_DEBARMENTS, tmp_path)
    assert all(r.passed for r in accepted.values() if r.severity == "error"), [
        r for r in accepted.values() if not r.passed
    ]

    # A row ending before it starts that the parser did not flag is still an error.
    unflagged = result.table.set_column(
        result.table.schema.get_field_index("has_inconsistent_dates"),
        "has_inconsistent_dates",
        pa.array([False] * result.table.num_rows, pa.bool_()),
    )
    refused = _gate(unflagged, EXPIRED_H2A_DEBARMENTS, tmp_path / "unflagged")["debarment_ends_after_it_starts"]
    assert not refused.passed and refused.failing_count == 1


def test_a_program_debarment_ending_before_it_starts_loads_flagged_and_passes_the_gate(tmp_path):
    ending_early = ("Acme Farms, LLC", "Employer", "Immokalee, Florida", "May 13, 2020", "May 12, 2019")
    in_order = ("Beta Farms", "Employer", "Yakima, Washington", "June 1, 2021", "May 31, 2024")
    lists = {"H-2A": [(*ending_early, "WHD Debarment"), (*in_order, "WHD Debarment")]}
    path = write_program_pdf(lists, tmp_path / "program_debarments.pdf")
    result = parse_program_debarments(path, file=path.name, sha256="0" * 64)

    assert [r["has_inconsistent_dates"] for r in result.table.to_pylist()] == [True, False]
    assert any("row 1" in n and "End of Debarment 2019-05-12" in n for n in result.notes if n.startswith("warning:"))
    gate = _gate(result.table, PROGRAM_DEBARMENTS, tmp_path)
    assert gate["debarment_ends_after_it_starts"].passed
    assert PROGRAM_COLUMNS[3:5] == ("Start of Debarment", "End of Debarment")
