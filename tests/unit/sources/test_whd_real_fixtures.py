"""Issue #14: every WHD publication era parses from a fixture that comes from outside the code.

tests/fixtures/real/whd/ holds the real era-1 and era-3 (bulk zip) headers with hand-written rows in
the published value formats, and re-spellings of those rows as era 2 and as the live bulk zip writes
dates (PROVENANCE.md). Totals are computed here from the fixture with the csv module.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest

from sources.common.sample_world import SampleConfig, World
from sources.whd.parse import parse_file
from sources.whd.sample import write_sample
from tests.real_fixtures import REAL, number, recording

WHD = REAL / "whd"
# The real member name of the bulk zip (recorded in the fetch manifest, see PROVENANCE.md).
REAL_MEMBER = "LOAD00000001-2026-09-21-05-19-19_chunk_1.csv"


def _zip(csv_path: Path, target: Path, member: str = REAL_MEMBER) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(csv_path, member)
    return target


def _parse(path: Path):
    result = parse_file(path, file=path.name, sha256="0" * 64)
    return result, result.table.to_pylist()


def _totals(rows: list[dict[str, str]], case: str, back_wages: str, penalties: str) -> tuple:
    return (
        len(rows),
        sorted(int(r[case]) for r in rows),
        round(sum(number(r[back_wages]) for r in rows), 2),
        round(sum(number(r[penalties]) for r in rows), 2),
    )


def _parsed_totals(parsed: list[dict]) -> tuple:
    return (
        len(parsed),
        sorted(r["case_id"] for r in parsed),
        round(sum(r["bw_atp_amt"] or 0 for r in parsed), 2),
        round(sum(r["cmp_assd_cnt"] or 0 for r in parsed), 2),
    )


@pytest.mark.parametrize(
    ("fixture", "layout"),
    [("era1_whd_whisard.csv", "era 1"), ("era2_whd_whisard.csv", "era 2")],
)
def test_catalog_eras_parse_with_the_recorded_totals(fixture, layout, tmp_path):
    _, rows = recording(WHD / fixture)
    zipped = _zip(WHD / fixture, tmp_path / "whd_whisard_20150220.csv.zip", member="whd_whisard.csv")
    result, parsed = _parse(zipped)
    assert result.notes[0].startswith(layout)
    assert _parsed_totals(parsed) == _totals(rows, "case_id", "bw_atp_amt", "cmp_assd_cnt")
    assert sum(r["case_violtn_cnt"] for r in parsed) == sum(int(r["case_violtn_cnt"]) for r in rows)
    by_case = {r["case_id"]: r for r in parsed}
    assert {(int(r["case_id"]), r["zip_cd"], r["naic_cd"]) for r in rows} == {
        (c, r["zip_cd"], r["naic_cd"]) for c, r in by_case.items()
    }, "codes stay text"
    assert any(r["zip_cd"].startswith("0") for r in rows) and any(len(r["naic_cd"]) < 6 for r in rows)
    assert {r["flsa_repeat_violator"] for r in parsed} == {"N/A"}, "kept as published; staging reads it as no flag"


def test_era2_load_time_in_eastern_time_is_stored_in_utc(tmp_path):
    _, parsed = _parse(_zip(WHD / "era2_whd_whisard.csv", tmp_path / "whd_whisard_20150220.csv.zip", "whd_whisard.csv"))
    assert {r["ld_dt"] for r in parsed} == {datetime(2015, 2, 20, 6, 0, 6)}  # 01:00:06 EST


@pytest.mark.parametrize("fixture", ["era3_bulk_chunk.csv", "era3_bulk_chunk_live_dates.csv"])
def test_bulk_zip_parses_with_the_recorded_totals(fixture, tmp_path):
    _, rows = recording(WHD / fixture)
    result, parsed = _parse(_zip(WHD / fixture, tmp_path / "WHD_enforcement.zip"))
    assert result.notes[0].startswith("era 3") and result.extra_columns == ()
    assert _parsed_totals(parsed) == _totals(rows, "CASE_ID", "BW_ATP_AMT", "CMP_ASSD")
    by_case = {r["case_id"]: r for r in parsed}
    for row in rows:
        typed = by_case[int(row["CASE_ID"])]
        assert typed["naic_cd"] == (row["NAIC_CD"] or None), "a zero-led NAICS code is kept as text, the row is kept"
        assert typed["flsa_repeat_violator"] == (row["FLSA_REPEAT_VIOLATOR"] or None)
        for column in ("FINDINGS_START_DATE", "FINDINGS_END_DATE"):
            text = row[column]
            assert typed[column.lower()] == (date.fromisoformat(text[:10]) if text else None)
    assert any(r["NAIC_CD"].startswith("0") for r in rows)
    assert {r["FLSA_REPEAT_VIOLATOR"] for r in rows} == {"", "N/A", "RW"}


def test_live_bulk_zip_timestamps_with_a_utc_offset_parse(tmp_path):
    _, rows = recording(WHD / "era3_bulk_chunk_live_dates.csv")
    _, parsed = _parse(_zip(WHD / "era3_bulk_chunk_live_dates.csv", tmp_path / "WHD_enforcement.zip"))
    assert {r["ld_dt"] for r in parsed} == {datetime(2026, 9, 21, 5, 19, 19)}
    assert {r["findings_end_date"] for r in parsed} == {date.fromisoformat(r["FINDINGS_END_DATE"][:10]) for r in rows}
    assert all(r["FINDINGS_END_DATE"].endswith(" 00:00:00+00:00") for r in rows)


def test_a_new_publisher_column_is_kept_not_refused(tmp_path):
    """A column no layout knows (here appended to the real era-3 header) loads into extra_columns."""
    header, rows = recording(WHD / "era3_bulk_chunk.csv")
    edited = tmp_path / "chunk.csv"
    with open(edited, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*header, "EMPLOYER_FEIN"])
        writer.writerows([*(r[c] for c in header), "12-3456789" if i == 0 else ""] for i, r in enumerate(rows))
    result, parsed = _parse(_zip(edited, tmp_path / "WHD_enforcement.zip"))
    assert result.extra_columns == ("EMPLOYER_FEIN",)
    assert [r["extra_columns"] for r in parsed] == ['{"EMPLOYER_FEIN":"12-3456789"}', None, None]


def test_the_sample_writes_the_real_bulk_zip_header(tmp_path):
    (path,) = write_sample(World(SampleConfig(scale=0.0005, seed=3)), tmp_path)
    with zipfile.ZipFile(path) as archive:
        member = sorted(archive.namelist())[0]
        written = archive.read(member).split(b"\n", 1)[0].rstrip(b"\r")
    real = (WHD / "era3_bulk_chunk.csv").read_bytes().split(b"\n", 1)[0]
    assert written == real
    assert member.startswith("LOAD00000001-") and member.endswith("_chunk_1.csv")
