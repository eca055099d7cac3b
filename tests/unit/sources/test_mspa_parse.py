"""MSPA FLC registry: CSV and Excel exports give the same table; mixed date formats; bad files fail clearly."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.sample_world import World, unlicensed_contractors
from sources.mspa import SOURCE
from sources.mspa.contract import PUBLISHED_COLUMNS as PUBLISHED
from sources.mspa.parse import parse_file
from sources.mspa.sample import generate_rows, row_count
from tests.unit.sources.parser_properties import set_aside_cells

TABLE = SOURCE.tables[0]
PUBLISHED_COLUMNS = tuple(PUBLISHED)


def _parse(path):
    return parse_file(path, file=path.name, sha256="0" * 64)


def _date(text: str) -> date:
    year = text.rsplit("/", 1)[1]
    return datetime.strptime(text, "%m/%d/%Y" if len(year) == 4 else "%m/%d/%y").date()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_parses_to_the_generated_rows(world, tmp_path, fmt):
    (path,) = SOURCE.write_sample(world, tmp_path, fmt=fmt)
    expected = generate_rows(World(world.config))
    table = _parse(path).table.to_pylist()

    assert TABLE.matches(path.name)
    assert len(table) == len(expected) == row_count(world)
    for row, cells in zip(table, expected, strict=True):
        published = dict(zip(PUBLISHED_COLUMNS, cells, strict=True))
        assert row["cert_num"] == published["Cert Num"]
        assert row["flc_name"] == published["FLC Business or FLC Individual"]
        assert row["flc_zip"] == published["FLC Zip"]
        assert row["has_housing_authorization"] == (published["Housing Authorization"] == "Y")
        assert row["certificate_start_date"] == _date(published["FLC Certificate Start Date"])
        assert row["certificate_valid_until_date"] == _date(published["FLC Certificate Valid Until"])
    assert any(r["cert_num"].startswith("0") for r in table)
    assert all(r["certificate_valid_until_date"].year >= 2020 for r in table)


def test_both_date_forms_are_in_the_sample(world):
    dates = [cells[-1] for cells in generate_rows(world)]
    assert any(len(d.rsplit("/", 1)[1]) == 2 for d in dates) and any(len(d.rsplit("/", 1)[1]) == 4 for d in dates)


def test_every_licensed_farm_labor_contractor_is_in_the_ground_truth(world, tmp_path):
    (path,) = SOURCE.write_sample(world, tmp_path)
    certs = set(_parse(path).table.column("cert_num").to_pylist())
    truth = [(entity, record) for entity, dataset, record, _ in world.truth.rows if dataset == "mspa"]
    unlicensed = {e.entity_id for e in unlicensed_contractors(world)}
    assert unlicensed and unlicensed < {e.entity_id for e in world.of_kind("flc")}
    assert {entity for entity, _ in truth} == {e.entity_id for e in world.of_kind("flc")} - unlicensed
    assert {record for _, record in truth} <= certs


def _csv(tmp_path, header, rows, name="mspa_farm_labor_contractors.csv", encoding="utf-8"):
    path = tmp_path / name
    lines = [",".join(header), *[",".join(r) for r in rows]]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


ROW = (
    "0012345",
    "Jose Muñoz",
    "12 Main St",
    "Salinas",
    "CA",
    "03901",
    "(831) 555-0100",
    "Farm Labor Contractor",
    "Y",
    "N",
    "Y",
    "2/26/2020",
    "2/24/22",
)


def test_mixed_date_forms_and_cp1252_names(tmp_path):
    (row,) = _parse(_csv(tmp_path, PUBLISHED_COLUMNS, [ROW], encoding="cp1252")).table.to_pylist()
    assert (row["cert_num"], row["flc_name"], row["flc_zip"]) == ("0012345", "Jose Muñoz", "03901")
    dates = (row["certificate_start_date"], row["certificate_valid_until_date"])
    assert dates == (date(2020, 2, 26), date(2022, 2, 24))
    assert (row["has_driving_authorization"], row["has_housing_authorization"]) == (True, False)


def test_tableau_style_header_fails_naming_the_columns(tmp_path):
    header = [*PUBLISHED_COLUMNS[:-1], "Doctor Certificate Expiration"]
    with pytest.raises(UnknownLayoutError) as error:
        _parse(_csv(tmp_path, header, [ROW]))
    assert "Doctor Certificate Expiration" in str(error.value) and "FLC Certificate Valid Until" in str(error.value)


@pytest.mark.parametrize(
    ("column", "value"), [("Housing Authorization", "Maybe"), ("FLC Certificate Start Date", "2/30/2020")]
)
def test_bad_values_name_row_column_and_value(tmp_path, column, value):
    bad = list(ROW)
    bad[PUBLISHED_COLUMNS.index(column)] = value
    # Issue #24: one bad value sets its row aside (named with its row, column and value); the rest loads.
    result = _parse(_csv(tmp_path, PUBLISHED_COLUMNS, [ROW, tuple(bad)]))
    assert set_aside_cells(result) == [("types_parse", 2, column, value)]
    assert result.table.column("source_row").to_pylist() == [1]


def test_empty_file_fails(tmp_path):
    path = tmp_path / "mspa_farm_labor_contractors.csv"
    path.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        _parse(path)


def test_file_pattern_and_remote_files():
    for name in ("mspa_farm_labor_contractors.csv", "FLC_List.xlsx", "Farm Labor Contractors.xls"):
        assert TABLE.matches(name), name
    assert not TABLE.matches("program_debarments.pdf") and not TABLE.matches("whd_whisard.csv")
    assert TABLE.remote_files() == []  # no known download URL: manual drop-in
