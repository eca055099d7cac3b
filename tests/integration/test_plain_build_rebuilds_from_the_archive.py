"""Issue #17, controls: a plain `warehouse build` rebuilds from the raw archive, so a file loaded with
`warehouse ingest` stays; a build whose inputs did not change parses, gates, loads, rebuilds and
publishes nothing; new files in the drop folder and single fiscal years are picked up on their own;
`--force` rebuilds everything, to the same marts and employer ids."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from python_calamine import CalamineWorkbook

from sources import all_tables
from tests.integration.conftest import run_cli, sample_dir, write_xlsx
from tests.integration.test_gates_reject_bad_files import _whd_lines, _write_whd
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration

RAW_TABLES = sorted(table.contract.table_name for _, table in all_tables())
FY16 = "H-2A_Disclosure_Data_FY16_updated.xlsx"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _published(home: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _build_db(home: Path, sql: str, params=None) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).build_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _mart_checksums(home: Path) -> dict[str, str]:
    """A checksum of every marts table's sorted rows. Doubles are compared to 9 decimals: splink's match
    probabilities come out of parallel float sums and may differ in the 16th digit between two runs."""
    columns = _published(
        home,
        "select table_name, list(case when data_type in ('DOUBLE', 'FLOAT') then format('round(\"{}\", 9)', "
        "column_name) else format('\"{}\"', column_name) end order by column_index) "
        "from duckdb_columns() where schema_name = 'marts' group by table_name",
    )
    rows = "coalesce(string_agg(cast(t as varchar), '|' order by cast(t as varchar)), '')"
    return {
        table: _published(home, f"select md5({rows}) from (select {', '.join(cells)} from marts.{table}) t")[0][0]
        for table, cells in columns
    }


def _employer_ids(home: Path) -> set[tuple]:
    return set(_published(home, "select source, record_id, employer_id from marts.bridge_employer_record"))


def _version_count(home: Path) -> int:
    return len([p for p in WarehousePaths.at(home).published_versions.iterdir() if not p.name.startswith(".")])


def _table_lines(output: str) -> dict[str, str]:
    """The CLI's per-table lines: `  raw_x: unchanged, kept`."""
    return dict(re.findall(r"^  (raw_\w+): (.+)$", output, flags=re.MULTILINE))


def _run_id(output: str) -> str:
    return re.search(r"\(run ([0-9a-f-]{36})\)", output).group(1)


def _latest_run_and_what_it_materialized() -> tuple[str, set[str]]:
    instance = dg.DagsterInstance.get()
    (run,) = instance.get_runs(limit=1)
    records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION).records
    return run.run_id, {record.event_log_entry.dagster_event.asset_key.to_user_string() for record in records}


def _republished_whd(home: Path, folder: Path) -> Path:
    """The WHD file as a later issue with its last five cases gone, saved under another name."""
    member, lines = _whd_lines(home)
    path = _write_whd(folder, member, lines[:-5])
    return path.rename(folder / "whd_export_from_the_website.zip")


def _corrected_fy16(home: Path, path: Path) -> Path:
    workbook = CalamineWorkbook.from_path(str(sample_dir(home) / FY16))
    rows = workbook.get_sheet_by_index(0).to_python()
    certified = rows[0].index("NBR_WORKERS_CERTIFIED")
    rows[1][certified] = float(rows[1][certified] or 0) + 1000
    return write_xlsx(path, [(workbook.sheet_names[0], rows)])


def test_plain_builds_keep_what_was_loaded_and_redo_only_what_changed(home_copy, tmp_path):
    home = str(home_copy)
    ingested = _republished_whd(home_copy, tmp_path / "downloads")
    assert run_cli("ingest", "whd", "--file", str(ingested), "--home", home).exit_code == 0
    versions = _version_count(home_copy)

    first = run_cli("build", "--home", home)
    assert first.exit_code == 0, first.output
    assert "from the raw archive" in first.output and "Build succeeded" in first.output
    assert _table_lines(first.output)["raw_whd__compliance_actions"] == "unchanged, kept", "ingest loaded it"
    assert _version_count(home_copy) == versions + 1
    sha = _sha(ingested)
    assert _published(
        home_copy,
        "select last_accepted_sha256 from audit.source_status where table_name = 'raw_whd__compliance_actions'",
    ) == [(sha,)], "the ingested file, not a regenerated sample"
    assert _published(home_copy, "select sha256 from marts.source_coverage where source = 'whd'") == [(sha,)]
    assert _published(home_copy, "select distinct source_sha256 from raw.raw_whd__compliance_actions") == [(sha,)]
    marts, ids = _mart_checksums(home_copy), _employer_ids(home_copy)

    second = run_cli("build", "--home", home)
    assert second.exit_code == 0, second.output
    lines = _table_lines(second.output)
    assert sorted(lines) == RAW_TABLES
    assert all("unchanged, kept" in line and "loaded" not in line for line in lines.values()), lines
    assert "Nothing changed since the newest published version" in second.output
    assert _version_count(home_copy) == versions + 1, "nothing published"
    run_id, ran = _latest_run_and_what_it_materialized()
    assert "raw_whd__compliance_actions" in ran
    assert not ran & {"stg_whd__compliance_actions", "int_employer_links", "mart_industry_year", "published_warehouse"}
    assert _build_db(home_copy, "select count(*) from audit.validation_results where run_id = ?", [run_id]) == [(0,)]
    assert _build_db(home_copy, "select count(*) from audit.accepted_loads where run_id = ?", [run_id]) == [(0,)]
    assert _mart_checksums(home_copy) == marts and _employer_ids(home_copy) == ids

    only = run_cli("build", "--only", "whd", "--home", home)
    assert only.exit_code == 0 and list(_table_lines(only.output)) == ["raw_whd__compliance_actions"], only.output

    dropped = _corrected_fy16(home_copy, WarehousePaths.at(home_copy).drop_dir / FY16)
    one_year = run_cli("build", "--fiscal-year", "2016", "--home", home)
    assert one_year.exit_code == 0, one_year.output
    lines = _table_lines(one_year.output)
    assert lines == {
        "raw_h2a__addendum_b_worksites": "no input: 2016",
        "raw_h2a__disclosure": lines["raw_h2a__disclosure"],
        "raw_h2b__disclosure": "unchanged, kept: 2016",  # every program's FY2016 slice; only H-2A's changed
    }
    assert re.fullmatch(r"loaded: 2016 \(\d+ rows\)", lines["raw_h2a__disclosure"]), lines
    run_id = _run_id(one_year.output)
    assert _build_db(
        home_copy, "select distinct table_name, slice from audit.accepted_loads where run_id = ?", [run_id]
    ) == [("raw_h2a__disclosure", "2016")]
    assert _published(
        home_copy, "select distinct source_sha256 from raw.raw_h2a__disclosure where file_fiscal_year = 2016"
    ) == [(_sha(dropped),)]
    assert _version_count(home_copy) == versions + 2
    changed = _mart_checksums(home_copy)
    assert changed["mart_industry_year"] != marts["mart_industry_year"], "1,000 more FY2016 workers show"
    marts, ids = changed, _employer_ids(home_copy)

    forced = run_cli("build", "--force", "--home", home)
    assert forced.exit_code == 0, forced.output
    lines = _table_lines(forced.output)
    assert all(line.startswith("loaded") for line in lines.values()), lines
    assert _version_count(home_copy) == versions + 3
    assert _mart_checksums(home_copy) == marts, "the same inputs give the same marts"
    assert _employer_ids(home_copy) == ids
    assert _published(
        home_copy, "select distinct source_sha256 from raw.raw_h2a__disclosure where file_fiscal_year = 2016"
    ) == [(_sha(dropped),)], "the dropped file is in the archive's record now"

    restored = run_cli("rollback", "--home", home)
    assert restored.exit_code == 0, restored.output
    after_rollback = run_cli("build", "--home", home)
    assert after_rollback.exit_code == 0, after_rollback.output
    assert "Nothing changed" in after_rollback.output and "(rolled back)" in after_rollback.output
    assert "`warehouse publish` publishes the build again" in after_rollback.output


def test_a_damaged_published_version_is_reported_and_rebuilt_never_trusted(home_copy):
    """Issue "Trust what you read", findings 1-3: a build that would say "Nothing changed" publishes anew
    when the current version was changed (opened read-write, rows deleted), or its links replaced or removed."""
    from warehouse.publish.versions import verify_published, versions

    home, paths = str(home_copy), WarehousePaths.at(home_copy)
    control = run_cli("build", "--home", home)
    assert control.exit_code == 0 and "Nothing changed" in control.output, control.output
    (whd_rows,) = _published(home_copy, "select count(*) from raw.raw_whd__compliance_actions")[0]

    tampered = paths.published_current.resolve() / "warehouse.duckdb"
    tampered.chmod(0o644)
    tampered.parent.chmod(0o755)
    with duckdb.connect(str(tampered)) as con:
        con.execute("delete from raw.raw_whd__compliance_actions")
    status = run_cli("status", "--home", home)
    assert status.exit_code == 0 and "warehouse.duckdb was changed" in status.output, status.output
    healed = run_cli("build", "--home", home)
    assert healed.exit_code == 0, healed.output
    assert "✗ published: published/versions/" in healed.output and "Nothing changed" not in healed.output
    assert "Build succeeded" in healed.output
    assert verify_published(paths) == []
    assert _published(home_copy, "select count(*) from raw.raw_whd__compliance_actions") == [(whd_rows,)]

    kept = len(versions(paths))
    paths.published_current.unlink()  # finding 3 ...
    paths.published_db.unlink()
    paths.published_db.write_text("a\n1\n")  # ... and finding 2: what `query --output` wrote
    query = run_cli("query", "select 1", "--home", home)
    assert query.exit_code == 1 and "the published warehouse is damaged: published/current is missing" in query.output
    healed = run_cli("build", "--home", home)
    assert healed.exit_code == 0 and "Build succeeded" in healed.output, healed.output
    assert verify_published(paths) == [] and len(versions(paths)) == kept + 1
    assert _published(home_copy, "select count(*) from raw.raw_whd__compliance_actions") == [(whd_rows,)]
    again = run_cli("build", "--home", home)
    assert again.exit_code == 0 and "Nothing changed" in again.output, again.output
