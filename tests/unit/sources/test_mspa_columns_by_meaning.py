"""MSPA columns by meaning (sources/mspa/columns.py), proven on the one real header known (FLCWksht.csv).

- The fixture with its columns in another case (no other real spelling of any meaning is known) and
  shuffled, trailer and CRLF kept, loads with the same totals, computed here with the csv module.
- Leave-one-out: with only one real header, the spellings only it uses are all of them; the file
  then fails naming what matched (nothing), the missing core columns and the unrecognised columns.
  Dropping one spelling at a time: a core one fails naming it; any other loads with that column kept
  as extra, with a warning.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date, datetime
from pathlib import Path

import pytest

from sources.common.errors import UnknownLayoutError
from sources.mspa.columns import FLC_COLUMNS
from sources.mspa.parse import is_flc_file, parse_file
from tests.real_fixtures import REAL, recording

FLC = REAL / "mspa" / "FLCWksht.csv"
_FLAGS = ("Driving Authorization", "Housing Authorization", "Transportation Authorization")


def _date(text: str) -> date:
    return datetime.strptime(text, "%m/%d/%Y" if len(text.rsplit("/", 1)[1]) == 4 else "%m/%d/%y").date()


def _totals(rows: list[dict[str, str]]) -> tuple:
    """Independently of the parser: certificates, their numbers, Y flags, validity dates."""
    certificates = [r for r in rows if r["FLC Business or FLC Individual"]]  # not the trailer
    return (
        len(certificates),
        sorted(r["Cert Num"] for r in certificates),
        tuple(sum(r[flag] == "Y" for r in certificates) for flag in _FLAGS),
        sorted(r["FLC State"] for r in certificates),
        sorted((_date(r["FLC Certificate Start Date"]), _date(r["FLC Certificate Valid Until"])) for r in certificates),
    )


def _parsed_totals(result) -> tuple:
    rows = result.table.to_pylist()
    flags = ("has_driving_authorization", "has_housing_authorization", "has_transportation_authorization")
    return (
        len(rows),
        sorted(r["cert_num"] for r in rows),
        tuple(sum(bool(r[flag]) for r in rows) for flag in flags),
        sorted(r["flc_state"] for r in rows),
        sorted((r["certificate_start_date"], r["certificate_valid_until_date"]) for r in rows),
    )


def _parse(path: Path, **kwargs):
    return parse_file(path, file=path.name, sha256="0" * 64, **kwargs)


def _write_export(target: Path, header: list[str], rows: list[dict[str, str]], order: list[str], names: dict) -> Path:
    """An export as WHD writes it: CRLF, the certificates, the record-count trailer, a blank row."""
    certificates = [r for r in rows if r["FLC Business or FLC Individual"]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([names[h] for h in order])
    writer.writerows([[r[h] for h in order] for r in certificates])
    writer.writerow([len(certificates), *[""] * (len(order) - 1)])
    target.write_bytes(out.getvalue().encode("utf-8") + b"\r\n")
    return target


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_the_real_export_in_another_case_and_shuffled_loads_with_the_same_totals(case, tmp_path):
    header, rows = recording(FLC)
    assert all(len(FLC_COLUMNS.spellings_of(c)) == 1 for c in FLC_COLUMNS.columns), "no other real spelling known"
    order = list(header)
    random.Random(len(case.__name__)).shuffle(order)
    assert order[0] != header[0] or order != header
    path = _write_export(tmp_path / "FLCWksht.csv", header, rows, order, {h: case(h) for h in header})
    assert is_flc_file(path)
    result = _parse(path)
    assert result.extra_columns == ()
    assert _parsed_totals(result) == _totals(rows)
    assert any("trailer" in note and "matches the rows read" in note for note in result.notes)


def test_leave_one_out_the_only_real_header_forgotten_fails_naming_every_column():
    header, _ = recording(FLC)
    reduced = FLC_COLUMNS.without(header)
    assert not reduced.holds_core(header) and is_flc_file(FLC)
    with pytest.raises(UnknownLayoutError) as error:
        _parse(FLC, columns=reduced)
    message = str(error.value)
    assert "not a file of the MSPA farm labor contractor registry table" in message and "Matched: nothing" in message
    for group in FLC_COLUMNS.core:
        assert f"{group[0]} (e.g. no spelling known)" in message
    unrecognised = {p.column for p in error.value.problems if p.message.startswith("column no real file")}
    assert unrecognised == set(header)
    assert all(column in message for column in header[:12]), "the unrecognised columns are named"


@pytest.mark.parametrize("canonical", sorted(FLC_COLUMNS.columns))
def test_one_spelling_forgotten_is_extra_or_a_missing_core_column(canonical):
    _, rows = recording(FLC)
    (published,) = FLC_COLUMNS.spellings_of(canonical)
    reduced = FLC_COLUMNS.without([published])
    if any(canonical in group for group in FLC_COLUMNS.core):
        with pytest.raises(UnknownLayoutError) as error:
            _parse(FLC, columns=reduced)
        message = str(error.value)
        assert f"lack {canonical} (e.g. no spelling known)" in message and "Matched: " in message
        assert canonical == "cert_num" or "cert_num<-Cert Num" in message
        assert f"Unrecognised columns: ['{published}']" in message
        return
    result = _parse(FLC, columns=reduced)
    assert result.extra_columns == (published,)
    assert any(n.startswith("warning: columns no real file of this table showed") for n in result.notes)
    parsed = result.table.to_pylist()
    assert len(parsed) == _totals(rows)[0] and all(r[canonical] is None for r in parsed)
    assert sorted(r["cert_num"] for r in parsed) == _totals(rows)[1]


def test_a_qcew_quarterly_slice_given_as_the_registry_is_refused_saying_what_it_is():
    quarterly = REAL / "qcew" / "api_2025_4_industry" / "10.csv"
    with pytest.raises(UnknownLayoutError, match="this is a BLS QCEW quarterly slice") as error:
        _parse(quarterly)
    assert error.value.rule == "file_kind" and len(str(error.value).splitlines()) == 1
