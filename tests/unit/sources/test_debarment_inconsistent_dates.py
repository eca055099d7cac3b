"""Issue #24: a row the publisher printed ending before it starts is loaded, flagged and named in the
parse notes; the gate accepts it. The real case: the expired H-2A list's 'Dove Creek Farms' row
'2/9/2018' to '2/8/2018' (line 105 of tests/fixtures/real/debarment/oflc_expired_h2a_debarments_extracted.csv).
"""

from __future__ import annotations

import csv
from datetime import date

import pyarrow as pa

from expectations import suite_for
from expectations.validate import validate_parquet
from sources.debarment.contract import EXPIRED_H2A_DEBARMENTS, PROGRAM_DEBARMENTS
from sources.debarment.parse import PROGRAM_COLUMNS, parse_expired_h2a_debarments, parse_program_debarments
from sources.debarment.sample import write_expired_pdf, write_program_pdf
from tests.real_fixtures import REAL
from warehouse.stage import write_parquet

REAL_EXPIRED = REAL / "debarment" / "oflc_expired_h2a_debarments_extracted.csv"
COLUMNS = ("Name", "City, State", "Violation", "Duration", "Start date", "End date")


def _real_rows() -> list[tuple[str, ...]]:
    """The published rows around the inconsistent one (file lines 102-111), as printed."""
    with open(REAL_EXPIRED, encoding="utf-8", newline="") as handle:
        rows = [tuple(r[c] for c in COLUMNS) for r in csv.DictReader(handle)]
    return rows[100:110]


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

    assert len(parsed) == len(rows) == 10
    flagged = [r for r in parsed if r["has_inconsistent_dates"]]
    assert [(r["entity_name"], r["start_date"], r["end_date"], r["source_row"]) for r in flagged] == [
        ("Dove Creek Farms", date(2018, 2, 9), date(2018, 2, 8), 4)
    ]
    (warning,) = [n for n in result.notes if n.startswith("warning:")]
    assert "expired_h2a_debarments.pdf" in warning and "row 4" in warning
    assert "a debarment ends on or after it starts" in warning and "End date 2018-02-08" in warning
    # The re-published entry with the corrected end is a row of its own, not flagged.
    assert any(r["end_date"] == date(2020, 2, 8) and not r["has_inconsistent_dates"] for r in parsed)


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
