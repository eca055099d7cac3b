"""Property tests of the H-2A parser: generated filings written as OFLC workbooks (.xlsx, the real
FY2012 and FY2024 headers of tests/fixtures/real/h2a/, dates as date cells) parse back to their
typed values in any column order; random bytes given as a workbook are refused naming the file.

Which published column holds what is stated here from the data notes (section 2), not taken from
the parser. Columns the test does not fill are left blank."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sources.h2a.parse import parse_disclosure
from tests.integration.conftest import write_xlsx
from tests.real_fixtures import REAL, recording
from tests.unit.sources.parser_properties import check_random_bytes_are_refused, scratch, texts

# era -> (real recording, file name, published column -> (table column, kind))
ERAS = {
    "FY2012": (
        "fy2012.csv",
        "H-2A_FY2012.xlsx",
        {
            "CASE_NO": ("case_number", "case"),
            "CASE_STATUS": ("case_status", "text"),
            "DECISION_DATE": ("decision_date", "date"),
            "EMPLOYER_NAME": ("employer_name", "text"),
            "EMPLOYER_CITY": ("employer_city", "text"),
            "NBR_WORKERS_CERTIFIED": ("workers_certified", "int"),
            "BASIC_RATE_OF_PAY": ("wage_rate", "money"),
        },
    ),
    "FY2024": (
        "fy2024_q4.csv",
        "H-2A_Disclosure_Data_FY2024_Q4.xlsx",
        {
            "CASE_NUMBER": ("case_number", "case"),
            "CASE_STATUS": ("case_status", "text"),
            "DECISION_DATE": ("decision_date", "date"),
            "EMPLOYER_NAME": ("employer_name", "text"),
            "EMPLOYER_CITY": ("employer_city", "text"),
            "TOTAL_WORKERS_H2A_CERTIFIED": ("workers_certified", "int"),
            "WAGE_OFFER": ("wage_rate", "money"),
        },
    ),
}


def _cell(kind: str):
    if kind == "case":
        return st.from_regex(r"H-300-[0-9]{5}-[0-9]{6}", fullmatch=True).map(lambda t: (t, t))
    if kind == "text":
        return st.one_of(st.just((None, None)), texts(25).map(lambda t: (t, t)))
    if kind == "int":
        return st.one_of(st.just((None, None)), st.integers(0, 5000).map(lambda n: (n, n)))
    if kind == "money":
        return st.one_of(st.just((None, None)), st.integers(1, 10**6).map(lambda c: (c / 100, c / 100)))
    return st.one_of(st.just((None, None)), st.dates(date(2000, 1, 1), date(2030, 12, 31)).map(lambda d: (d, d)))


@st.composite
def filings(draw, era: str):
    fixture, name, columns = ERAS[era]
    header = recording(REAL / "h2a" / fixture)[0]
    assert set(columns) <= set(header), "the test's columns are in the real header"
    drawn = draw(st.lists(st.tuples(*(_cell(kind) for _, kind in columns.values())), min_size=1, max_size=4))
    order = draw(st.permutations(range(len(header))))
    return header, name, columns, drawn, order


def _write(folder: Path, header, name, columns, drawn, order) -> Path:
    rows = []
    for row in drawn:
        cells = dict(zip(columns, (cell[0] for cell in row), strict=True))
        rows.append([cells.get(h) for h in header])
    header = [header[i] for i in order]
    rows = [[row[i] for i in order] for row in rows]
    return write_xlsx(folder / name, [(f"H-2A_{name.split('_FY')[1][:6]}", [header, *rows])])


@settings(max_examples=12)
@given(st.sampled_from(sorted(ERAS)).flatmap(filings))
def test_generated_filings_round_trip_in_any_column_order(filing):
    header, name, columns, drawn, order = filing
    with scratch() as folder:
        path = _write(folder, header, name, columns, drawn, order)
        result = parse_disclosure(path, file=path.name, sha256="0" * 64)
    canonical = [c for c, _ in columns.values()]
    expected = [dict(zip(canonical, (cell[1] for cell in row), strict=True)) for row in drawn]
    assert result.table.select(canonical).to_pylist() == expected


@settings(max_examples=30)
@given(st.binary(max_size=2000), st.sampled_from(["H-2A_FY2012.xlsx", "H2A_FY2013.xls"]))
@example(b"", "H-2A_FY2012.xlsx")
@example(b"PK\x03\x04garbage", "H-2A_FY2012.xlsx")
def test_random_bytes_as_a_workbook_are_refused_naming_the_file(data, name):
    check_random_bytes_are_refused(lambda path: parse_disclosure(path, file=path.name, sha256="0" * 64), name, data)
