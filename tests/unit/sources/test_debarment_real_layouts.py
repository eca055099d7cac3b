"""Issue #24: debarment PDFs users tried, refused before. Header cells are read by meaning; the
2012-2015 four-column lists parse. Header texts and cell spellings are the real ones recorded in
tests/fixtures/real/debarment/PROVENANCE.md ("Older editions"); the PDFs are typeset here.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest

from sources.common.errors import UnknownLayoutError
from sources.debarment import SOURCE
from sources.debarment.cells import header_key
from sources.debarment.parse import (
    PROGRAM_COLUMN_SPELLINGS,
    PROGRAM_COLUMNS,
    PROGRAM_TABLE,
    _Item,
    _ListReader,
    parse_program_debarments,
)
from sources.debarment.sample import add_table, new_document

H2A = "H-2A Labor Certification Debarment List"
H2B = "H-2B Labor Certification Debarment List"
PERM = "Permanent Labor Certification Debarment List"
# The header of every list of the 2014-07 to 2015-09 editions, as pdfplumber extracts it.
OLD_HEADER = ("Employer Name", "Employer Location", "Start of Debarment", "End of Debarment")
# Rows as the 2015-02 edition prints them (see PROVENANCE.md).
OLD_H2A = [
    ("Cisco Produce, Inc.", "Cairo, Georgia", "December 10, 2014", "December 9, 2016"),
    ("F & W Farms", "Ingalls, Kansas", "December 10, 2014", "December 9, 2015"),
    ("Anton Fertilizer, Inc.", "Dighton, Kansas", "March 30, 2014", "March 29, 2016"),
]
OLD_H2A_CONTINUED = [("Passarell Farms DBA Dale Passarell", "Holley, New York", "March 16, 2013", "March 15, 2015")]
OLD_H2B = [("JAG Premier, Inc.", "New Orleans, Louisiana", "January 14, 2015", "January 13, 2017")]
OLD_PERM = [("Botno, Inc.", "Stockton, IL", "August 18, 2012", "August 17, 2015")]
CURRENT_ROW = ("BB Tollamar, LLC", "Employer", "Yakima, Washington", "May 13, 2020", "May 12, 2023", "WHD Debarment")
OLD_WIDTHS = [150, 130, 130, 130]


def _parse(path):
    return parse_program_debarments(path, file=path.name, sha256="0" * 64)


def test_header_cells_are_compared_by_meaning():
    assert header_key("Start ofDebarment") == header_key("Start of Debarment") == header_key("Start of\nDebarment")
    assert header_key("START OF DEBARMENT.") == header_key("Start of Debarment")
    assert PROGRAM_TABLE.column("Start ofDebarment") == "Start of Debarment"
    assert PROGRAM_TABLE.column("Employer\nLocation") == "Employer Location"
    assert PROGRAM_TABLE.column("Employer Name") == "Entity"
    assert PROGRAM_TABLE.column("Start") is None, "no real file spells a column 'Start'"
    assert set(PROGRAM_COLUMN_SPELLINGS) == set(PROGRAM_COLUMNS)


def test_a_header_cell_with_words_run_together_is_accepted(tmp_path):
    """The 2015 and 2021 PDFs users tried: pdfplumber extracts 'Start ofDebarment'."""
    header = ("Entity", "Entity Type", "Employer Location", "Start ofDebarment", "End of Debarment", "Violation")
    pdf = new_document("Program Debarments")
    add_table(pdf, [124, 62, 100, 72, 72, 110], H2A, [header], [CURRENT_ROW], spacer=False)
    path = tmp_path / "program_debarments.pdf"
    pdf.output(str(path))

    (row,) = _parse(path).table.to_pylist()
    assert (row["program"], row["entity_name"], row["start_date"], row["end_date"]) == (
        "H-2A",
        "BB Tollamar, LLC",
        date(2020, 5, 13),
        date(2023, 5, 12),
    )


def _old_list_pdf(path):
    """Laid out like the 2014-07 to 2015-09 editions: each list opens with its heading, a spacer and
    the four-column header; a continuation page repeats the heading but not the header."""
    pdf = new_document("Program Debarments")
    add_table(pdf, OLD_WIDTHS, PERM, [OLD_HEADER], OLD_PERM, spacer=True)
    pdf.add_page()
    add_table(pdf, OLD_WIDTHS, H2A, [OLD_HEADER], OLD_H2A, spacer=True)
    pdf.add_page()
    add_table(pdf, OLD_WIDTHS, H2A, [], OLD_H2A_CONTINUED, spacer=True)
    pdf.add_page()
    add_table(pdf, OLD_WIDTHS, H2B, [OLD_HEADER], OLD_H2B, spacer=True)
    pdf.output(str(path))
    return path


def test_the_old_four_column_list_parses(tmp_path):
    path = _old_list_pdf(tmp_path / "Debarment_List.pdf")
    assert SOURCE.table("program_debarments").recognise(path)
    rows = _parse(path).table.to_pylist()

    assert len(rows) == 6
    assert Counter(r["program"] for r in rows) == {"PERM": 1, "H-2A": 4, "H-2B": 1}
    assert all(r["entity_type"] is None and r["violation"] is None and r["cfr_citation"] is None for r in rows)
    passarell = next(r for r in rows if r["entity_name"].startswith("Passarell"))
    assert (passarell["program"], passarell["state_code"], passarell["source_page"]) == ("H-2A", "NY", 3)
    assert (rows[0]["entity_name"], rows[0]["state_code"], rows[0]["end_date"]) == (
        "Botno, Inc.",
        "IL",
        date(2015, 8, 17),
    )


def test_the_2012_lists_with_merged_empty_columns_parse():
    """The 2012-2014 editions as pdfplumber extracts them: the first table of a list has empty merged
    columns (None), its continuation on the next page is a four-cell table without them."""
    items = [
        _Item(1, ("", PERM, None, None, None, "")),
        _Item(1, ("Employer Name", None, "Employer Location", "Start of\nDebarment", "End of Debarment", None)),
        _Item(1, ("Ms. Sai Hyun Lee", None, "Duluth, GA", "March 18, 2010", "March 17, 2013", None)),
        _Item(2, ("", H2A, None, None, None, "")),
        _Item(2, ("Employer Name", None, "Employer Location", "Start of\nDebarment", "End of Debarment", None)),
        _Item(2, ("William Y. Gil, Inc.", None, "Morgan Hill, CA", "April 8, 2012", "April 7, 2014", None)),
        _Item(3, ("Harold B. Blach", "Yuma, Colorado", "February 18, 2011", "February 17, 2013")),
        _Item(4, ("", H2B, None, None, None, "")),
        _Item(4, ("Employer Name", None, "Employer\nLocation", "Start of\nDebarment", "End of\nDebarment", None)),
        _Item(4, ("Coast 2 Coast, Inc.", None, "Pasadena, TX", "March 5, 2011", "March 5, 2013", None)),
    ]
    rows = list(_ListReader("Debarment_List.pdf", PROGRAM_TABLE, True, []).rows(items))
    assert [(program, page, row["Entity"], row["Start of Debarment"]) for program, page, row in rows] == [
        ("PERM", 1, "Ms. Sai Hyun Lee", "March 18, 2010"),
        ("H-2A", 2, "William Y. Gil, Inc.", "April 8, 2012"),
        ("H-2A", 3, "Harold B. Blach", "February 18, 2011"),
        ("H-2B", 4, "Coast 2 Coast, Inc.", "March 5, 2011"),
    ]
    assert all("Entity Type" not in row for _, _, row in rows)


def test_an_unknown_layout_says_what_matched_and_what_is_missing():
    items = [
        _Item(1, (H2A, None, None, None)),
        _Item(1, ("Debarred Party", "Employer Location", "Start ofDebarment", "End of Debarment")),
        _Item(1, ("Acme Farms", "Immokalee, Florida", "May 13, 2020", "May 12, 2023")),
    ]
    with pytest.raises(UnknownLayoutError) as error:
        list(_ListReader("x.pdf", PROGRAM_TABLE, True, []).rows(items))
    message = str(error.value)
    assert "matched {'Employer Location': 'Employer Location', 'Start ofDebarment': 'Start of Debarment'" in message
    assert "not recognised ['Debarred Party']" in message and "missing ['Entity']" in message
    assert {(p.message, p.column) for p in error.value.problems} == {
        ("column is in no known layout", "Debarred Party"),
        ("required column is missing", "Entity"),
    }
