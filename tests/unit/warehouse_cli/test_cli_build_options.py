"""`warehouse build` option errors and an empty archive: a clear one-line error, nothing built."""

from __future__ import annotations

from typer.testing import CliRunner

from warehouse_cli import app


def _build(*args: str):
    return CliRunner().invoke(app, ["build", *args], catch_exceptions=False)


def test_a_plain_build_on_an_empty_archive_says_how_to_start(tmp_path):
    result = _build("--home", str(tmp_path / "new"))
    assert result.exit_code == 2
    assert "Nothing to build: the raw archive" in result.output
    for start in ("--source sample", "--source download", "--source DIR"):
        assert f"warehouse build {start}" in result.output
    assert not (tmp_path / "new" / "published" / "warehouse.duckdb").exists()


def test_unknown_sources_and_fiscal_years_are_clear_errors(tmp_path):
    home = str(tmp_path / "home")
    unknown = _build("--only", "whd,osha", "--home", home)
    assert unknown.exit_code == 2 and "--only: unknown source(s) ['osha']; known: whd, h2a" in unknown.output
    year = _build("--fiscal-year", "2016", "--fiscal-year", "1999", "--home", home)
    assert year.exit_code == 2 and "--fiscal-year: '1999' is not an H-2A or H-2B fiscal year (2000.." in year.output
    word = _build("--fiscal-year", "last", "--home", home)
    assert word.exit_code == 2 and "--fiscal-year: 'last' is not a year" in word.output
    no_h2a = _build("--only", "qcew", "--fiscal-year", "2016", "--home", home)
    assert no_h2a.exit_code == 2 and "add h2a or h2b to --only" in no_h2a.output
