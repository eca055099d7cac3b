"""Loading into the raw schema when a contract has gained columns since the warehouse was built."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.contract import Column, make_contract
from warehouse.ingest.load import RAW_SCHEMA, merge_raw_table, replace_raw_table


def _contract(*extra: Column):
    columns = [Column("case_number", "string", "the case", nullable=False), *extra]
    return make_contract("test", "cases", "cases", columns, ("case_number",))


def _parquet(path, contract, rows: list[dict]):
    table = pa.Table.from_pylist(
        [{name: row.get(name) for name in contract.column_names} for row in rows],
        schema=pa.schema([(c.name, c.arrow_type) for c in contract.columns]),
    )
    pq.write_table(table, path)
    return path


def test_a_contract_column_added_since_the_build_is_added_and_old_rows_stay(tmp_path, caplog):
    db = tmp_path / "build.duckdb"
    old = _contract()
    replace_raw_table(db, old, _parquet(tmp_path / "old.parquet", old, [{"case_number": "A"}]))

    new = _contract(Column("agent_city", "string", "the agent's city"))
    rows = [{"case_number": "B", "agent_city": "BOISE"}]
    loaded = merge_raw_table(db, new, _parquet(tmp_path / "new.parquet", new, rows), ("case_number",))

    assert loaded == 1
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.execute(f"SELECT case_number, agent_city FROM {RAW_SCHEMA}.raw_test__cases ORDER BY 1").fetchall()
    assert got == [("A", None), ("B", "BOISE")]
    assert "gained the contract's new columns agent_city" in caplog.text
