"""Issue #14: the MSPA registry export as WHD writes it (tests/fixtures/real/mspa/PROVENANCE.md):
CRLF, a record-count trailer row and a blank row. A matching trailer is checked and dropped; a
trailer whose count does not match is an error naming its row."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from sources.common.errors import ParseError
from sources.common.sample_world import SampleConfig, World
from sources.mspa.parse import parse_file
from sources.mspa.sample import write_sample
from tests.real_fixtures import REAL, recording

FLC = REAL / "mspa" / "FLCWksht.csv"


def _parse(path: Path):
    return parse_file(path, file=path.name, sha256="0" * 64)


def test_export_with_its_trailer_and_blank_row_loads_every_certificate():
    _, rows = recording(FLC)
    certificates = [r for r in rows if r["FLC Business or FLC Individual"]]
    (trailer,) = [r for r in rows if not r["FLC Business or FLC Individual"]]
    assert FLC.read_bytes().count(b"\r\n") == len(rows) + 2  # header, rows, trailer, blank row: CRLF
    result = _parse(FLC)
    parsed = result.table.to_pylist()
    assert [r["cert_num"] for r in parsed] == [r["Cert Num"] for r in certificates]
    assert int(trailer["Cert Num"]) == len(parsed) == 4
    assert any("trailer row 5 (4 records) matches the rows read: dropped" in note for note in result.notes)
    assert sum(r["has_driving_authorization"] for r in parsed) == sum(
        r["Driving Authorization"] == "Y" for r in certificates
    )
    assert parsed[0]["certificate_valid_until_date"] == date(2022, 2, 24), "two-digit years are 20xx"
    assert parsed[1]["cert_num"] == "0456789"


def test_a_trailer_that_does_not_match_the_rows_is_an_error_naming_its_row(tmp_path):
    broken = tmp_path / "FLCWksht.csv"
    broken.write_bytes(FLC.read_bytes().replace(b"\r\n4,,,", b"\r\n8962,,,"))
    with pytest.raises(ParseError) as error:
        _parse(broken)
    assert error.value.rule == "trailer_count"
    assert "says 8,962 records but the file has 4" in error.value.message
    assert error.value.problems[0].row == 5


def test_a_file_cut_before_its_last_rows_keeps_no_trailer_and_still_loads(tmp_path):
    """Without a trailer nothing can be checked: the rows present load (the gate's row-count rule guards drops)."""
    lines = FLC.read_bytes().split(b"\r\n")
    cut = tmp_path / "FLCWksht.csv"
    cut.write_bytes(b"\r\n".join(lines[:3]) + b"\r\n")
    assert len(_parse(cut).table) == 2


def test_the_sample_writes_the_export_header_bytes_and_its_trailer(tmp_path):
    (path,) = write_sample(World(SampleConfig(scale=0.001, seed=5)), tmp_path)
    assert path.name == "FLCWksht.csv"
    data = path.read_bytes()
    assert data.split(b"\r\n", 1)[0] == FLC.read_bytes().split(b"\r\n", 1)[0]
    assert data.endswith(b"\r\n\r\n")
    rows = len(_parse(path).table)
    assert data.split(b"\r\n")[-3] == f"{rows}".encode() + b"," * 12
