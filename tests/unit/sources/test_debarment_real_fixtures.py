"""Issue #14: the OFLC program debarment list as really published (tests/fixtures/real/debarment/).

The recorded rows (and the malformed cells issue #14 quotes from the real PDFs) are typeset into a
PDF laid out like DOL's and parsed back: every row loads; tolerant reads and corrections are kept
per row with their reason; a date nobody can read is an error naming its row.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from sources.common.errors import ParseError
from sources.debarment import SOURCE
from sources.debarment.cells import split_footnote
from sources.debarment.parse import parse_program_debarments
from sources.debarment.sample import write_program_pdf
from tests.real_fixtures import REAL, recording

DEBARMENT = REAL / "debarment"


def _lists(rows: list[dict[str, str]]) -> dict[str, list[tuple[str, ...]]]:
    """program -> rows of published cells (PERM has the CFR Citation column, H-2A/H-2B do not)."""
    lists: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        cells = [v for k, v in row.items() if k != "program"]
        lists.setdefault(row["program"], []).append(tuple(cells if row["program"] == "PERM" else cells[:6]))
    return lists


def _typeset(rows: list[dict[str, str]], path: Path) -> Path:
    return write_program_pdf(_lists(rows), path)


def _parse(path: Path):
    return parse_program_debarments(path, file=path.name, sha256="0" * 64)


def test_recorded_real_rows_parse(tmp_path):
    _, rows = recording(DEBARMENT / "program_debarments_rows.csv")
    pdf = _typeset(rows, tmp_path / "program_debarments.pdf")
    parsed = _parse(pdf).table.to_pylist()
    assert (
        Counter(r["program"] for r in parsed)
        == Counter(r["program"] for r in rows)
        == {"PERM": 2, "H-2A": 4, "H-2B": 1}
    )
    assert sum(r["is_marked_asterisk"] for r in parsed) == sum(r["Entity"].endswith("*") for r in rows) == 2
    assert all(r["corrections"] is None for r in parsed), "the real rows read as published"
    assert SOURCE.table("program_debarments").recognise(pdf)


def _published_with(rows: list[dict[str, str]], column: str, value: str) -> str:
    """The entity name (footnote marker stripped) of the one recorded row whose cell has `value`."""
    (name,) = [split_footnote(r["Entity"])[0] for r in rows if value in r[column]]
    return name


def test_issue_14_malformed_cells_load_with_their_corrections(tmp_path):
    _, rows = recording(DEBARMENT / "program_debarments_quirks.csv")
    result = _parse(_typeset(rows, tmp_path / "program_debarments.pdf"))
    parsed = {r["entity_name"]: r for r in result.table.to_pylist()}
    assert len(parsed) == len(rows) == 5

    permanent = parsed[_published_with(rows, "End of Debarment", "Permanent")]
    assert (permanent["is_permanent"], permanent["end_date"]) == (True, None)

    double_star = parsed[_published_with(rows, "Entity", "**")]
    assert (double_star["footnote_marker"], double_star["start_date"]) == ("**", date(2022, 9, 24))
    assert json.loads(double_star["corrections"])[0]["reason"] == "stray punctuation in the published date"

    cut_short = parsed[_published_with(rows, "Entity Type", "Labor Contracto")]
    assert (cut_short["entity_type"], cut_short["state_code"]) == ("Labor Contractor", "GA")
    reasons = {fix["column"]: fix["reason"] for fix in json.loads(cut_short["corrections"])}
    assert reasons == {
        "Entity Type": "entity type cut short in the PDF cell",
        "Employer Location": "misspelt state name, read as Georgia",
    }

    kentucy = parsed[_published_with(rows, "Employer Location", "Kentucy")]
    assert (kentucy["entity_type"], kentucy["state_code"], kentucy["start_date"]) == (
        "Labor Contractor",
        "KY",
        date(2022, 9, 24),
    )
    (digit,) = [r for r in parsed.values() if r["footnote_marker"] == "1"]
    assert digit["program"] == "H-2B" and not digit["entity_name"][-1].isdigit()
    assert sum(len(json.loads(r["corrections"] or "[]")) for r in parsed.values()) == 5
    assert any("Kentucy" in note for note in result.notes), "every correction is listed in the parse notes"


def test_a_date_that_cannot_be_read_is_an_error_naming_its_row(tmp_path):
    _, rows = recording(DEBARMENT / "program_debarments_rows.csv")
    rows[4]["Start of Debarment"] = "September 19, 202"  # as issue #14 quotes it; row 5 of the list
    with pytest.raises(ParseError) as error:
        _parse(_typeset(rows, tmp_path / "program_debarments.pdf"))
    (problem,) = error.value.problems
    assert (problem.row, problem.column, problem.value) == (5, "Start of Debarment", "September 19, 202")
    assert "errata.csv" in problem.message


def test_the_sample_typesets_the_real_column_names():
    """The sample and the parser share the list's column names: those must be the recorded real ones."""
    from sources.debarment.parse import PROGRAM_COLUMNS

    header, _ = recording(DEBARMENT / "program_debarments_rows.csv")
    assert list(PROGRAM_COLUMNS) == header[1:]
