"""Issue #17, controls: `warehouse release FILE` takes a quarantined file back once what rejected it
is fixed (gated again, loaded, its report kept in the audit trail), with clear errors when the file
is unknown, not quarantined, or still fails; `warehouse publish` then publishes the build database
without fetching or parsing anything."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import duckdb
import pytest

from tests.integration.conftest import run_cli
from tests.integration.test_gates_reject_bad_files import WHD_FILE, _whd_lines, _write_whd
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
TABLE = "raw_whd__compliance_actions"


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_release_a_quarantined_file_then_publish(home_copy, tmp_path):
    home, paths = str(home_copy), WarehousePaths.at(home_copy)
    member, lines = _whd_lines(home_copy)
    kept = lines[: 1 + int((len(lines) - 1) * 0.4)]  # a re-issue with 60% fewer cases: refused as a row drop
    reissue = _write_whd(tmp_path / "reissue", member, kept)
    refused = run_cli("ingest", "whd", "--file", str(reissue), "--home", home)
    assert refused.exit_code == 1 and "row_count_vs_last_load" in refused.output
    (version,) = [p.name for p in (paths.raw_archive / "whd").iterdir() if (p / "QUARANTINED.json").exists()]

    unknown = run_cli("release", "no_such_file.zip", "--home", home)
    assert unknown.exit_code == 2
    assert (
        f"No archived file matches 'no_such_file.zip'; quarantined files: whd/{version}/{WHD_FILE}." in unknown.output
    )
    accepted_sha = _query(
        paths.build_db, f"select last_accepted_sha256 from audit.source_status where table_name = '{TABLE}'"
    )[0][0]
    not_quarantined = run_cli("release", accepted_sha[:12], "--home", home)
    assert not_quarantined.exit_code == 2 and "is not quarantined" in not_quarantined.output

    still = run_cli("release", WHD_FILE, "--home", home)
    assert still.exit_code == 1, still.output
    assert f"{WHD_FILE} still fails its gate" in still.output and "row_count_vs_last_load" in still.output
    assert (paths.raw_archive / "whd" / version / "QUARANTINED.json").exists()
    reports = sorted(paths.reports_dir.glob(f"*_{TABLE}_*.json"))
    assert len(reports) == 2, "each rejection keeps its own report"

    released = run_cli(
        "release",
        f"whd/{version}/{WHD_FILE}",
        "--accept-row-drop",
        TABLE,
        "--reason",
        "DOL re-issued the file",
        "--home",
        home,
    )
    assert released.exit_code == 0, released.output
    rows = len(kept) - 1
    assert f"Released {WHD_FILE}: {rows:,} rows loaded into raw.{TABLE}" in released.output
    folder = paths.raw_archive / "whd" / version
    assert not (folder / "QUARANTINED.json").exists()
    kept_report = json.loads((folder / "RELEASED.json").read_text())
    assert kept_report["passed"] is False and kept_report["report_path"] == str(reports[-1])
    assert all(report.exists() for report in reports), "the reports stay"
    ((who, file, sha256, rejection, report_path),) = _query(
        paths.build_db, "select released_by, file, file_sha256, rejection, report_path from audit.quarantine_releases"
    )
    assert (who, file, report_path) == (getpass.getuser(), WHD_FILE, str(reports[-1]))
    assert sha256 == kept_report["files"][0]["sha256"] and rejection.startswith("row_count_vs_last_load")
    assert "Quarantined raw files: 0" in run_cli("status", "--home", home).output

    published = run_cli("publish", "--home", home)
    assert published.exit_code == 0, published.output
    assert "Published" in published.output and _query(paths.published_db, f"select count(*) from raw.{TABLE}") == [
        (rows,)
    ]
    assert len(_query(paths.published_db, "select * from audit.quarantine_releases")) == 1
    assert _query(paths.published_db, f"select status from audit.source_status where table_name = '{TABLE}'") == [
        ("fresh",)
    ]


def test_publish_needs_a_build_first(tmp_path):
    result = run_cli("publish", "--home", str(tmp_path / "new"))
    assert result.exit_code == 2 and "Nothing to publish" in result.output and "run `warehouse build`" in result.output
