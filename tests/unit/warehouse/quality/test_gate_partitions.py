"""A run's partitions pass their gate in one validation call (warehouse.quality.gate.gate_and_load_partitions),
yet each is judged alone: a fiscal year with a bad value is rejected with its own report and audit rows,
the others load, as real H-2B files of three years show."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.defs.resources import WarehouseResource
from sources import h2b
from sources.common.archive import RawArchive
from tests.real_fixtures import shared_sample
from warehouse.ingest.stage import stage, write_parquet
from warehouse.quality.gate import LOADED, REJECTED, gate_and_load_partitions

TABLE = h2b.SOURCE.tables[0]
YEARS = ("2000", "2001", "2002")


@pytest.fixture
def warehouse(tmp_path) -> WarehouseResource:
    return WarehouseResource(home=str(tmp_path / "home"))


def _staged(warehouse: WarehouseResource, year: str):
    archived = RawArchive(warehouse.paths().raw_archive).store_local(
        shared_sample(f"h2b/H-2B_FY{year}.csv"), source="h2b"
    )
    return stage(TABLE, [archived], warehouse.paths().parsed_dir / f"h2b-{year}.parquet", partition=year)


def _with_negative_workers(parsed, row: int) -> None:
    """Staged by the parser, then a value the suite refuses (wages and counts are never negative)."""
    table = pq.read_table(parsed.parquet_path)
    workers = table.column("workers_requested").to_pylist()
    workers[row] = -3
    index = table.schema.get_field_index("workers_requested")
    write_parquet(
        table.set_column(index, "workers_requested", pa.array(workers, table.schema.field(index).type)),
        Path(parsed.parquet_path),
    )


def test_one_bad_fiscal_year_is_rejected_alone(warehouse):
    staged = [_staged(warehouse, year) for year in YEARS]
    _with_negative_workers(staged[1], row=7)

    outcomes = list(
        gate_and_load_partitions(h2b.SOURCE, TABLE, staged, warehouse=warehouse, run_id="run-1", merge=True)
    )

    assert [(o.partition, o.status) for o in outcomes] == [("2000", LOADED), ("2001", REJECTED), ("2002", LOADED)]
    (failed,) = [r for r in outcomes[1].results if not r.passed and r.severity == "error"]
    assert failed.rule == "worker_counts_non_negative" and failed.failing_count == 1
    assert [e["source_row"] for e in failed.examples] == [
        pq.read_table(staged[1].parquet_path)["source_row"][7].as_py()
    ]
    assert all(r.passed for o in (outcomes[0], outcomes[2]) for r in o.results if r.severity == "error")
    assert all(o.gate_seconds > 0 for o in outcomes)
    with duckdb.connect(str(warehouse.paths().build_db), read_only=True) as con:
        loaded = dict(
            con.execute("select file_fiscal_year, count(*) from raw.raw_h2b__disclosure group by 1").fetchall()
        )
        audited = con.execute(
            "select count(distinct files) from audit.validation_results where table_name = 'raw_h2b__disclosure'"
        ).fetchone()[0]
    assert sorted(loaded) == [2000, 2002]
    assert [loaded[2000], loaded[2002]] == [o.rows_loaded for o in (outcomes[0], outcomes[2])]
    assert audited == 3, "each fiscal year's validation is recorded with its own file"
