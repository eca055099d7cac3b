"""Property tests of the MSPA parser: generated certificates written as WHD's FLC list export
(the real header of tests/fixtures/real/mspa/FLCWksht.csv, CRLF, a record-count trailer row and a
blank last row) parse back to their typed values in any column order; random bytes, cut files and
swapped header names are refused naming the file.

What each column holds is stated here from the data notes (section 4): Y/N flags, dates written
`2/26/2020` or `2/24/22`, text otherwise."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from sources.mspa.parse import parse_file
from tests.real_fixtures import REAL, recording
from tests.unit.sources.parser_properties import (
    Column,
    CsvFormat,
    assert_clear_error,
    check_column_order_does_not_matter,
    check_random_bytes_are_refused,
    check_round_trip,
    check_swapped_names,
    check_truncation,
    date_cells,
    nullable,
    scratch,
    swappable_pairs,
    text_cells,
    text_under_typed_column,
    write_csv,
)

HEADER = tuple(recording(REAL / "mspa" / "FLCWksht.csv")[0])
FLAGS = {"Driving Authorization", "Housing Authorization", "Transportation Authorization"}
DATES = {"FLC Certificate Start Date", "FLC Certificate Valid Until"}
# The table's column for each published column, in the real header's order.
CANONICAL = (
    "cert_num flc_name flc_address flc_city flc_state flc_zip flc_phone_number flc_business_description "
    "has_driving_authorization has_housing_authorization has_transportation_authorization "
    "certificate_start_date certificate_valid_until_date"
).split()


def _written_date(day: date, short: bool) -> str:
    # "2/24/22": two-digit years 00-68 are 20xx, 69-99 19xx (the strptime pivot the data notes follow).
    return f"{day.month}/{day.day}/{day.year % 100:02d}" if short else f"{day.month}/{day.day}/{day.year}"


def _date_cells():
    long = date_cells(lambda d: _written_date(d, False), date(1900, 1, 1), date(2099, 12, 31))
    short = date_cells(lambda d: _written_date(d, True), date(1969, 1, 1), date(2068, 12, 31))
    return st.one_of(long, short)


def _column(published: str, canonical: str) -> Column:
    if published == "Cert Num":
        return Column(published, canonical, "code", st.from_regex(r"[0-9]{7}", fullmatch=True).map(lambda t: (t, t)))
    if published in FLAGS:
        flag = st.sampled_from([("Y", True), ("N", False), ("y", True), ("n", False)])
        return Column(published, canonical, "bool", nullable(flag))
    if published in DATES:
        return Column(published, canonical, "date", nullable(_date_cells()))
    return Column(published, canonical, "text", nullable(text_cells()))


def _write_export(path: Path, header, rows) -> Path:
    """As WHD exports it: CRLF, then a record-count trailer row and a blank row."""
    trailer = [str(len(rows)), *[""] * (len(header) - 1)]
    return write_csv(path, header, [*rows, trailer, []], newline="\r\n")


def _parse(path: Path):
    return parse_file(path, file=path.name, sha256="0" * 64)


EXPORT = CsvFormat(
    HEADER, tuple(_column(h, c) for h, c in zip(HEADER, CANONICAL, strict=True)), "FLCWksht.csv", _parse, _write_export
)


@settings(max_examples=25)
@given(EXPORT.rows(max_size=5))
def test_generated_certificates_round_trip_to_their_typed_values(drawn):
    check_round_trip(EXPORT, drawn)


@settings(max_examples=15)
@given(EXPORT.rows(max_size=4), st.permutations(range(len(HEADER))))
def test_the_column_order_does_not_change_the_typed_values(drawn, order):
    check_column_order_does_not_matter(EXPORT, drawn, order)


@settings(max_examples=40)
@given(st.binary(max_size=1000), st.sampled_from(["FLCWksht.csv", "FLCWksht.xlsx", "FLCWksht.xls"]))
@example(b"", "FLCWksht.csv")
@example(b"\r\n\r\n", "FLCWksht.csv")
@example(b"4,,,,\r\n", "FLCWksht.csv")
@example(b' ,"\t\r\n', "FLCWksht.csv")  # found here: a blank header cell crashed renaming it (DuckDB ParserException)
def test_random_bytes_are_refused_naming_the_file(data, name):
    check_random_bytes_are_refused(_parse, name, data)


@settings(max_examples=25)
@given(EXPORT.rows(max_size=4), st.floats(0.0, 0.999))
def test_a_cut_export_is_refused_or_keeps_its_first_rows(drawn, cut_at):
    check_truncation(EXPORT, drawn, cut_at)


@settings(max_examples=25)
@given(st.data())
def test_swapped_header_names_are_refused_or_swap_only_columns_of_one_kind(data):
    pair = data.draw(swappable_pairs(EXPORT))
    drawn = data.draw(EXPORT.rows(max_size=3))
    a, b = (EXPORT.columns[i] for i in pair)
    assume(a.kind == b.kind or text_under_typed_column(EXPORT, drawn, pair))
    check_swapped_names(EXPORT, drawn, pair)


@settings(max_examples=10)
@given(EXPORT.rows(min_size=2, max_size=4), st.integers(1, 3))
def test_a_trailer_that_miscounts_the_rows_is_refused_naming_its_row(drawn, off_by):
    """Rows lost or added since WHD counted them: the trailer row no longer matches."""
    with scratch() as folder:
        path = EXPORT.write_file(folder, drawn)
        lines = path.read_bytes().split(b"\r\n")
        trailer_at = len(drawn) + 1
        lines[trailer_at] = lines[trailer_at].replace(str(len(drawn)).encode(), str(len(drawn) + off_by).encode(), 1)
        path.write_bytes(b"\r\n".join(lines))
        error = assert_clear_error(_parse, path, rules={"trailer_count"})
    assert error.problems[0].row == len(drawn) + 1
