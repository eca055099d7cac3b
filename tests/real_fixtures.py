"""Helpers for the real-format fixtures under tests/fixtures/real/<source>/ (see each PROVENANCE.md).

The fixtures are recordings of published files (a real file's bytes, or a CSV recording of a
workbook's first sheet). Nothing here knows the parsers' header maps: a recording is turned back
into a workbook cell by cell, by the look of each value only, so the parser meets the published
header as it was recorded.
"""

from __future__ import annotations

import csv
import os
import re
from datetime import datetime
from pathlib import Path

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
# Whole real public files are not committed: they sit in ../shared/real-samples beside the clone
# (CI has it there too); WAREHOUSE_REAL_SAMPLES points elsewhere.
SHARED_SAMPLES = Path(
    os.environ.get("WAREHOUSE_REAL_SAMPLES", Path(__file__).resolve().parents[2] / "shared" / "real-samples")
)


def shared_sample(name: str) -> Path:
    """A whole real file from ../shared/real-samples; the test is skipped, saying why, where it is absent."""
    import pytest

    path = SHARED_SAMPLES / name
    if not path.exists():
        pytest.skip(f"the real file {name} is not in {SHARED_SAMPLES} (set WAREHOUSE_REAL_SAMPLES)")
    return path


_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def recording(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the non-blank data rows of a CSV recording."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [dict(zip(header, row, strict=True)) for row in reader if any(cell.strip() for cell in row)]
    return header, rows


def cell_value(text: str) -> object:
    """How a recorded cell was stored: date(-time) cells, numbers (no leading zero), else text."""
    if _DATE_TIME.fullmatch(text):
        return datetime.fromisoformat(text)
    if _NUMBER.fullmatch(text):
        return float(text) if "." in text else int(text)
    return text


def recording_to_workbook(source: Path, target: Path, sheet: str = "Sheet1") -> Path:
    """Write a CSV recording as a one-sheet workbook (.xlsx, or .xls for the FY2013-era format)."""
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.suffix.lower() == ".xls":
        return _write_xls(rows, target, sheet)
    import xlsxwriter

    with xlsxwriter.Workbook(str(target)) as workbook:
        date_format = workbook.add_format({"num_format": "m/d/yyyy h:mm:ss"})
        worksheet = workbook.add_worksheet(sheet)
        worksheet.write_row(0, 0, rows[0])
        for r, row in enumerate(rows[1:], start=1):
            for c, text in enumerate(row):
                value = cell_value(text) if text != "" else None
                if isinstance(value, datetime):
                    worksheet.write_datetime(r, c, value, date_format)
                elif value is not None:
                    worksheet.write(r, c, value)
    return target


def _write_xls(rows: list[list[str]], target: Path, sheet: str) -> Path:
    import xlwt

    workbook = xlwt.Workbook()
    worksheet = workbook.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="M/D/YYYY h:mm:ss")
    for c, name in enumerate(rows[0]):
        worksheet.write(0, c, name)
    for r, row in enumerate(rows[1:], start=1):
        for c, text in enumerate(row):
            value = cell_value(text) if text != "" else None
            if isinstance(value, datetime):
                worksheet.write(r, c, value, date_style)
            elif value is not None:
                worksheet.write(r, c, value)
    workbook.save(str(target))
    return target


def number(text: str) -> float:
    return float(text) if text.strip() else 0.0
