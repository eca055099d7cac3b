"""Issue #14: every form of QCEW annual file a user downloads parses, from real headers with
hand-written rows in the real value formats (tests/fixtures/real/qcew/PROVENANCE.md). Expected rows
and sums are computed here from each fixture with the csv module and BLS's documented levels
(national 10-18 at US000, statewide 50-58)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest

from sources.common.errors import UnknownLayoutError
from sources.qcew import SOURCE
from sources.qcew.parse import parse_file, year_of
from sources.qcew.sample import write_sample
from tests.real_fixtures import REAL

QCEW = REAL / "qcew"
TABLE = SOURCE.tables[0]
BY_AREA_COUNTY = QCEW / "by_area_2024" / "2024.annual.by_area" / "2024.annual 01029 Cleburne County, Alabama.csv"


def _expected(path: Path) -> tuple[int, int]:
    """Rows the warehouse keeps (nation and states) and their employment, suppressed cells excluded."""
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    kept = [
        r
        for r in rows
        if (10 <= int(r["agglvl_code"]) <= 18 and r["area_fips"] == "US000")
        or (50 <= int(r["agglvl_code"]) <= 58 and re.fullmatch(r"\d{2}000", r["area_fips"]))
    ]
    return len(kept), sum(int(r["annual_avg_emplvl"]) for r in kept if r["disclosure_code"] != "N")


def _parsed(path: Path, name: str | None = None) -> tuple[int, int]:
    table = parse_file(path, file=name or path.name, sha256="0" * 64).table
    return table.num_rows, sum(v or 0 for v in table.column("annual_avg_emplvl").to_pylist())


@pytest.mark.parametrize(
    "fixture",
    [
        "api_2023_a_industry/10.csv",
        "api_2025_a_industry/10.csv",
        "api_2025_a_industry/3351.csv",
        "singlefile_2017_DC/2017.annual.singlefile.csv",
        "singlefile_2017_DE/2017.annual.singlefile.csv",
    ],
)
def test_api_slices_and_singlefiles_parse_with_the_fixture_totals(fixture):
    path = QCEW / fixture
    kept, employment = _expected(path)
    assert kept > 0 and employment > 0, "the fixture keeps national or statewide rows"
    assert _parsed(path) == (kept, employment)
    assert TABLE.matches(path.name) and TABLE.recognise(path)


def test_a_slice_saved_by_the_api_takes_its_year_from_its_rows():
    """`10.csv` says nothing of its year: the rows do (the year is only in the URL)."""
    assert year_of(QCEW / "api_2023_a_industry" / "10.csv") == "2023"
    table = parse_file(QCEW / "api_2023_a_industry" / "10.csv", file="10.csv", sha256="0" * 64).table
    assert set(table.column("year").to_pylist()) == {2023}
    assert set(table.column("industry_code").to_pylist()) == {"10"}


def test_suppressed_cells_are_null_not_zero():
    table = parse_file(QCEW / "api_2025_a_industry" / "3351.csv", file="3351.csv", sha256="0" * 64).table
    rows = table.to_pylist()
    with open(QCEW / "api_2025_a_industry" / "3351.csv", encoding="utf-8", newline="") as handle:
        suppressed = sum(r["disclosure_code"] == "N" for r in csv.DictReader(handle))
    assert suppressed > 0 and sum(r["disclosure_code"] == "N" for r in rows) == suppressed
    assert all(r["annual_avg_emplvl"] is None for r in rows if r["disclosure_code"] == "N")
    assert {r["industry_code"] for r in rows} == {"3351"}, "a 4-digit industry code loads"


def test_singlefile_zip_parses_like_its_csv(tmp_path):
    member = QCEW / "singlefile_2017_DC" / "2017.annual.singlefile.csv"
    zipped = tmp_path / "2017_annual_singlefile.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(member, member.name)
    assert _parsed(zipped) == _expected(member)


def _alabama_2023() -> dict[str, str]:
    with open(QCEW / "api_2023_a_industry" / "10.csv", encoding="utf-8", newline="") as handle:
        (alabama,) = [r for r in csv.DictReader(handle) if r["area_fips"] == "01000"]
    return alabama


def _statewide_by_area_member() -> str:
    """The 2023 Alabama statewide row of the API slice fixture written in the real by_area header (2024
    file): the same values under the by_area names, with the titles BLS gives a statewide area."""
    with open(BY_AREA_COUNTY, encoding="utf-8", newline="") as handle:
        titled_header = next(csv.reader(handle))
    alabama = _alabama_2023()
    titles = {
        "area_title": "Alabama -- Statewide",
        "own_title": "Total Covered",
        "industry_title": "10 Total, all industries",
        "agglvl_title": "State, Total Covered",
        "size_title": "All establishment sizes",
    }
    plain = {name: name.replace("_estabs_count", "_estabs") for name in titled_header}
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(titled_header)
    writer.writerow([titles.get(name, alabama.get(plain[name], "")) for name in titled_header])
    return out.getvalue()


def test_by_area_zip_reads_the_nation_and_state_members_and_skips_counties(tmp_path):
    zipped = tmp_path / "2024_annual_by_area.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.write(BY_AREA_COUNTY, f"2024.annual.by_area/{BY_AREA_COUNTY.name}")
        archive.writestr("2024.annual.by_area/2024.annual 01000 Alabama -- Statewide.csv", _statewide_by_area_member())
    result = parse_file(zipped, file=zipped.name, sha256="0" * 64)
    rows = result.table.to_pylist()
    alabama = _alabama_2023()
    assert [(r["area_fips"], r["annual_avg_emplvl"], r["annual_avg_estabs"]) for r in rows] == [
        ("01000", int(alabama["annual_avg_emplvl"]), int(alabama["annual_avg_estabs"]))
    ]
    assert result.extra_columns == (), "the five titles and the _count names are a known layout"
    assert "by_area / by_industry" in result.notes[0]


def test_by_industry_zip_reads_every_member_in_one_pass(tmp_path):
    zipped = tmp_path / "2023_annual_by_industry.zip"
    member = _statewide_by_area_member()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("2023.annual.by_industry/2023.annual 10 10 Total, all industries.csv", member)
        archive.writestr("2023.annual.by_industry/2023.annual 101 101 Goods-producing.csv", member)
    result = parse_file(zipped, file=zipped.name, sha256="0" * 64)
    assert result.table.num_rows == 2
    assert {f.split("!")[1] for f in result.table.column("source_file").to_pylist()} == {
        "2023.annual 10 10 Total, all industries.csv",
        "2023.annual 101 101 Goods-producing.csv",
    }


def test_a_titled_by_area_csv_alone_is_recognised_and_keeps_no_county_row():
    assert TABLE.recognise(BY_AREA_COUNTY)
    assert _parsed(BY_AREA_COUNTY) == _expected(BY_AREA_COUNTY) == (0, 0)


def test_a_quarterly_slice_is_refused_saying_what_it_is():
    quarterly = QCEW / "api_2025_4_industry" / "10.csv"
    assert not TABLE.recognise(quarterly)
    with pytest.raises(UnknownLayoutError, match=r"this is a BLS QCEW quarterly slice: .*annual slices") as error:
        parse_file(quarterly, file="10.csv", sha256="0" * 64)
    assert error.value.rule == "file_kind" and len(str(error.value).splitlines()) == 1


def test_the_sample_writes_the_real_slice_header(tmp_path):
    from sources.common.sample_world import SampleConfig, World

    first = sorted(write_sample(World(SampleConfig(scale=0.001, seed=3)), tmp_path))[0]
    real = (QCEW / "api_2023_a_industry" / "10.csv").read_bytes().split(b"\n", 1)[0].rstrip(b"\r")
    assert first.read_bytes().split(b"\n", 1)[0] == real
