"""WHD parsing: every publication era gives the same canonical table; bad files fail clearly."""

from __future__ import annotations

import zipfile

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from sources.common.errors import ParseError, UnknownLayoutError
from sources.common.sample_world import SampleConfig, World
from sources.common.text_cells import decode_mixed
from sources.whd import SOURCE
from sources.whd import parse as whd_parse
from sources.whd.parse import parse_file
from sources.whd.sample import generate_cases
from tests.unit.sources.parser_properties import set_aside_cells


def _parse(path):
    return parse_file(path, file=path.name, sha256="0" * 64)


@pytest.mark.parametrize("era", [1, 2, 3])
def test_each_era_parses_to_the_generated_cases(world, tmp_path, era):
    (path,) = SOURCE.write_sample(world, tmp_path, era=era)
    expected = generate_cases(type(world)(world.config))
    result = _parse(path)

    assert result.table.num_rows == expected.num_rows
    assert result.notes[0].startswith(f"era {era}")
    assert result.table.column("case_id").to_pylist() == expected.column("case_id").to_pylist()
    assert pc.sum(result.table.column("bw_atp_amt")).as_py() == pytest.approx(
        pc.sum(expected.column("bw_atp_amt")).as_py()
    )
    assert result.table.column("zip_cd").to_pylist() == [z or None for z in expected.column("zip_cd").to_pylist()]
    if era == 1:
        assert result.table.column("ld_dt").null_count == result.table.num_rows


def test_cp1252_employer_names_are_decoded(world, tmp_path):
    (path,) = SOURCE.write_sample(world, tmp_path, era=1)
    with zipfile.ZipFile(path) as archive:
        raw = archive.read("whd_whisard.csv")
    names = set(_parse(path).table.column("trade_nm").to_pylist())
    planted = [w for w in ("Peña", "Muñoz", "Núñez", "Ibáñez", "Cantú", "Panadería") if w.encode("cp1252") in raw]
    assert planted, "the sample should contain cp1252 bytes"
    assert all(any(w in (n or "") for n in names) for w in planted)


def _csv(tmp_path, header, rows):
    path = tmp_path / "whd_whisard.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_unknown_column_fails_naming_it(world, tmp_path):
    (path,) = SOURCE.write_sample(world, tmp_path, era=1)
    with zipfile.ZipFile(path) as archive:
        lines = decode_mixed(archive.read("whd_whisard.csv")).splitlines()
    header = lines[0].replace("bw_atp_amt", "backwages_total", 1)
    with pytest.raises(UnknownLayoutError) as error:
        _parse(_csv(tmp_path, header, lines[1:5]))
    assert "backwages_total" in str(error.value) and "bw_atp_amt" in str(error.value)


def test_truncated_file_fails_with_row(world, tmp_path):
    (path,) = SOURCE.write_sample(world, tmp_path, era=1)
    with zipfile.ZipFile(path) as archive:
        text = decode_mixed(archive.read("whd_whisard.csv"))
    cut = text[: len(text) // 2]
    cut = cut[: cut.rfind(",")]  # stop mid-row
    broken = tmp_path / "whd_whisard.csv"
    broken.write_text(cut, encoding="utf-8")
    with pytest.raises(ParseError) as error:
        _parse(broken)
    assert error.value.rule == "row_shape"
    assert error.value.problems[0].row is not None


def test_value_that_is_not_a_number_names_row_and_column(world, tmp_path):
    (path,) = SOURCE.write_sample(world, tmp_path, era=1)
    with zipfile.ZipFile(path) as archive:
        lines = decode_mixed(archive.read("whd_whisard.csv")).splitlines()
    header = lines[0].split(",")
    row = lines[3].split(",")
    assert len(row) == len(header), "pick a row without quoted commas"
    row[header.index("bw_atp_amt")] = "12x.50"
    lines[3] = ",".join(row)
    # Issue #24: one bad value sets its row aside (named with its row, column and value); the rest loads.
    result = _parse(_csv(tmp_path, lines[0], lines[1:10]))
    assert set_aside_cells(result) == [("types_parse", 3, "bw_atp_amt", "12x.50")]
    assert 3 not in result.table.column("source_row").to_pylist() and result.table.num_rows == 8


def test_a_csv_is_cast_in_parts_that_stack_to_the_whole(world, tmp_path, monkeypatch):
    """Issue 27: a whole-history CSV is handed on ROWS_PER_PART rows at a time (memory); its rows, row
    numbers, rows set aside and notes are those of one cast."""
    (path,) = SOURCE.write_sample(world, tmp_path, era=1)
    with zipfile.ZipFile(path) as archive:
        lines = decode_mixed(archive.read("whd_whisard.csv")).splitlines()
    header = lines[0].split(",")
    bad = next(n for n in range(20, len(lines)) if len(lines[n].split(",")) == len(header))
    row = lines[bad].split(",")
    row[header.index("ee_atp_cnt")] = "1.5"
    lines[bad] = ",".join(row)
    csv_path = _csv(tmp_path, lines[0], lines[1:])
    whole = _parse(csv_path)
    monkeypatch.setattr(whd_parse, "ROWS_PER_PART", 7)
    parts = list(whd_parse.parse_parts(csv_path, file=csv_path.name, sha256="0" * 64))

    assert len(parts) == -(-(len(lines) - 1) // 7)
    assert pa.concat_tables([p.table for p in parts]).equals(whole.table)
    assert [cell for p in parts for cell in set_aside_cells(p)] == set_aside_cells(whole)
    assert set_aside_cells(whole) == [("types_parse", bad, "ee_atp_cnt", "1.5")]
    assert parts[0].notes == whole.notes and all(p.notes == [] for p in parts[1:])


def test_empty_file_fails(tmp_path):
    empty = tmp_path / "whd_whisard.csv"
    empty.write_bytes(b"")
    with pytest.raises(ParseError, match="empty"):
        _parse(empty)


def test_the_samples_last_complete_year_is_as_full_as_the_years_before():
    """Issue #25 (10): the embedded sample's WHD cases fell 48 % in its last complete fiscal year, an
    artefact of how findings dates were drawn, which the report then presented as a finding."""
    config = SampleConfig()  # what `make demo` builds
    ends = pd.Series(generate_cases(World(config)).column("findings_end_date").to_numpy())
    fiscal_years = (ends + pd.DateOffset(months=3)).dt.year
    per_year = fiscal_years.value_counts()
    last_complete = fiscal_years.max() - 1  # the newest year is still running at `config.today`
    before = per_year[[last_complete - 3, last_complete - 2, last_complete - 1]].mean()
    assert per_year[last_complete] >= 0.9 * before, per_year.sort_index().to_dict()
