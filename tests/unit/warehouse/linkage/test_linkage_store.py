"""The build asks linkage to read its records from the build database straight into DuckDB
(store.records_into): the links must be those of the same records handed over as Arrow (store.read_records).
What a run knew goes back into the build database from files, DuckDB to DuckDB (store.save)."""

from __future__ import annotations

import duckdb
import pyarrow.compute as pc

from tests.unit.warehouse.linkage.same_links import assert_same_links, pairs_by_key
from warehouse.linkage import link_records
from warehouse.linkage.evaluation_runs import read_real_records
from warehouse.linkage.store import read_known, read_records, records_into, save
from warehouse.operations.leftovers import remove_leftovers
from warehouse.settings import WarehousePaths

RECORDS = 4_000  # real H-2A records: enough for profiles, pairs and clusters, quick to link twice


def _build_db(path) -> None:
    """A build database holding real records as intermediate.int_employer_records and their filings'
    agents as intermediate.int_filing_agents."""
    records = read_real_records().slice(0, RECORDS)
    with duckdb.connect(str(path)) as con:
        con.register("real", records)
        con.execute("CREATE SCHEMA intermediate")
        con.execute("CREATE TABLE intermediate.int_employer_records AS SELECT * EXCLUDE (agent_key) FROM real")
        con.execute(
            """CREATE TABLE intermediate.int_filing_agents AS
               SELECT DISTINCT source, filing_record_id AS filing_id, agent_key FROM real WHERE agent_key IS NOT NULL"""
        )


def test_records_copied_into_duckdb_link_as_records_read_into_arrow(tmp_path):
    db = tmp_path / "build.duckdb"
    _build_db(db)
    as_arrow = read_records(db)
    assert as_arrow.num_rows == RECORDS and as_arrow.column("agent_key").null_count < RECORDS

    from_arrow = link_records(as_arrow)
    in_duckdb = link_records(records_into(db))

    assert_same_links(in_duckdb, from_arrow)
    assert in_duckdb.summary["matched_pairs"] == from_arrow.summary["matched_pairs"] > 0
    assert in_duckdb.summary["employers"] == from_arrow.summary["employers"] < RECORDS


def test_what_a_run_knew_goes_through_its_scratch_folder_into_the_build_database(tmp_path):
    """The profiles and pairs a run leaves for the next wait as files in the scratch folder the build gives it
    (under build/, removed after saving, or by the clean-up after a killed build), never as Arrow in Python;
    saved, they are what the next run reads back."""
    db, scratch = tmp_path / "build.duckdb", tmp_path / "build" / "linkage-1a2b.tmp"
    _build_db(db)
    scratch.mkdir(parents=True)
    result = link_records(records_into(db), scratch=scratch)
    assert sorted(path.name for path in scratch.iterdir()) == ["known_pairs.parquet", "known_profiles.parquet"]

    save(db, result, run_id="first")
    stored = read_known(db)
    assert pairs_by_key(stored) == pairs_by_key(result.known) and len(pairs_by_key(stored)) > 0
    assert stored.profiles.num_rows == result.summary["profiles"]

    assert scratch in remove_leftovers(WarehousePaths.at(tmp_path))
    assert not scratch.exists()


def _assigned(db) -> dict[str, tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT record_key, employer_id, assigned_run FROM linkage.employer_record_ids").fetchall()
    return {key: (employer, run) for key, employer, run in rows}


def test_a_record_keeps_the_run_that_gave_it_its_id_until_the_id_changes(tmp_path):
    db = tmp_path / "build.duckdb"
    _build_db(db)
    result = link_records(records_into(db))
    save(db, result, run_id="first")
    first = _assigned(db)
    assert len(first) == RECORDS and {run for _, run in first.values()} == {"first"}

    moved_key = sorted(first)[0]
    source, record_id = moved_key.split(":", 1)
    links = result.links
    is_moved = pc.and_(pc.equal(links["source"], source), pc.equal(links["record_id"], record_id))
    moved = pc.if_else(is_moved, "E99999999", links["employer_id"])
    result.links = links.set_column(links.schema.get_field_index("employer_id"), "employer_id", moved)
    result.known = None
    save(db, result, run_id="second")

    second = _assigned(db)
    assert second[moved_key] == ("E99999999", "second")
    assert {key: value for key, value in second.items() if key != moved_key} == {
        key: value for key, value in first.items() if key != moved_key
    }
