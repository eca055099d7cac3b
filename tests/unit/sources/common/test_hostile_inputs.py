"""Inputs are data, also when they are hostile or mislabelled: a zip bomb is refused on its declared
sizes before anything is extracted, a lying zip header cannot make a member grow past what it
declares, a legacy .xls under an .xlsx name and a header naming a column twice get their own
clear message, and `warehouse ingest --file` reads only regular files."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sources.common.errors import ParseError
from sources.common.text_cells import csv_members, read_excel_sheet_as_text
from sources.h2a.parse import parse_disclosure
from tests.real_fixtures import shared_sample
from warehouse_cli import app


def _zip(path: Path, name: str, data: bytes) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return path


def test_a_zip_bomb_is_refused_on_its_declared_sizes_before_extraction(tmp_path):
    bomb = _zip(tmp_path / "WHD_enforcement.zip", "chunk_1.csv", b"0" * 20_000_000)  # ~20 KB of zip
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ParseError) as error:
        csv_members(bomb, out, file=bomb.name)
    assert error.value.rule == "zip_member_size" and "'chunk_1.csv'" in str(error.value)
    assert "ratio" in str(error.value) and not any(out.iterdir()), "nothing was extracted"


def test_an_ordinary_csv_member_is_extracted(tmp_path):
    rows = b"".join(b"%d,employer %d,FL,1234.5\n" % (n, n) for n in range(2000))
    path = _zip(tmp_path / "ok.zip", "chunk_1.csv", b"case_id,name,st_cd,bw\n" + rows)
    (member,) = csv_members(path, tmp_path, file=path.name)
    assert member.read_bytes().startswith(b"case_id,name")


def test_limits_are_parameters(tmp_path):
    path = _zip(tmp_path / "ok.zip", "chunk_1.csv", b"a,b\n" + b"1,2\n" * 10_000)
    with pytest.raises(ParseError, match="limits are 1,000 bytes"):
        csv_members(path, tmp_path, file=path.name, max_bytes=1000)


def test_a_legacy_xls_under_an_xlsx_name_says_so(tmp_path):
    renamed = tmp_path / "H-2B_FY2013.xlsx"
    renamed.write_bytes(shared_sample("h2b/H-2B_FY2013.xls").read_bytes())
    with pytest.raises(ParseError) as error:
        read_excel_sheet_as_text(renamed, file=renamed.name)
    assert error.value.rule == "workbook_format"
    assert "old Excel 97-2003 workbook (.xls)" in str(error.value) and "rename it to H-2B_FY2013.xls" in str(
        error.value
    )


def test_an_xlsx_under_an_xls_name_says_so(tmp_path):
    renamed = tmp_path / "H-2A_FY2012.xls"
    renamed.write_bytes(shared_sample("H-2A_FY2012.xlsx").read_bytes())
    with pytest.raises(ParseError, match=r"is an Excel \.xlsx workbook saved under a \.xls name"):
        read_excel_sheet_as_text(renamed, file=renamed.name)


def test_a_header_naming_a_column_twice_is_refused_naming_it(tmp_path):
    path = tmp_path / "H2a_FY2007.csv"
    path.write_text(
        "CASE_NUMBER,EMPLOYER_NAME,EMPLOYER_STATE,CASE_STATUS,NBR_WORKERS_CERTIFIED,NOTE,NOTE\n"
        "H-1,Example Farm,FL,Certified - Full,3,x,y\n",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as error:
        parse_disclosure(path, file=path.name, sha256="0" * 64)
    assert error.value.rule == "header" and "'NOTE' at columns [6, 7]" in str(error.value)
    assert "Binder Error" not in str(error.value)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_ingest_reads_only_regular_files(tmp_path, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_HOME", str(tmp_path / "home"))
    fifo = tmp_path / "export.xlsx"
    os.mkfifo(fifo)
    result = CliRunner().invoke(app, ["ingest", "h2a", "--file", str(fifo)])
    assert result.exit_code == 2 and "not a regular file" in result.output
    device = CliRunner().invoke(app, ["ingest", "h2a", "--file", "/dev/zero"])
    assert device.exit_code == 2
