"""Issue #4: bad files never reach the marts. Each broken file is made from a real-format file;
for each: the exact error, nothing published, the raw file kept and quarantined with a report,
and a good load afterwards succeeds."""

from __future__ import annotations

import hashlib
import json
import shutil
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from sources.common.archive import RawArchive
from tests.integration.conftest import dagster_ui, run_cli, sample_dir, write_xlsx
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

WHD_FILE = "WHD_enforcement.zip"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _whd_lines(home: Path) -> tuple[str, list[bytes]]:
    with zipfile.ZipFile(sample_dir(home) / WHD_FILE) as archive:
        (member,) = archive.namelist()
        return member, archive.read(member).splitlines()


def _write_whd(folder: Path, member: str, lines: list[bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / WHD_FILE
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(member, b"\n".join(lines) + (b"\n" if lines else b""))
    return path


def _set_column(lines: list[bytes], column: str, value: bytes, rows) -> list[bytes]:
    header = lines[0].split(b",")
    index = header.index(column.encode())
    out = [lines[0]]
    for number, line in enumerate(lines[1:], start=1):
        cells = line.split(b",")
        if number in rows and len(cells) == len(header):
            cells[index] = value
        out.append(b",".join(cells))
    return out


def _simple_rows(lines: list[bytes]) -> list[int]:
    """Data rows without quoted commas, so cells can be edited by position."""
    width = len(lines[0].split(b","))
    return [n for n, line in enumerate(lines[1:], start=1) if len(line.split(b",")) == width]


@pytest.fixture
def published_sha(home_copy) -> str:
    return _sha(WarehousePaths.at(home_copy).published_db)


def _ingest(home: Path, source: str, path: Path):
    return run_cli("ingest", source, "--file", str(path), "--home", str(home))


def _assert_rejected(home: Path, result, path: Path, published_sha: str, *expected_text: str) -> dict:
    output = result.output
    assert result.exit_code == 1, output
    for text in expected_text:
        assert text in output, f"{text!r} not in output:\n{output}"
    paths = WarehousePaths.at(home)
    assert _sha(paths.published_db) == published_sha, "the published warehouse must be untouched"
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        assert con.execute("select count(*) from marts.mart_industry_year").fetchone()[0] > 0
    sha = _sha(path)
    source = next(p.parent.name for p in paths.raw_archive.glob(f"*/{sha[:16]}"))
    (archived,) = [f for f in RawArchive(paths.raw_archive).files(source) if f.sha256 == sha]
    assert archived.is_quarantined, "the rejected raw file stays in the archive, marked quarantined"
    assert Path(archived.path).read_bytes() == path.read_bytes()
    report = json.loads((archived.folder / "QUARANTINED.json").read_text())
    assert report["passed"] is False and report["files"][0]["sha256"] == sha
    assert (archived.folder / "QUARANTINED.txt").read_text().strip()
    assert list(paths.reports_dir.glob("*.json")), "a validation report is written under reports/"
    return report


def _assert_good_load_succeeds(home: Path, source: str, good: Path) -> None:
    result = _ingest(home, source, good)
    assert result.exit_code == 0, result.output
    assert "Loaded" in result.output


def _good_whd(home: Path, tmp_path: Path) -> Path:
    target = tmp_path / "good" / WHD_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_dir(home) / WHD_FILE, target)
    return target


def test_truncated_csv_cut_mid_row(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    data = b"\n".join(lines)
    cut = data[: len(data) * 2 // 3]
    cut = cut[: cut.rfind(b",")]  # stop in the middle of a row
    path = _write_whd(tmp_path / "bad", member, cut.splitlines())
    report = _assert_rejected(home_copy, _ingest(home_copy, "whd", path), path, published_sha, "row_shape", WHD_FILE)
    assert report["results"][0]["examples"][0]["row"] > 0
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_missing_column(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    header = lines[0].split(b",")
    drop = header.index(b"BW_ATP_AMT")
    edited = [
        b",".join(c for i, c in enumerate(line.split(b",")) if i != drop)
        for n, line in enumerate(lines)
        if n == 0 or n in _simple_rows(lines)
    ]
    path = _write_whd(tmp_path / "bad", member, edited)
    _assert_rejected(
        home_copy,
        _ingest(home_copy, "whd", path),
        path,
        published_sha,
        "not a file of the WHD compliance actions table",
        "lack bw_atp_amt (e.g. BW_ATP_AMT",
    )
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_renamed_core_column(home_copy, published_sha, tmp_path):
    """Columns are matched by meaning: a renamed optional column is kept in extra_columns (unit tests);
    a renamed core column (the case id) leaves a file that is no WHD file, and it says why."""
    member, lines = _whd_lines(home_copy)
    lines[0] = lines[0].replace(b"CASE_ID,", b"CASE_IDENTIFIER,", 1)
    path = _write_whd(tmp_path / "bad", member, lines)
    _assert_rejected(
        home_copy,
        _ingest(home_copy, "whd", path),
        path,
        published_sha,
        "lack case_id (e.g. CASE_ID",
        "Unrecognised columns: ['CASE_IDENTIFIER']",
    )
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_duplicate_case_ids(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    path = _write_whd(tmp_path / "bad", member, lines + lines[1:4])
    report = _assert_rejected(
        home_copy, _ingest(home_copy, "whd", path), path, published_sha, "key_unique", "3 duplicated key value(s)"
    )
    failing = next(r for r in report["results"] if r["rule"] == "key_unique")
    assert {e["source_row"] for e in failing["examples"]} >= {1, len(lines)}
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_negative_back_wages(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    rows = _simple_rows(lines)[:3]
    path = _write_whd(tmp_path / "bad", member, _set_column(lines, "BW_ATP_AMT", b"-125.50", rows))
    report = _assert_rejected(
        home_copy, _ingest(home_copy, "whd", path), path, published_sha, "money_non_negative", "3 failing"
    )
    failing = next(r for r in report["results"] if r["rule"] == "money_non_negative")
    assert sorted(e["source_row"] for e in failing["examples"]) == rows
    status = run_cli("status", "--home", str(home_copy))
    assert "Quarantined raw files: 1" in status.output and "money_non_negative" in status.output
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_dates_in_the_future(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    rows = _simple_rows(lines)[:40]
    path = _write_whd(tmp_path / "bad", member, _set_column(lines, "FINDINGS_END_DATE", b"3021-05-01", set(rows)))
    _assert_rejected(
        home_copy, _ingest(home_copy, "whd", path), path, published_sha, "findings_dates_plausible", "40 failing"
    )
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_a_stray_future_date_is_a_warning_not_a_rejection(home_copy, tmp_path):
    member, lines = _whd_lines(home_copy)
    path = _write_whd(
        tmp_path / "odd", member, _set_column(lines, "FINDINGS_END_DATE", b"3021-05-01", {_simple_rows(lines)[0]})
    )
    result = _ingest(home_copy, "whd", path)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(WarehousePaths.at(home_copy).build_db), read_only=True) as con:
        warned = con.execute(
            "select failing_count from audit.validation_results "
            "where rule = 'findings_dates_strictly_plausible' and not passed"
        ).fetchall()
    assert warned == [(1,)]


def test_latin1_bytes_in_names_load_with_the_names_decoded(home_copy, tmp_path):
    member, lines = _whd_lines(home_copy)
    row = _simple_rows(lines)[0]
    lines = _set_column(lines, "TRADE_NM", "Panadería Núñez".encode("latin-1"), {row})
    path = _write_whd(tmp_path / "latin1", member, lines)
    result = _ingest(home_copy, "whd", path)
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(WarehousePaths.at(home_copy).build_db), read_only=True) as con:
        names = con.execute(
            "select trade_nm from raw.raw_whd__compliance_actions where source_row = ?", [row]
        ).fetchall()
    assert names == [("Panadería Núñez",)]


def test_empty_file(home_copy, published_sha, tmp_path):
    member, _ = _whd_lines(home_copy)
    path = _write_whd(tmp_path / "bad", member, [])
    _assert_rejected(home_copy, _ingest(home_copy, "whd", path), path, published_sha, "not_empty", "empty")
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def test_load_with_60_percent_fewer_rows_than_the_last(home_copy, published_sha, tmp_path):
    member, lines = _whd_lines(home_copy)
    kept = lines[: 1 + int((len(lines) - 1) * 0.4)]
    path = _write_whd(tmp_path / "bad", member, kept)
    _assert_rejected(home_copy, _ingest(home_copy, "whd", path), path, published_sha, "row_count_vs_last_load", "60%")
    _assert_good_load_succeeds(home_copy, "whd", _good_whd(home_copy, tmp_path))


def _h2a_workbook(home: Path) -> tuple[str, list[list]]:
    path = next(sample_dir(home).glob("H-2A_Disclosure_Data_FY2024_Q4.xlsx"))
    workbook = CalamineWorkbook.from_path(str(path))
    return workbook.sheet_names[0], workbook.get_sheet_by_index(0).to_python()


def test_unknown_new_fiscal_year_column_layout(home_copy, published_sha, tmp_path):
    sheet, rows = _h2a_workbook(home_copy)
    rows = [[*rows[0], "WORKER_HOUSING_INSPECTION_ID"], *[[*r, ""] for r in rows[1:]]]
    rows[0][rows[0].index("CASE_NUMBER")] = "CASE_ID"
    path = write_xlsx(tmp_path / "bad" / "H-2A_Disclosure_Data_FY2026_Q1.xlsx", [(sheet, rows)])
    _assert_rejected(
        home_copy,
        _ingest(home_copy, "h2a", path),
        path,
        published_sha,
        "not a file of the H-2A disclosure table",
        "lack case_number",
        "WORKER_HOUSING_INSPECTION_ID",
        "CASE_ID",
    )
    good = tmp_path / "good" / "H-2A_Disclosure_Data_FY2024_Q4.xlsx"
    good.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(sample_dir(home_copy) / good.name, good)
    _assert_good_load_succeeds(home_copy, "h2a", good)


def test_xlsx_with_the_wrong_sheet(home_copy, published_sha, tmp_path):
    sheet, rows = _h2a_workbook(home_copy)
    notes = [["This file contains H-2A disclosure data. See the record layout for definitions."], ["Data: next sheet."]]
    path = write_xlsx(tmp_path / "bad" / "H-2A_Disclosure_Data_FY2024_Q4.xlsx", [("Read Me", notes), (sheet, rows)])
    _assert_rejected(
        home_copy,
        _ingest(home_copy, "h2a", path),
        path,
        published_sha,
        "first sheet 'Read Me'",
        "not a file of the H-2A disclosure table",
    )
    good = tmp_path / "good" / "H-2A_Disclosure_Data_FY2024_Q4.xlsx"
    write_xlsx(good, [(sheet, rows)])
    _assert_good_load_succeeds(home_copy, "h2a", good)


def test_a_bad_file_in_a_full_build_stops_only_its_own_table(home_copy, published_sha, tmp_path):
    """The whole job on a folder where two files are bad (WHD values, one H-2A fiscal year unreadable):
    each is rejected with its own report, those tables keep their last accepted load, every other
    table loads, dbt builds, the warehouse is published with audit.source_status saying what is stale
    and why, and the command exits 3 so a scheduler alerts."""
    paths = WarehousePaths.at(home_copy)
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        whd_before = con.execute("select count(*), sum(bw_atp_amt) from raw.raw_whd__compliance_actions").fetchone()
        fy2016_before = con.execute(
            "select count(*) from raw.raw_h2a__disclosure where file_fiscal_year = 2016"
        ).fetchone()
    folder = tmp_path / "inputs"
    shutil.copytree(sample_dir(home_copy), folder)
    member, lines = _whd_lines(home_copy)
    (folder / WHD_FILE).unlink()
    _write_whd(folder, member, _set_column(lines, "BW_ATP_AMT", b"-1", set(_simple_rows(lines)[:2])))
    h2a_bad = folder / "H-2A_Disclosure_Data_FY16_updated.xlsx"
    h2a_bad.write_bytes(h2a_bad.read_bytes()[:5000])  # a download cut short: not a readable workbook

    result = run_cli("build", "--source", str(folder), "--home", str(home_copy))
    output = result.output
    assert result.exit_code == 3, output
    assert "2 rejected load(s)" in output
    assert "✗ raw_whd__compliance_actions: stale: rejected WHD_enforcement.zip" in output
    assert "money_non_negative" in output
    assert "✗ raw_h2a__disclosure [2016]: stale: rejected H-2A_Disclosure_Data_FY16_updated.xlsx" in output
    assert "workbook_readable" in output
    assert output.count("report: ") == 2, "each rejected file gets its own report line"
    assert _sha(paths.published_db) != published_sha, "the good tables are published"

    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        status = {
            (t, p): (s, f, r)
            for t, p, s, f, r in con.execute(
                "select table_name, partition_key, status, rejected_file, rejection_reason from audit.source_status"
            ).fetchall()
        }
        assert con.execute("select count(*), sum(bw_atp_amt) from raw.raw_whd__compliance_actions").fetchone() == (
            whd_before
        ), "the rejected table keeps its last accepted load"
        assert (
            con.execute("select count(*) from raw.raw_h2a__disclosure where file_fiscal_year = 2016").fetchone()
            == fy2016_before
        )
        assert con.execute("select count(*) from marts.mart_industry_year").fetchone()[0] > 0
    whd_status, whd_file, whd_reason = status[("raw_whd__compliance_actions", "all")]
    assert whd_status == "stale: rejected WHD_enforcement.zip" and whd_file == WHD_FILE
    assert "money_non_negative" in whd_reason
    assert status[("raw_h2a__disclosure", "2016")][0].startswith("stale: rejected H-2A_Disclosure_Data_FY16")
    assert status[("raw_h2a__disclosure", "2015")][0] == "fresh"
    assert status[("raw_qcew__annual_employment", "all")][0] == "fresh"
    reports = sorted(paths.reports_dir.glob("*.json"))
    assert {json.loads(r.read_text())["table"] for r in reports} >= {
        "raw_whd__compliance_actions",
        "raw_h2a__disclosure",
    }

    instance = dg.DagsterInstance.get()
    (run,) = instance.get_runs(limit=1)
    materialized = {
        event.asset_key.to_user_string()
        for event in instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
        for event in [event.event_log_entry.dagster_event]
    }
    assert {"raw_qcew__annual_employment", "stg_whd__compliance_actions", "mart_industry_year"} <= materialized
    assert "published_warehouse" in materialized

    # What the Dagster UI shows for that run (its GraphQL API, as the browser reads it).
    with dagster_ui(home_copy) as graphql:
        checks = graphql(
            '{ assetNodes(assetKeys: [{path: ["raw_whd__compliance_actions"]}]) { assetChecksOrError { '
            "... on AssetChecks { checks { name executionForLatestMaterialization { status runId "
            "evaluation { severity description } } } } } } }"
        )["assetNodes"][0]["assetChecksOrError"]["checks"]
        (gate,) = [c for c in checks if c["name"] == "gate"]
        execution = gate["executionForLatestMaterialization"]
        assert execution["status"] == "FAILED" and execution["runId"] == run.run_id
        assert execution["evaluation"]["severity"] == "ERROR"
        assert "REJECTED WHD_enforcement.zip" in execution["evaluation"]["description"]
        assert "money_non_negative" in execution["evaluation"]["description"]
