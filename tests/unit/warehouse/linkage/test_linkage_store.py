"""The build asks linkage to read its records from the build database straight into DuckDB
(store.records_into): the links must be those of the same records handed over as Arrow (store.read_records)."""

from __future__ import annotations

import duckdb

from tests.unit.warehouse.linkage.same_links import assert_same_links
from warehouse.linkage import link_records
from warehouse.linkage.evaluation_runs import read_real_records
from warehouse.linkage.store import read_records, records_into

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
