"""Property tests of the debarment parsers: the cell-level readers give back generated dates,
durations and locations written as the real lists write them (formats from
tests/fixtures/real/debarment/), and random or cut bytes given as a PDF are refused naming the file.

Round trips of whole PDFs are not generated here: a PDF writer would have to lay out rows the way
OFLC's does, and the real layouts are covered by tests/unit/sources/test_debarment_real_fixtures.py."""

from __future__ import annotations

from datetime import date

from hypothesis import example, given, settings
from hypothesis import strategies as st

from sources.common.reference import STATE_BY_NAME
from sources.debarment.cells import duration_months, read_date, read_location
from sources.debarment.parse import parse_expired_h2a_debarments, parse_program_debarments
from tests.unit.sources.parser_properties import check_random_bytes_are_refused, scratch, texts

MONTHS = "January February March April May June July August September October November December".split()
PARSERS = {
    "program": lambda path: parse_program_debarments(path, file=path.name, sha256="0" * 64),
    "expired": lambda path: parse_expired_h2a_debarments(path, file=path.name, sha256="0" * 64),
}


@settings(max_examples=200)
@given(st.dates(date(1950, 1, 1), date(2099, 12, 31)), st.sampled_from(["long", "short", "short, 2 digits"]))
def test_dates_as_the_lists_write_them_read_back(day, style):
    """'May 13, 2020' (program list), '1/19/2014' (expired list), '7/17/19' (two-digit, 2000-2068)."""
    if style == "long":
        written = f"{MONTHS[day.month - 1]} {day.day}, {day.year}"
    elif style == "short":
        written = f"{day.month}/{day.day}/{day.year}"
    else:
        day = day.replace(year=2000 + day.year % 69) if day.year < 2000 or day.year > 2068 else day
        written = f"{day.month}/{day.day}/{day.year % 100:02d}"
    assert read_date(written) == (day, None)


@settings(max_examples=200)
@given(texts(20).filter(lambda t: not any(ch.isdigit() for ch in t)))
@example("February, 2024")
def test_a_text_without_digits_is_no_date(text):
    assert read_date(text)[0] is None


@settings(max_examples=100)
@given(st.integers(1, 12), st.integers(32, 99), st.integers(1950, 2099))
@example(2, 30, 2024)
def test_an_impossible_day_is_no_date_never_another_day(month, day, year):
    assert read_date(f"{MONTHS[month - 1]} {day}, {year}")[0] is None
    assert read_date(f"{month}/{day}/{year}")[0] is None


@settings(max_examples=100)
@given(st.integers(0, 30), st.integers(0, 11))
def test_durations_as_the_expired_list_writes_them_read_back_in_months(years, months):
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if months or not years:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    assert duration_months(" ".join(parts)) == years * 12 + months


@settings(max_examples=100)
@given(texts(25).filter(lambda t: "," not in t), st.sampled_from(sorted(STATE_BY_NAME)))
def test_city_and_state_name_read_back_as_city_and_state_code(city, state):
    """'Immokalee, Florida' -> ('Immokalee', 'FL'), whatever the city's letters."""
    city = " ".join(city.split())
    got_city, code, known, _ = read_location(f"{city}, {state.title()}")
    assert (got_city, code, known) == (city or None, STATE_BY_NAME[state].code, True)


@settings(max_examples=30)
@given(st.binary(max_size=3000), st.sampled_from(sorted(PARSERS)))
@example(b"", "program")
@example(b"%PDF-1.4\n%%EOF\n", "expired")
@example(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "program")
def test_random_bytes_as_a_pdf_are_refused_naming_the_file(data, parser):
    check_random_bytes_are_refused(PARSERS[parser], "Program_Debarments.pdf", data)


@settings(max_examples=10)
@given(st.floats(0.02, 0.98), st.sampled_from(sorted(PARSERS)))
def test_a_cut_pdf_is_refused_naming_the_file(cut_at, parser):
    """A PDF cut short loses its cross-reference table and trailer: it never parses as a shorter list."""
    from fpdf import FPDF

    document = FPDF()
    document.add_page()
    document.set_font("helvetica", size=10)
    document.cell(text="H-2A Labor Certification Debarment List")
    data = bytes(document.output())
    with scratch() as folder:
        path = folder / "Program_Debarments.pdf"
        path.write_bytes(data[: int(len(data) * cut_at)])
        check_random_bytes_are_refused(PARSERS[parser], path.name, path.read_bytes())
