"""Issue #14: `warehouse ingest SOURCE --file ANY_NAME` recognises each real layout by its contents.

Every file here is a real-format fixture (tests/fixtures/real/, see the PROVENANCE files) saved
under a name that says nothing (as a browser or a colleague would save it). Each is recognised,
loaded into its table (H-2A: into the fiscal year its contents give), and a row drop is accepted
only on purpose, with who and why kept in the audit schema.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import duckdb
import pytest

from orchestration.run import write_dagster_yaml
from tests.integration.conftest import run_cli
from tests.real_fixtures import REAL, recording, recording_to_workbook
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


def _ingest(home: Path, source: str, path: Path, *extra: str):
    return run_cli("ingest", source, "--file", str(path), "--home", str(home), *extra)


def _build_db(home: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(WarehousePaths.at(home).build_db), read_only=True)


def _whd_zip(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", "LOAD00000001-2026-09-21-05-19-19_chunk_1.csv")
    return target


def _debarment_pdf(target: Path) -> Path:
    """The issue #14 cells in real rows, typeset like the published PDF (see the debarment fixtures)."""
    from sources.debarment.sample import write_program_pdf
    from tests.real_fixtures import recording

    _, rows = recording(REAL / "debarment" / "program_debarments_quirks.csv")
    lists: dict[str, list[tuple[str, ...]]] = {}
    for row in rows:
        lists.setdefault(row["program"], []).append(tuple(v for k, v in row.items() if k != "program")[:6])
    return write_program_pdf(lists, target)


def _copy(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copyfile(source, target))


@pytest.fixture
def fresh_home(tmp_path, monkeypatch) -> Path:
    """An empty warehouse: the first load of each table (no row-count baseline yet)."""
    home = tmp_path / "fresh"
    (home / "dagster").mkdir(parents=True)
    write_dagster_yaml(home / "dagster")
    monkeypatch.setenv("WAREHOUSE_HOME", str(home))
    monkeypatch.setenv("DAGSTER_HOME", str(home / "dagster"))
    return home


def test_each_real_layout_loads_under_a_meaningless_name(fresh_home, tmp_path):
    home_copy = fresh_home
    files = [
        ("h2a", recording_to_workbook(REAL / "h2a" / "fy2015_q4.csv", tmp_path / "export.xlsx"), "2015"),
        ("h2a", recording_to_workbook(REAL / "h2a" / "addendum_b_fy2020.csv", tmp_path / "b.xlsx", "FY2020"), "2020"),
        ("qcew", _copy(REAL / "qcew" / "api_2025_a_industry" / "3351.csv", tmp_path / "slice.csv"), None),
        ("mspa", _copy(REAL / "mspa" / "FLCWksht.csv", tmp_path / "list (2).csv"), None),
        ("debarment", _debarment_pdf(tmp_path / "download.pdf"), None),
    ]
    for source, path, year in files:
        result = _ingest(home_copy, source, path)
        assert result.exit_code == 0, result.output
        assert "Loaded" in result.output
        if year:
            assert f"fiscal year {year}" in result.output
    with _build_db(home_copy) as con:
        statuses = con.execute(
            "select case_status from raw.raw_h2a__disclosure "
            "where file_fiscal_year = 2015 and source_file = 'export.xlsx'"
        ).fetchall()
        assert {s for (s,) in statuses} == {r["CASE_STATUS"] for r in recording(REAL / "h2a" / "fy2015_q4.csv")[1]}
        assert (
            con.execute(
                "select count(*) from raw.raw_h2a__addendum_b_worksites "
                "where source_file = 'b.xlsx' and file_fiscal_year = 2020"
            ).fetchone()[0]
            == 7
        )
        assert (
            con.execute(
                "select count(*) from raw.raw_qcew__annual_employment where industry_code = '3351' and year = 2025"
            ).fetchone()[0]
            == 10
        )
        assert con.execute("select count(*) from raw.raw_mspa__farm_labor_contractors").fetchone()[0] == 4
        assert (
            con.execute("select count(*) from raw.raw_debarment__program_debarments where is_permanent").fetchone()[0]
            == 1
        )


def test_a_smaller_whd_file_needs_a_stated_reason_and_the_acceptance_is_audited(home_copy, tmp_path):
    """The 3-row real bulk-zip excerpt replaces a 1,400-case table: refused, then accepted on purpose."""
    path = _whd_zip(tmp_path, "enforcement (1).zip")
    refused = _ingest(home_copy, "whd", path)
    assert refused.exit_code == 1, refused.output
    assert "row_count_vs_last_load" in refused.output
    missing_reason = _ingest(home_copy, "whd", path, "--accept-row-drop", "raw_whd__compliance_actions")
    assert missing_reason.exit_code == 2 and "--reason" in missing_reason.output
    accepted = _ingest(
        home_copy,
        "whd",
        path,
        "--accept-row-drop",
        "raw_whd__compliance_actions",
        "--reason",
        "testing a 3-case excerpt of the real bulk zip",
    )
    assert accepted.exit_code == 0, accepted.output
    with _build_db(home_copy) as con:
        assert con.execute("select count(*) from raw.raw_whd__compliance_actions").fetchone()[0] == 3
        (row,) = con.execute(
            "select table_name, accepted_by, reason, observed from audit.row_drop_acceptances"
        ).fetchall()
    assert row[0] == "raw_whd__compliance_actions" and row[1] and "3-case excerpt" in row[2]
    assert "1,400 -> 3" in row[3]


def test_a_quarterly_qcew_slice_is_refused_saying_what_it_is(fresh_home, tmp_path):
    quarterly = _copy(REAL / "qcew" / "api_2025_4_industry" / "10.csv", tmp_path / "10.csv")
    result = _ingest(fresh_home, "qcew", quarterly)
    assert result.exit_code == 1
    assert "this is a BLS QCEW quarterly slice" in result.output and "annual slices" in result.output


def test_the_command_line_prints_no_dagster_beta_or_preview_warning(fresh_home, tmp_path):
    """A real process (warnings are not filtered by pytest here): one line per asset, no warning noise."""
    env = {**os.environ, "WAREHOUSE_HOME": str(fresh_home), "DAGSTER_HOME": str(fresh_home / "dagster")}
    path = recording_to_workbook(REAL / "h2a" / "addendum_b_fy2020.csv", tmp_path / "worksites.xlsx", "FY2020")
    completed = subprocess.run(
        [str(Path(sys.executable).parent / "warehouse"), "ingest", "h2a", "--file", str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "Warning" not in output, output
    assert output.count("materialized raw_h2a__addendum_b_worksites") == 1


def test_a_real_h2b_file_under_any_name_loads_into_the_h2b_table_and_is_refused_as_h2a(fresh_home, tmp_path):
    from tests.real_fixtures import shared_sample

    path = _copy(shared_sample("h2b/H-2B_FY2003.csv"), tmp_path / "export.csv")
    refused = _ingest(fresh_home, "h2a", path)
    assert refused.exit_code == 1, refused.output
    assert "this is an OFLC H-2B (non-agricultural) disclosure file" in refused.output
    assert "warehouse ingest h2b --file" in refused.output
    loaded = _ingest(fresh_home, "h2b", path)
    assert loaded.exit_code == 0, loaded.output
    assert "raw_h2b__disclosure, fiscal year 2003" in loaded.output
    with _build_db(fresh_home) as con:
        rows = con.execute(
            "select count(*) from raw.raw_h2b__disclosure where file_fiscal_year = 2003 and source_file = 'export.csv'"
        ).fetchone()[0]
    with open(path, encoding="latin-1") as handle:
        assert rows == sum(1 for _ in handle) - 1 == 8317
