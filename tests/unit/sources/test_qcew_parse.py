"""QCEW parsing: slices and bulk singlefiles give the same national/state rows; N cells are NULL."""

from __future__ import annotations

import csv
import itertools
import zipfile

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.sample_world import SampleConfig, World
from sources.qcew import SOURCE, select_files
from sources.qcew.contract import ANNUAL_CSV_COLUMNS
from sources.qcew.fetch import INDUSTRY_CODES, remote_files, slice_filename
from sources.qcew.parse import parse_file
from sources.qcew.sample import HEADER, generate_slices, sample_years, write_annual_singlefile
from tests.conftest import TEST_SCALE
from tests.unit.sources.parser_properties import set_aside_cells

YEAR = 2020
TABLE = SOURCE.tables[0]


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    world = World(SampleConfig(scale=TEST_SCALE, seed=7))
    folder = tmp_path_factory.mktemp("qcew")
    return world, SOURCE.write_sample(world, folder)


@pytest.fixture(scope="module")
def year_slices(sample):
    _, paths = sample
    return [p for p in paths if p.name.startswith(f"qcew_{YEAR}_")]


def _parse(path, name=None):
    return parse_file(path, file=name or path.name, sha256="0" * 64)


def _kept_by_text(path):
    """Rows the parser must keep, decided from the CSV text alone with the csv module."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        r
        for r in rows
        if (10 <= int(r["agglvl_code"]) <= 18 and r["area_fips"] == "US000")
        or (50 <= int(r["agglvl_code"]) <= 58 and r["area_fips"].endswith("000") and r["area_fips"][:2].isdigit())
    ], rows


def _values(table: pa.Table) -> list[tuple]:
    data = table.drop_columns(["source_file", "source_sha256", "source_row"]).to_pylist()
    return sorted(tuple(r.values()) for r in data)


def test_sample_writes_every_slice_under_its_archive_name(sample):
    world, paths = sample
    expected = {slice_filename(y, c) for y in sample_years(world) for c in INDUSTRY_CODES}
    assert {p.name for p in paths} == expected
    assert "qcew_2020_a_industry_31_33.csv" in expected
    assert all(TABLE.matches(p.name) for p in paths)
    first = paths[0].read_text(encoding="utf-8").splitlines()
    assert first[0] == ",".join(f'"{c}"' for c in ANNUAL_CSV_COLUMNS)
    # Codes, year and qtr quoted; a blank disclosure code written "", numbers bare.
    assert first[1].startswith(f'"US000","0","10","10","0","{sample_years(world)[0]}","A","",')
    assert '"' not in first[1].split(",")[8]


def test_sample_is_deterministic(sample):
    world, paths = sample
    again = list(itertools.islice(generate_slices(World(world.config)), 30))
    written = [("\n".join([HEADER, *lines]) + "\n").encode() for _, _, lines in again]
    assert written == [p.read_bytes() for p in paths[:30]]


@pytest.mark.parametrize("code", ["10", "11", "31-33", "61", "92"])
def test_slice_rows_and_national_totals_match_the_csv_text(year_slices, code):
    (path,) = [p for p in year_slices if p.name == slice_filename(YEAR, code)]
    kept, every = _kept_by_text(path)
    table = _parse(path).table

    assert table.num_rows == len(kept) < len(every)
    national = [r for r in kept if r["area_fips"] == "US000"]
    parsed_national = table.filter(pc.equal(table["area_fips"], "US000"))
    assert parsed_national.num_rows == len(national)
    assert pc.sum(parsed_national["annual_avg_emplvl"]).as_py() == sum(int(r["annual_avg_emplvl"]) for r in national)
    states_text = [r for r in kept if r["area_fips"] != "US000" and r["disclosure_code"] != "N"]
    published_states = sum(int(r["annual_avg_emplvl"]) for r in states_text)
    states = table.filter(pc.not_equal(table["area_fips"], "US000"))
    assert pc.sum(states["annual_avg_emplvl"]).as_py() == published_states
    assert table["source_row"].to_pylist() == [every.index(r) + 1 for r in kept]


def test_agriculture_is_plausible(year_slices):
    table = _parse(next(p for p in year_slices if p.name.endswith("_11.csv"))).table
    national = table.filter(pc.and_(pc.equal(table["area_fips"], "US000"), pc.equal(table["own_code"], "5")))
    assert 500_000 < national["annual_avg_emplvl"][0].as_py() < 2_000_000
    states = table.filter(pc.equal(table["agglvl_code"], "54"))
    assert states.num_rows >= 50 and set(states["own_code"].to_pylist()) == {"5"}


def test_suppressed_cells_are_null_never_zero(year_slices):
    tables = [_parse(p).table for p in year_slices]
    table = pa.concat_tables(tables)
    hidden = table.filter(pc.equal(table["disclosure_code"], "N"))
    assert hidden.num_rows > 0
    for column in ("annual_avg_emplvl", "total_annual_wages", "annual_avg_wkly_wage", "avg_annual_pay"):
        assert hidden[column].null_count == hidden.num_rows
        assert pc.sum(pc.equal(table[column], 0)).as_py() in (0, None)
    assert hidden["annual_avg_estabs"].null_count == 0
    assert table.filter(pc.is_null(table["disclosure_code"]))["annual_avg_emplvl"].null_count == 0
    share = hidden.num_rows / table.filter(pc.equal(table["agglvl_code"], "54")).num_rows
    assert 0.01 < share < 0.08


def test_county_and_msa_rows_are_dropped(year_slices):
    path = next(p for p in year_slices if p.name.endswith("_10.csv"))
    _, every = _kept_by_text(path)
    assert {r["agglvl_code"] for r in every} >= {"70", "40"}
    table = _parse(path).table
    assert set(table["agglvl_code"].to_pylist()) == {"10", "11", "50", "51"}
    assert all(a == "US000" or (a.endswith("000") and a[:2].isdigit()) for a in table["area_fips"].to_pylist())
    assert "01000" in table["area_fips"].to_pylist()  # leading zeros kept


def test_singlefile_zip_and_bare_csv_give_the_slice_rows(year_slices, tmp_path):
    expected = _values(pa.concat_tables([_parse(p).table for p in year_slices]))
    target = write_annual_singlefile(year_slices, tmp_path / f"{YEAR}_annual_singlefile.zip")
    assert TABLE.matches(target.name)
    result = _parse(target)
    assert _values(result.table) == expected
    assert result.table["source_file"][0].as_py() == f"{target.name}!{YEAR}.annual.singlefile.csv"

    with zipfile.ZipFile(target) as archive:
        bare = tmp_path / f"{YEAR}.annual.singlefile.csv"
        bare.write_bytes(archive.read(f"{YEAR}.annual.singlefile.csv"))
    assert TABLE.matches(bare.name)
    assert _values(_parse(bare).table) == expected


def test_zip_with_another_member_name_uses_its_first_csv(year_slices, tmp_path):
    target = tmp_path / f"{YEAR}_annual_singlefile.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr("readme.txt", "not data")
        archive.write(year_slices[0], f"{YEAR}_annual.csv")
    assert _parse(target).table.num_rows == _parse(year_slices[0]).table.num_rows


def test_older_estabs_count_header_is_an_alias(year_slices, tmp_path):
    text = year_slices[0].read_text(encoding="utf-8")
    old = tmp_path / f"{YEAR}.annual.singlefile.csv"
    old.write_text(text.replace('"annual_avg_estabs"', '"annual_avg_estabs_count"', 1), encoding="utf-8")
    assert _values(_parse(old).table) == _values(_parse(year_slices[0]).table)


def _edited(path, tmp_path, edit):
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = edit(lines)
    target = tmp_path / path.name
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def test_unknown_header_fails_naming_the_columns(year_slices, tmp_path):
    """A header without annual employment fails naming what matched, the missing core column and the
    unrecognised one (``employment`` is no real spelling)."""
    renamed = _edited(
        year_slices[0], tmp_path, lambda ls: [ls[0].replace('"annual_avg_emplvl"', '"employment"'), *ls[1:]]
    )
    with pytest.raises(UnknownLayoutError) as error:
        _parse(renamed)
    message = str(error.value)
    assert "lack annual_avg_emplvl" in message and "Matched: area_fips<-area_fips" in message
    assert "Unrecognised columns: ['employment']" in message


def test_a_quarterly_column_is_refused_as_a_quarterly_slice(year_slices, tmp_path):
    quarterly = _edited(
        year_slices[0], tmp_path, lambda ls: [ls[0].replace("annual_avg_emplvl", "month1_emplvl"), *ls[1:]]
    )
    with pytest.raises(UnknownLayoutError, match="this is a BLS QCEW quarterly slice") as error:
        _parse(quarterly)
    assert error.value.rule == "file_kind"


def test_bad_number_names_row_column_and_value(year_slices, tmp_path):
    def edit(lines):
        cells = lines[3].split(",")
        cells[9] = "12x4"
        lines[3] = ",".join(cells)
        return lines

    # Issue #24: one bad value sets its row aside (named with its row, column and value); the rest loads.
    result = _parse(_edited(year_slices[0], tmp_path, edit))
    assert set_aside_cells(result) == [("types_parse", 3, "annual_avg_emplvl", "12x4")]
    assert 3 not in result.table.column("source_row").to_pylist()


def test_non_numeric_aggregation_level_fails(year_slices, tmp_path):
    broken = _edited(year_slices[0], tmp_path, lambda ls: [*ls[:2], ls[2].replace('"11"', '"XX"', 1), *ls[3:]])
    with pytest.raises(ParseError) as error:
        _parse(broken)
    assert error.value.rule == "agglvl_code" and error.value.problems[0].row == 2


def test_truncated_and_empty_files_fail(year_slices, tmp_path):
    text = year_slices[0].read_text(encoding="utf-8")
    cut = tmp_path / year_slices[0].name
    cut.write_text(text[: text.rfind(",", 0, len(text) // 2)], encoding="utf-8")
    with pytest.raises(ParseError) as error:
        _parse(cut)
    assert error.value.rule == "row_shape"
    cut.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        _parse(cut)


def test_select_files_prefers_one_bulk_file_per_year(tmp_path):
    names = [
        "qcew_2019_a_industry_10.csv",
        "qcew_2019_a_industry_31_33.csv",
        "qcew_2020_a_industry_10.csv",
        "2020_annual_singlefile.zip",
        "2020.annual.singlefile.csv",
        "2021.annual.singlefile.csv",
    ]
    paths = [tmp_path / n for n in names]
    assert [p.name for p in TABLE.pick(paths)] == [
        "qcew_2019_a_industry_10.csv",
        "qcew_2019_a_industry_31_33.csv",
        "2020_annual_singlefile.zip",
        "2021.annual.singlefile.csv",
    ]
    assert select_files([]) == []


def test_file_pattern_and_remote_files():
    assert not TABLE.matches("qcew_2020_q1_industry_10.csv") and not TABLE.matches("2020_qtrly_singlefile.zip")
    # The API saves a slice under its code alone; bulk zips by industry and area; extracted members.
    for name in (
        "31_33.csv",
        "10.csv",
        "3351.csv",
        "US000.csv",
        "2023_annual_by_industry.zip",
        "2024_annual_by_area.zip",
        "2023.annual 10 10 Total, all industries.csv",
    ):
        assert TABLE.matches(name), name
    remotes = remote_files()
    assert len(remotes) == 21 * len(INDUSTRY_CODES)
    manufacturing = [r for r in remotes if r.filename == "qcew_2020_a_industry_31_33.csv"]
    assert [r.url for r in manufacturing] == ["https://data.bls.gov/cew/data/api/2020/a/industry/31_33.csv"]
    assert all(TABLE.matches(r.filename) for r in remotes)
