"""Load a republished whole file by content difference (WHD: the whole file again each week, ~1 % new and
~0.5 % changed cases).

Against the raw table (the last accepted load), by primary key: new rows (key absent), changed rows
(key present, some contract column differs: every column but the provenance ones, compared exactly with
EXCEPT, NULLs equal), gone rows (key no longer in the file). The gate checks values only on new and
changed rows; its set-wide rules still see the whole staged table. The load deletes the gone and changed
rows, inserts the new and changed ones, and brings the provenance (file, sha256, row number) of the rows
kept up to the new file: the table then equals a full reload of the file, row for row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.common.casting import sql_literal
from sources.common.contract import PROVENANCE_COLUMNS, TableContract
from warehouse.ingest.load import RAW_SCHEMA, AlsoInTransaction, connect, create_raw_table, transaction

CHANGED_SUFFIX = ".changed.parquet"


@dataclass(frozen=True)
class RowDifference:
    """What a staged table changes in its raw table; `changed_parquet` holds the new and changed rows."""

    new: int
    changed: int
    gone: int
    kept: int
    changed_parquet: Path

    @property
    def file_rows(self) -> int:
        """The staged file's rows: what the raw table holds from it once the difference is loaded."""
        return self.new + self.changed + self.kept

    def to_dict(self) -> dict:
        return {"new": self.new, "changed": self.changed, "gone": self.gone, "kept": self.kept}


def _quoted(names) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _content_columns(contract: TableContract) -> list[str]:
    return [c for c in contract.column_names if c not in PROVENANCE_COLUMNS]


def row_difference(db_path: Path, contract: TableContract, parquet: Path) -> RowDifference | None:
    """The difference of the staged `parquet` from the raw table; None when there is nothing to compare
    with (no raw rows yet) or the staged table does not have the contract's columns (the gate's schema
    rule then rejects it with its own message)."""
    if not contract.primary_key or not Path(db_path).exists():
        return None
    key, content = _quoted(contract.primary_key), _quoted(_content_columns(contract))
    table = f'{RAW_SCHEMA}."{contract.table_name}"'
    changed_parquet = Path(str(parquet).removesuffix(".parquet") + CHANGED_SUFFIX)
    with connect(db_path) as con:
        create_raw_table(con, contract)
        if con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0:
            return None
        try:
            con.execute(f"CREATE TEMP VIEW staged AS SELECT * FROM read_parquet({sql_literal(parquet)})")
            con.execute(
                f"""CREATE TEMP TABLE differing AS
                    SELECT {key} FROM (SELECT {content} FROM staged EXCEPT SELECT {content} FROM {table})"""
            )
        except duckdb.Error:
            return None
        con.execute(
            f"COPY (SELECT * FROM staged WHERE ({key}) IN (SELECT {key} FROM differing)) "
            f"TO {sql_literal(changed_parquet)} (FORMAT parquet)"
        )
        new = _count(con, f"SELECT count(*) FROM differing WHERE ({key}) NOT IN (SELECT {key} FROM {table})")
        differing = _count(con, "SELECT count(*) FROM differing")
        gone = _count(con, f"SELECT count(*) FROM {table} WHERE ({key}) NOT IN (SELECT {key} FROM staged)")
        staged = _count(con, "SELECT count(*) FROM staged")
    return RowDifference(new, differing - new, gone, staged - differing, changed_parquet)


def load_difference(
    db_path: Path, contract: TableContract, parquet: Path, difference: RowDifference, *, also: AlsoInTransaction | None
) -> int:
    """Apply the difference in one transaction (see the module); returns the rows inserted."""
    table = f'{RAW_SCHEMA}."{contract.table_name}"'
    key, columns = _quoted(contract.primary_key), _quoted(contract.column_names)
    params = {"staged": str(parquet), "changed": str(difference.changed_parquet)}
    provenance = ", ".join(f'"{c}" = s."{c}"' for c in PROVENANCE_COLUMNS)
    moved = " OR ".join(f'{table}."{c}" IS DISTINCT FROM s."{c}"' for c in PROVENANCE_COLUMNS)
    joined = " AND ".join(f'{table}."{k}" = s."{k}"' for k in contract.primary_key)
    with connect(db_path) as con, transaction(con, also=also):
        con.execute(
            f"""DELETE FROM {table}
                WHERE ({key}) NOT IN (SELECT {key} FROM read_parquet($staged))
                   OR ({key}) IN (SELECT {key} FROM read_parquet($changed))""",
            params,
        )
        con.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_parquet($changed)",
            {"changed": params["changed"]},
        )
        con.execute(
            f"""UPDATE {table} SET {provenance}
                FROM (SELECT {key}, {_quoted(PROVENANCE_COLUMNS)} FROM read_parquet($staged)) AS s
                WHERE {joined} AND ({moved})""",
            {"staged": params["staged"]},
        )
    return difference.new + difference.changed


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(con.execute(sql).fetchone()[0])
