"""The gate decides per table: an accepted load replaces its table and marks it fresh; a column the
publisher added is a warning, not a failure; a rejected load keeps the last accepted one and
marks the table stale with the file, the reason and the report."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import duckdb
import pytest

from orchestration.defs.resources import WarehouseResource
from sources.common.archive import RawArchive
from sources.whd import SOURCE
from tests.real_fixtures import REAL
from warehouse.ingest.stage import FilesRejected, stage
from warehouse.quality.gate import LOADED, REJECTED, gate_and_load

TABLE = SOURCE.tables[0]


def _zip(rows: list[list[str]], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    chunk = folder / "chunk.csv"
    with open(chunk, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    target = folder / "WHD_enforcement.zip"
    with zipfile.ZipFile(target, "w") as archive:
        archive.write(chunk, "LOAD00000001-2026-09-21-05-19-19_chunk_1.csv")
    return target


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(home=str(tmp_path / "home"))


def _gate(warehouse: WarehouseResource, path: Path, run_id: str):
    archived = RawArchive(warehouse.paths().raw_archive).store_local(path, source="whd")
    target = warehouse.paths().parsed_dir / "whd.parquet"
    parsed = stage(TABLE, [archived], target, partition="all")
    return gate_and_load(SOURCE, TABLE, parsed, warehouse=warehouse, run_id=run_id, merge=False)


def _status(warehouse: WarehouseResource) -> tuple:
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        return con.execute(
            "select status, last_accepted_file, row_count, rejected_file, rejection_reason from audit.source_status"
        ).fetchone()


def test_an_added_column_is_a_warning_and_a_bad_file_keeps_the_last_load(warehouse, tmp_path):
    with open(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    good = _zip([[*rows[0], "EMPLOYER_FEIN"], *[[*r, ""] for r in rows[1:]]], tmp_path / "good")

    accepted = _gate(warehouse, good, "run-1")
    assert (accepted.status, accepted.rows_loaded) == (LOADED, 3)
    failed = {r.rule: r for r in accepted.results if not r.passed}
    assert all(r.severity == "warn" for r in failed.values()), failed
    assert failed["no_unknown_columns"].observed == ["EMPLOYER_FEIN"]
    assert _status(warehouse)[:3] == ("fresh", "WHD_enforcement.zip", 3)

    negative = rows[0].index("BW_ATP_AMT")
    bad_rows = [rows[0], *[[*r[:negative], "-5", *r[negative + 1 :]] for r in rows[1:]]]
    rejected = _gate(warehouse, _zip(bad_rows, tmp_path / "bad"), "run-2")
    assert rejected.status == REJECTED and rejected.reports[0].report_path
    status, last_file, row_count, rejected_file, reason = _status(warehouse)
    assert status == "stale: rejected WHD_enforcement.zip" and rejected_file == "WHD_enforcement.zip"
    assert (last_file, row_count) == ("WHD_enforcement.zip", 3), "the last accepted load is kept"
    assert "money_non_negative" in reason


def test_a_quarantined_file_that_passes_later_is_released_with_its_report_kept(warehouse, tmp_path):
    with open(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert _gate(warehouse, _zip(rows, tmp_path / "full"), "run-1").status == LOADED
    shorter = _zip(rows[:2], tmp_path / "shorter")  # 1 row of 3: a drop the row-count rule refuses
    refused = _gate(warehouse, shorter, "run-2")
    assert refused.status == REJECTED
    (archived,) = [f for f in RawArchive(warehouse.paths().raw_archive).files("whd") if f.is_quarantined]
    quarantine = json.loads((archived.folder / "QUARANTINED.json").read_text())

    accepting = warehouse.model_copy(
        update={"accept_row_drop": [TABLE.contract.table_name], "accept_row_drop_reason": "re-issue", "operator": "ana"}
    )
    assert _gate(accepting, shorter, "run-3").status == LOADED
    assert not archived.is_quarantined
    assert json.loads((archived.folder / "RELEASED.json").read_text()) == quarantine, "the report stays beside it"
    assert (archived.folder / "RELEASED.txt").read_text().startswith("raw_whd__compliance_actions: load REJECTED")
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        released = con.execute(
            "select run_id, released_by, file, file_sha256, rejection, report_path, released_at is not null "
            "from audit.quarantine_releases"
        ).fetchall()
    ((run_id, who, file, sha256, rejection, report_path, dated),) = released
    assert (run_id, who, file, sha256, dated) == ("run-3", "ana", "WHD_enforcement.zip", archived.sha256, True)
    assert rejection.startswith("row_count_vs_last_load: ") and report_path == refused.reports[0].report_path


def _whd_rows(count: int) -> tuple[list[str], list[list[str]]]:
    """A real WHD header and `count` copies of its first real row, each with its own case id."""
    with open(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", encoding="utf-8", newline="") as handle:
        header, first, *_ = list(csv.reader(handle))
    case_id = header.index("CASE_ID")
    return header, [[*first[:case_id], str(9_000_000 + n), *first[case_id + 1 :]] for n in range(count)]


def test_a_few_bad_rows_are_set_aside_into_audit_and_the_rest_loads(warehouse, tmp_path):
    header, rows = _whd_rows(40)
    rows[4][header.index("CASE_VIOLTN_CNT")] = "N/A"  # a value that does not cast: row 5
    rows[9][header.index("CASE_ID")] = "  "  # a blank key: row 10
    outcome = _gate(warehouse, _zip([header, *rows], tmp_path / "few"), "run-1")

    assert outcome.status == LOADED and outcome.rows_loaded == 38
    (warning,) = [r for r in outcome.results if r.rule == "rows_set_aside"]
    assert warning.severity == "warn" and warning.failing_count == 2
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        audit = con.execute(
            """select run_id, source, table_name, file, file_sha256 is not null, source_row, rule, column_name, value
               from audit.rejected_rows order by source_row"""
        ).fetchall()
        loaded = con.execute("select count(*) from raw.raw_whd__compliance_actions").fetchone()[0]
    member = "WHD_enforcement.zip!LOAD00000001-2026-09-21-05-19-19_chunk_1.csv"
    assert audit == [
        ("run-1", "whd", "raw_whd__compliance_actions", member, True, 5, "types_parse", "CASE_VIOLTN_CNT", "N/A"),
        ("run-1", "whd", "raw_whd__compliance_actions", member, True, 10, "required_value", "CASE_ID", None),
    ]
    assert loaded == 38

    # The same file loaded again replaces its rows set aside, never doubles them.
    again = _gate(warehouse, _zip([header, *rows], tmp_path / "few"), "run-2")
    assert again.status == LOADED
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        assert con.execute("select count(*), min(run_id) from audit.rejected_rows").fetchone() == (2, "run-2")


def test_many_bad_rows_refuse_the_whole_file(warehouse, tmp_path):
    header, rows = _whd_rows(40)
    accepted = _gate(warehouse, _zip([header, *rows], tmp_path / "good"), "run-1")
    assert accepted.status == LOADED
    for row in rows[:11]:  # 11 rows: more than 10 rows and more than 1 % of the file
        row[header.index("CASE_VIOLTN_CNT")] = "N/A"
    with pytest.raises(FilesRejected) as refused:
        _gate(warehouse, _zip([header, *rows], tmp_path / "bad"), "run-2")

    ((archived, error),) = refused.value.rejected
    assert archived.filename == "WHD_enforcement.zip" and error.rule == "types_parse"
    assert "CASE_VIOLTN_CNT (11)" in error.message and "refused whole" in error.message
    assert [(p.row, p.value) for p in error.problems[:2]] == [(1, "N/A"), (2, "N/A")]
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        assert con.execute("select count(*) from raw.raw_whd__compliance_actions").fetchone()[0] == 40
        assert con.execute("select count(*) from audit.rejected_rows").fetchone()[0] == 0


def test_the_bound_on_rows_set_aside():
    from sources.common.casting import too_many_set_aside

    bound = {"max_share": 0.01, "min_rows": 10}
    assert not too_many_set_aside(10, 40, **bound)  # at most 10 rows: a few bad rows
    assert too_many_set_aside(11, 40, **bound)
    assert not too_many_set_aside(500, 100_000, **bound)  # 0.5 % of a big file
    assert too_many_set_aside(1_001, 100_000, **bound)
    assert too_many_set_aside(1, 1, **bound) and too_many_set_aside(3, 5, **bound)  # most of a small file
    assert not too_many_set_aside(0, 0, **bound)


def test_a_load_and_its_audit_rows_commit_together(warehouse, tmp_path, monkeypatch):
    """Issue #25: a load that fails while writing its audit rows leaves neither its rows nor half its
    audit behind: the raw table, accepted_loads and source_status still describe the last good load."""
    with open(REAL / "whd" / "era3_bulk_chunk_live_dates.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert _gate(warehouse, _zip(rows, tmp_path / "first"), "run-1").status == LOADED

    def fail(*args, **kwargs):
        raise OSError("disk full while writing the status")

    monkeypatch.setattr("warehouse.quality.gate.record_source_status", fail)
    renamed = rows[0].index("LEGAL_NAME")
    corrected = [rows[0], *[[*r[:renamed], r[renamed] + " CORRECTED", *r[renamed + 1 :]] for r in rows[1:]]]
    with pytest.raises(OSError, match="disk full"):
        _gate(warehouse, _zip(corrected, tmp_path / "second"), "run-2")
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        raw_rows = con.execute(
            "select count(*) from raw.raw_whd__compliance_actions where coalesce(legal_name, '') not like '%CORRECTED'"
        ).fetchone()[0]
        loads = con.execute("select distinct run_id from audit.accepted_loads").fetchall()
        status = con.execute("select run_id, row_count from audit.source_status").fetchall()
    assert (raw_rows, loads, status) == (3, [("run-1",)], [("run-1", 3)])
