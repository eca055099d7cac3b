"""Loading a republished whole file by content difference equals replacing the table with it."""

from __future__ import annotations

from datetime import date

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sources.common.contract import Column, make_contract
from warehouse.ingest.difference import load_difference, row_difference
from warehouse.ingest.load import RAW_SCHEMA, replace_raw_table

CONTRACT = make_contract(
    "test",
    "cases",
    "cases",
    [
        Column("case_id", "int", "the case", nullable=False),
        Column("back_wages", "double", "back wages"),
        Column("findings_end", "date", "findings end"),
    ],
    ("case_id",),
)


def _row(case_id: int, back_wages: float | None, end: str | None, *, file: str, sha: str, row: int) -> dict:
    return {
        "case_id": case_id,
        "back_wages": back_wages,
        "findings_end": None if end is None else date.fromisoformat(end),
        "source_file": file,
        "source_sha256": sha,
        "source_row": row,
    }


def _parquet(path, rows: list[dict]):
    schema = pa.schema([(c.name, c.arrow_type) for c in CONTRACT.columns])
    pq.write_table(pa.Table.from_pylist([{n: r.get(n) for n in CONTRACT.column_names} for r in rows], schema), path)
    return path


def _table(db) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"SELECT * FROM {RAW_SCHEMA}.raw_test__cases ORDER BY case_id").fetchall()


def _week(tmp_path):
    last = [
        _row(i, float(i * 100), "2020-01-01" if i % 2 else None, file="w1.zip", sha="a", row=i) for i in range(1, 9)
    ]
    this = [dict(r, source_file="w2.zip", source_sha256="b") for r in last if r["case_id"] != 3]  # 3 gone
    this[0] = dict(this[0], back_wages=150.0)  # case 1 revised
    this[1] = dict(this[1], findings_end=date(2020, 2, 1))  # case 2: a date where was none
    this.append(_row(9, 900.0, "2021-05-05", file="w2.zip", sha="b", row=9))  # new
    this.append(_row(10, None, None, file="w2.zip", sha="b", row=10))  # new, all blank
    return _parquet(tmp_path / "last.parquet", last), _parquet(tmp_path / "this.parquet", this), this


def test_the_difference_names_new_changed_gone_and_kept_rows(tmp_path):
    last, this, _ = _week(tmp_path)
    db = tmp_path / "build.duckdb"
    replace_raw_table(db, CONTRACT, last)

    difference = row_difference(db, CONTRACT, this)

    assert difference.to_dict() == {"new": 2, "changed": 2, "gone": 1, "kept": 5}
    checked = pq.read_table(difference.changed_parquet).column("case_id").to_pylist()
    assert sorted(checked) == [1, 2, 9, 10]


def test_loading_the_difference_equals_a_full_reload(tmp_path):
    last, this, _ = _week(tmp_path)
    db, fresh = tmp_path / "build.duckdb", tmp_path / "fresh.duckdb"
    replace_raw_table(db, CONTRACT, last)
    replace_raw_table(fresh, CONTRACT, this)
    audited = []

    inserted = load_difference(db, CONTRACT, this, row_difference(db, CONTRACT, this), also=audited.append)

    assert inserted == 4
    assert len(audited) == 1  # the audit rows commit with the load
    assert _table(db) == _table(fresh)


def test_nothing_to_compare_with_loads_whole(tmp_path):
    _, this, _ = _week(tmp_path)
    assert row_difference(tmp_path / "none.duckdb", CONTRACT, this) is None
    empty = _parquet(tmp_path / "empty.parquet", [])
    replace_raw_table(tmp_path / "build.duckdb", CONTRACT, empty)
    assert row_difference(tmp_path / "build.duckdb", CONTRACT, this) is None


def test_a_failed_load_leaves_the_table_as_it_was(tmp_path):
    last, this, _ = _week(tmp_path)
    db = tmp_path / "build.duckdb"
    replace_raw_table(db, CONTRACT, last)
    before = _table(db)

    def fail(_con):
        raise RuntimeError("audit failed")

    with pytest.raises(RuntimeError, match="audit failed"):
        load_difference(db, CONTRACT, this, row_difference(db, CONTRACT, this), also=fail)
    assert _table(db) == before
