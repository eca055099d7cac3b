"""Skip what did not change: which table slices a build leaves alone, and when the marts must be rebuilt."""

from __future__ import annotations

import pytest

from warehouse.ingest.changes import STILL_REJECTED, UNCHANGED, code_checksum, inputs_digest, is_reload, skip_verdict
from warehouse.quality.audit import record_source_status, slice_status

A, B, C = "a" * 64, "b" * 64, "c" * 64


def _status(status: str = "fresh", accepted: list[str] = (A,), rejected: list[str] = ()) -> dict:
    return {"status": status, "last_accepted_sha256": ",".join(accepted), "rejected_sha256": ",".join(rejected)}


@pytest.mark.parametrize(
    ("status", "selected", "merge", "reload", "verdict"),
    [
        (None, [A], False, False, None),  # never loaded
        (_status(), [], False, False, None),  # no file this run: nothing to compare
        (_status(), [A], False, False, UNCHANGED),
        (_status(), [B], False, False, None),  # a new file
        (_status(accepted=[A, B]), [A], False, False, None),  # a full load with fewer files replaces the table
        (_status(accepted=[A, B]), [A], True, False, UNCHANGED),  # a merge of a file already loaded
        (_status(accepted=[A, B]), [A, C], True, False, None),  # a merge bringing a new file
        (_status("stale: rejected x", [A], [B]), [B], False, False, STILL_REJECTED),
        (_status("stale: rejected x", [A], [B]), [A], False, False, None),  # the good file again: fresh again
        (_status("stale: rejected x", [A], [B]), [A], True, True, UNCHANGED),  # read again from the archive
    ],
)
def test_skip_verdict(status, selected, merge, reload, verdict):
    assert skip_verdict(status, selected, merge=merge, reload=reload) == verdict


def test_a_single_file_loaded_on_purpose_is_gated_again_even_if_it_was_rejected():
    stale = _status("stale: rejected x", [A], [B])
    assert skip_verdict(stale, [B], merge=True, reload=False) == STILL_REJECTED
    assert skip_verdict(stale, [B], merge=True, reload=False, regate_rejected=True) is None
    assert skip_verdict(_status(), [A], merge=True, reload=False, regate_rejected=True) == UNCHANGED


def test_only_the_archive_reading_the_accepted_files_again_is_a_reload():
    assert is_reload(_status(accepted=[A, B]), [A], from_archive=True)
    assert not is_reload(_status(accepted=[A, B]), [A], from_archive=False)
    assert not is_reload(_status(accepted=[A]), [B], from_archive=True)
    assert not is_reload(None, [A], from_archive=True)


def test_inputs_digest_follows_statuses_files_and_code(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    files = [{"filename": "WHD_enforcement.zip", "sha256": A}]
    record_source_status(db, run_id="r1", table="raw_whd", partition="all", files=files, row_count=3)
    first = inputs_digest(db, "code-1")
    record_source_status(db, run_id="r2", table="raw_whd", partition="all", files=files, row_count=3)
    assert inputs_digest(db, "code-1") == first, "a reload of the same files changes nothing"
    assert inputs_digest(db, "code-2") != first, "a change of the dbt or linkage code rebuilds the marts"
    record_source_status(
        db,
        run_id="r3",
        table="raw_whd",
        partition="all",
        files=[{"filename": "x", "sha256": B}],
        row_count=0,
        rejection="money_non_negative",
        report_path="r.json",
    )
    stale = inputs_digest(db, "code-1")
    assert stale != first, "a rejection is published too (the table is stale)"
    record_source_status(
        db, run_id="r4", table="raw_whd", partition="all", files=[dict(files[0], sha256=C)], row_count=2
    )
    assert inputs_digest(db, "code-1") not in (first, stale)


def test_a_forced_reload_from_the_archive_keeps_a_stale_slice_stale(tmp_path):
    db = tmp_path / "warehouse.duckdb"
    good, bad = [{"filename": "good.zip", "sha256": A}], [{"filename": "bad.zip", "sha256": B}]
    record_source_status(db, run_id="r1", table="t", partition="all", files=good, row_count=3)
    record_source_status(db, run_id="r2", table="t", partition="all", files=bad, row_count=3, rejection="bad rows")
    record_source_status(db, run_id="r3", table="t", partition="all", files=good, row_count=3, keep_rejection=True)
    status = slice_status(db, "t", "all")
    assert status["status"] == "stale: rejected bad.zip" and status["rejected_sha256"] == B
    assert status["run_id"] == "r2", "the rejection stays the rejecting run's"
    record_source_status(db, run_id="r4", table="t", partition="all", files=good, row_count=3)
    assert slice_status(db, "t", "all")["status"] == "fresh", "a new input of the good file makes it fresh"


def test_code_checksum_changes_with_any_file(tmp_path):
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.sql").write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: x")
    roots = [tmp_path / "models", tmp_path / "dbt_project.yml", tmp_path / "absent"]
    before = code_checksum(roots)
    assert code_checksum(roots) == before
    (tmp_path / "models" / "m.sql").write_text("select 2")
    assert code_checksum(roots) != before
