"""Property tests of the H-2B parser on the FY2000-FY2005 CSV layout (the real header of
H-2B_FY2003.csv, held verbatim in sources.h2b.headers): generated cases parse back to their typed
values in any column order; random bytes are refused naming the file.

What each column holds is stated here from the real files, not taken from the parser: an 8-digit
case number with leading zeros, dates written `10/01/02 00:00:00`, counts, and pay written as
`6.3499999999999996e+00` (FY2000-FY2004) or `7.5200` (FY2005)."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sources.h2b.headers import REAL_HEADERS
from sources.h2b.parse import parse_disclosure
from tests.unit.sources.parser_properties import (
    Column,
    CsvFormat,
    check_column_order_does_not_matter,
    check_random_bytes_are_refused,
    check_round_trip,
    date_cells,
    int_cells,
    nullable,
    text_cells,
)

HEADER = REAL_HEADERS["H-2B_FY2003.csv (FY2003)"]


def _pay():
    cents = st.integers(1, 10**7).filter(lambda c: c % 100)
    styles = st.sampled_from(["{:.16e}", "{:.4f}"])
    return st.tuples(cents, styles).map(lambda p: (p[1].format(p[0] / 100), p[0] / 100))


def _parse(path):
    return parse_disclosure(path, file=path.name, sha256="0" * 64)


COLUMNS = (
    Column("Case_Num", "case_number", "code", st.from_regex(r"0[0-9]{7}", fullmatch=True).map(lambda t: (t, t))),
    Column("Last_Sig_Event", "case_status", "text", nullable(text_cells())),
    Column(
        "Last_Event_Date",
        "decision_date",
        "date",
        nullable(date_cells(lambda d: d.strftime("%m/%d/%y 00:00:00"), date(1969, 1, 1), date(2068, 12, 31))),
    ),
    Column("Emp_Name", "employer_name", "text", nullable(text_cells())),
    Column("Emp_City", "employer_city", "text", nullable(text_cells())),
    Column("Num_Aliens", "workers_requested", "int", nullable(int_cells(0, 5000))),
    Column("Salary", "wage_rate", "money", nullable(_pay())),
)
CSV_ERA = CsvFormat(HEADER, COLUMNS, "H-2B_FY2003.csv", _parse, fixed={"Case_Type": "TEMP"})


@settings(max_examples=25, deadline=None)
@given(CSV_ERA.rows(max_size=5))
def test_generated_cases_round_trip_to_their_typed_values(drawn):
    check_round_trip(CSV_ERA, drawn)


@settings(max_examples=15, deadline=None)
@given(CSV_ERA.rows(max_size=4), st.permutations(range(len(HEADER))))
def test_the_column_order_does_not_change_the_typed_values(drawn, order):
    check_column_order_does_not_matter(CSV_ERA, drawn, order)


@settings(max_examples=30, deadline=None)
@given(st.binary(max_size=1000), st.sampled_from(["H-2B_FY2003.csv", "H-2B_FY2010.xlsx", "H-2B_FY2013.xls"]))
@example(b"", "H-2B_FY2003.csv")
@example(b"Case_Num,Emp_Name\n", "H-2B_FY2003.csv")
def test_random_bytes_are_refused_naming_the_file(data, name):
    check_random_bytes_are_refused(_parse, name, data)
