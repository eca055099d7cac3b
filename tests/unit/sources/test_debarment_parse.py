"""Debarment PDFs: the sample lists parse back to the planted debarments; real rows round-trip; bad PDFs fail."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime
from pathlib import Path

import pytest

from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.reference import STATE_BY_NAME
from sources.common.sample_world import STATES_BY_CODE, World, planted_debarments
from sources.debarment import SOURCE
from sources.debarment.cells import duration_months, parse_date, split_location
from sources.debarment.contract import expired_record_id, program_record_id
from sources.debarment.parse import PROGRAM_COLUMNS, parse_expired_h2a_debarments, parse_program_debarments
from sources.debarment.sample import add_table, new_document, write_expired_pdf, write_program_pdf

REAL_EXPIRED = (
    Path(__file__).parents[2] / "fixtures" / "real" / "debarment" / "oflc_expired_h2a_debarments_extracted.csv"
)
PROGRAM, EXPIRED = SOURCE.tables


def _program(path):
    return parse_program_debarments(path, file=path.name, sha256="0" * 64)


def _expired(path):
    return parse_expired_h2a_debarments(path, file=path.name, sha256="0" * 64)


def _real_rows() -> list[dict[str, str]]:
    with open(REAL_EXPIRED, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _pages(path) -> int:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return len(pdf.pages)


# ------------------------------------------------------------------------------ the sample


def test_program_list_parses_to_the_planted_current_debarments(world, tmp_path):
    program_pdf, _ = SOURCE.write_sample(world, tmp_path)
    table = _program(program_pdf).table.to_pylist()
    planted = {
        (d.program, d.start): d
        for d in planted_debarments(World(world.config))
        if not d.is_expired_on(world.config.today)
    }

    assert _pages(program_pdf) > 1
    assert [r["source_row"] for r in table] == list(range(1, len(table) + 1))
    h2 = [r for r in table if r["program"] != "PERM"]
    assert len(h2) == len(planted)
    for row in h2:
        debarment = planted[(row["program"], row["start_date"])]
        assert row["end_date"] == debarment.end
        assert row["violation"] == debarment.violation
        assert row["state_code"] == debarment.employer.state
        assert row["city"] == debarment.employer.city
        assert row["employer_location"] == f"{debarment.employer.city}, {STATES_BY_CODE[debarment.employer.state].name}"
        assert row["is_marked_asterisk"] == debarment.is_whd_debarment
        assert row["cfr_citation"] is None and "*" not in row["entity_name"]
    perm = [r for r in table if r["program"] == "PERM"]
    assert len(perm) == 24 and all(r["cfr_citation"].startswith("20 C.F.R. § 656.31") for r in perm)
    # Rows continue over pages without heading: page numbers never go back, and later lists start later.
    pages = [r["source_page"] for r in table]
    assert pages == sorted(pages) and max(pages) > 1


def test_ground_truth_names_every_parsed_entry(world, tmp_path):
    program_pdf, expired_pdf = SOURCE.write_sample(world, tmp_path)
    truth = {record: entity for entity, dataset, record, _ in world.truth.rows if dataset == "debarment"}
    current = _program(program_pdf).table.to_pylist()
    parsed = {program_record_id(r["program"], r["entity_name"], r["start_date"]) for r in current}
    parsed |= {
        expired_record_id(r["entity_name"], r["start_date"], r["violation"], r["duration_text"])
        for r in _expired(expired_pdf).table.to_pylist()
    }
    assert parsed == set(truth)
    names = {name for _, dataset, _, name in world.truth.rows if dataset == "debarment"}
    assert all(not n.endswith("*") for n in names)


def test_expired_list_parses_to_the_planted_expired_h2a_debarments(world, tmp_path):
    _, expired_pdf = SOURCE.write_sample(world, tmp_path)
    table = _expired(expired_pdf).table.to_pylist()
    planted = [
        d
        for d in planted_debarments(World(world.config))
        if d.is_expired_on(world.config.today) and d.program == "H-2A"
    ]
    assert sorted((r["start_date"], r["end_date"], r["violation"]) for r in table) == sorted(
        (d.start, d.end, d.violation) for d in planted
    )
    by_start = {d.start: d for d in planted}
    for row in table:
        debarment = by_start[row["start_date"]]
        assert row["state_code"] == debarment.employer.state
        assert row["is_marked_asterisk"] == debarment.is_whd_debarment
        assert row["duration_months"] == 12 * round((debarment.end - debarment.start).days / 365)


def test_sample_is_deterministic(world, tmp_path):
    first = [p.read_bytes() for p in SOURCE.write_sample(world, tmp_path / "a")]
    second = [p.read_bytes() for p in SOURCE.write_sample(World(world.config), tmp_path / "b")]
    assert first == second


def test_file_patterns_keep_the_two_lists_apart():
    for name in (
        "program_debarments.pdf",
        "Debarment_List_Revisions.pdf",
        "Debarment_List.pdf",
        "Program_Debarments_2026-10.pdf",
    ):
        assert PROGRAM.matches(name) and not EXPIRED.matches(name), name
    for name in ("expired_h2a_debarments.pdf", "Expired_H-2A_Debarments.pdf", "H2A_Expired_Debarment_List.pdf"):
        assert EXPIRED.matches(name) and not PROGRAM.matches(name), name
    assert not PROGRAM.matches("program_debarments.csv") and not EXPIRED.matches("expired.pdf")
    paths = [Path("Debarment_List_Revisions.pdf"), Path("program_debarments.pdf")]
    assert PROGRAM.pick(paths) == [Path("program_debarments.pdf")]
    assert [r.filename for r in PROGRAM.remote_files()] == ["program_debarments.pdf"]
    assert [r.filename for r in EXPIRED.remote_files()] == ["expired_h2a_debarments.pdf"]


# ------------------------------------------------------------------------------ real published rows


def _expected_date(text: str) -> date:
    for fmt in ("%m/%d/%Y", "%m/%d/%y"):
        try:
            parsed = datetime.strptime(text, fmt).date()
        except ValueError:
            continue
        if parsed.year > 1990:
            return parsed
    raise AssertionError(text)


def _expected_state(location: str) -> str | None:
    state = location.rpartition(",")[2].strip()
    return STATE_BY_NAME[state.upper()].code if state.upper() in STATE_BY_NAME else (state or None)


def _typo(row: dict[str, str]) -> bool:
    return row["End date"] == "12/1292017"  # a typo in the published list


def _cells(row: dict[str, str]) -> tuple[str, ...]:
    return tuple(row[c] for c in ("Name", "City, State", "Violation", "Duration", "Start date", "End date"))


def test_every_real_expired_row_round_trips(tmp_path):
    rows = [r for r in _real_rows() if not _typo(r)]
    assert len(rows) == 113
    pdf = write_expired_pdf([_cells(r) for r in rows], tmp_path / "expired_h2a_debarments.pdf")
    parsed = _expired(pdf).table.to_pylist()

    assert _pages(pdf) > 2 and len(parsed) == len(rows)
    for published, got in zip(rows, parsed, strict=True):
        name = " ".join(published["Name"].split())
        assert got["entity_name"] == name.rstrip("*").strip()
        assert got["is_marked_asterisk"] == name.endswith("*")
        assert got["location_as_published"] == (published["City, State"] or None)
        assert got["state_code"] == _expected_state(published["City, State"])
        assert got["violation"] == " ".join(published["Violation"].split())
        assert got["duration_text"] == published["Duration"]
        number, unit = published["Duration"].split()
        assert got["duration_months"] == int(number) * (12 if unit.startswith("year") else 1)
        assert got["start_date"] == _expected_date(published["Start date"])
        assert got["end_date"] == _expected_date(published["End date"])
    assert any("–" in r["violation"] for r in parsed) and any("§" in r["violation"] for r in parsed)
    assert any("’" in r["entity_name"] for r in parsed), "a typographic apostrophe survives"


def test_real_rows_typeset_as_program_lists_round_trip(tmp_path):
    """Real names (commas, '*', en dashes) in the current-list layout: continuation pages, a list starting mid-page."""
    rows = [r for r in _real_rows() if not _typo(r) and r["City, State"]]

    def program_row(r):
        start, end = _expected_date(r["Start date"]), _expected_date(r["End date"])
        long = f"{start:%B} {start.day}, {start.year}", f"{end:%B} {end.day}, {end.year}"
        return (r["Name"], "Employer", r["City, State"], *long, r["Violation"])

    lists = {
        "PERM": [(*program_row(r), "20 C.F.R. § 656.31(f)(1)(ii)") for r in rows[:10]],
        "H-2A": [program_row(r) for r in rows[10:75]],
        "H-2B": [program_row(r) for r in rows[75:]],
    }
    parsed = _program(write_program_pdf(lists, tmp_path / "program_debarments.pdf")).table.to_pylist()

    assert [r["program"] for r in parsed] == ["PERM"] * 10 + ["H-2A"] * 65 + ["H-2B"] * (len(rows) - 75)
    for published, got in zip(rows, parsed, strict=True):
        assert got["entity_name"] == " ".join(published["Name"].split()).rstrip("*")
        assert got["violation"] == " ".join(published["Violation"].split())
        assert got["start_date"] == _expected_date(published["Start date"])
    pages_by_program = {}
    for row in parsed:
        pages_by_program.setdefault(row["program"], set()).add(row["source_page"])
    assert len(pages_by_program["H-2A"]) > 1  # continued on a page without heading
    assert pages_by_program["H-2A"] & pages_by_program["H-2B"]  # one page ends H-2A and starts H-2B


def test_real_typo_is_corrected_by_its_documented_erratum(tmp_path):
    rows = _real_rows()
    pdf = write_expired_pdf([_cells(r) for r in rows], tmp_path / "expired_h2a_debarments.pdf")
    result = _expired(pdf)
    assert result.table.num_rows == len(rows) == 114
    (typo,) = [i for i, r in enumerate(rows) if _typo(r)]
    corrected = result.table.to_pylist()[typo]
    assert corrected["entity_name"] == rows[typo]["Name"]
    assert corrected["end_date"] == date(2017, 12, 29)
    assert any("errata.csv" in note and "12/1292017" in note for note in result.notes)
    (fix,) = json.loads(corrected["corrections"])
    assert (fix["column"], fix["published"], fix["corrected"]) == ("End date", "12/1292017", "12/29/2017")


def test_an_unknown_date_typo_fails_naming_page_row_column_and_value(tmp_path):
    rows = [dict(r, **{"End date": "12/1392017"}) if _typo(r) else r for r in _real_rows()]
    pdf = write_expired_pdf([_cells(r) for r in rows], tmp_path / "expired_h2a_debarments.pdf")
    with pytest.raises(ParseError) as error:
        _expired(pdf)
    problem = error.value.problems[0]
    assert error.value.rule == "types_parse"
    assert (problem.column, problem.value) == ("End date", "12/1392017")
    assert problem.row == next(i for i, r in enumerate(rows, start=1) if r["End date"] == "12/1392017")
    assert "page" in problem.message


# ------------------------------------------------------------------------------ broken or foreign files


def test_empty_and_corrupt_pdfs_fail_clearly(tmp_path, world):
    empty = tmp_path / "program_debarments.pdf"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        _program(empty)
    garbage = tmp_path / "expired_h2a_debarments.pdf"
    garbage.write_bytes(b"<html><body>Access denied</body></html>")
    with pytest.raises(ParseError) as error:
        _expired(garbage)
    assert error.value.rule == "pdf_readable" and error.value.file == garbage.name
    program_pdf, _ = SOURCE.write_sample(world, tmp_path / "sample")
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(program_pdf.read_bytes()[:1500])
    with pytest.raises(ParseError):
        _program(truncated)


def test_pdf_without_tables_fails_naming_pages(tmp_path):
    pdf = new_document("Program Debarments")
    pdf.multi_cell(0, 12, "This list is temporarily unavailable.")
    pdf.add_page()
    path = tmp_path / "program_debarments.pdf"
    pdf.output(str(path))
    with pytest.raises(ParseError) as error:
        _program(path)
    assert error.value.rule == "pdf_tables" and "pages 1-2" in str(error.value)


def test_lists_are_not_mistaken_for_each_other(world, tmp_path):
    program_pdf, expired_pdf = SOURCE.write_sample(world, tmp_path)
    with pytest.raises(UnknownLayoutError, match="program-debarments PDF"):
        _expired(program_pdf)
    with pytest.raises(ParseError) as error:
        _program(expired_pdf)
    assert error.value.rule == "list_heading" and "page 1" in str(error.value)


def _one_table(tmp_path, heading, header, rows):
    pdf = new_document("Program Debarments")
    add_table(pdf, [100, 60, 100, 90, 90, 100], heading, header, rows, spacer=False)
    path = tmp_path / "program_debarments.pdf"
    pdf.output(str(path))
    return path


ROW = ("Acme Farms, LLC*", "Employer", "Immokalee, Florida", "May 13, 2020", "May 12, 2023", "WHD Debarment")


def test_unknown_header_fails_naming_the_columns(tmp_path):
    header = [("Entity", "Entity Type", "Employer Location", "Start of Debarment", "End of Debarment", "Reason")]
    path = _one_table(tmp_path, "H-2A Labor Certification Debarment List", header, [ROW])
    with pytest.raises(UnknownLayoutError) as error:
        _program(path)
    columns = {p.column for p in error.value.problems}
    assert columns == {"Reason", "Violation"}


def test_rows_without_a_header_are_not_guessed(tmp_path):
    path = _one_table(tmp_path, "H-2A Labor Certification Debarment List", [], [ROW])
    with pytest.raises(UnknownLayoutError, match="before the H-2A header"):
        _program(path)


def test_one_list_parses_with_heading_header_and_asterisk(tmp_path):
    path = _one_table(tmp_path, "H-2B Labor Certification Debarment List", [PROGRAM_COLUMNS[:6]], [ROW])
    (row,) = _program(path).table.to_pylist()
    assert (row["program"], row["entity_name"], row["is_marked_asterisk"], row["city"], row["state_code"]) == (
        "H-2B",
        "Acme Farms, LLC",
        True,
        "Immokalee",
        "FL",
    )
    assert (row["start_date"], row["end_date"], row["cfr_citation"], row["source_page"]) == (
        date(2020, 5, 13),
        date(2023, 5, 12),
        None,
        1,
    )


# ------------------------------------------------------------------------------ cell helpers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("May 13, 2020", date(2020, 5, 13)),
        ("Sept. 5, 2021", date(2021, 9, 5)),
        ("February 25,2024", date(2024, 2, 25)),
        ("1/19/2014", date(2014, 1, 19)),
        ("7/17/19", date(2019, 7, 17)),
        ("2/8/20", date(2020, 2, 8)),
        ("12/1292017", None),
        ("Start of Debarment", None),
        ("", None),
        ("2/30/2020", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_duration_and_location_helpers():
    assert [duration_months(t) for t in ("1 year", "2 years", "18 months", "1 year 6 months", "forever", "")] == [
        12,
        24,
        18,
        18,
        None,
        None,
    ]
    assert split_location("S. Deerfield, Massachusetts") == ("S. Deerfield", "MA", True)
    assert split_location("Altheimer, AK") == ("Altheimer", "AK", True)  # kept as published
    assert split_location("Immokalee,  Florida") == ("Immokalee", "FL", True)
    assert split_location("") == (None, None, True)
    assert split_location("Somewhere, Ontario") == ("Somewhere", None, False)
