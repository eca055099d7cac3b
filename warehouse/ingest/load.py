"""Loading accepted Parquet into the build database's ``raw`` schema (one table per contract)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from sources.common.contract import TableContract
from sources.common.duckdb_memory import limit_duckdb_memory
from sources.common.storage import clear_storage_errors
from warehouse.settings import STORAGE_VERSION

RAW_SCHEMA = "raw"
log = logging.getLogger(__name__)
# A database path, or an open connection whose transaction the work joins (see `connection`).
Database = Path | duckdb.DuckDBPyConnection


def connect(db_path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the DuckDB file at `db_path`; a file it creates is in the published storage format
    (STORAGE_VERSION, which the file keeps), so that publishing it is a copy of the file."""
    db_path = Path(db_path)
    if not read_only:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        if not db_path.exists():
            # Created, closed and opened again: connections to one file in a process must share one
            # configuration, and every other connection has the default one.
            duckdb.connect(str(db_path), config={"storage_compatibility_version": STORAGE_VERSION}).close()
    return limit_duckdb_memory(duckdb.connect(str(db_path), read_only=read_only))


@contextmanager
def connection(target: Database) -> Iterator[duckdb.DuckDBPyConnection]:
    """The caller's connection (so the work joins its open transaction, e.g. a load's), or a new one to
    the database at `target`."""
    if isinstance(target, duckdb.DuckDBPyConnection):
        yield target
        return
    with connect(target) as con:
        yield con


def create_raw_table(con: duckdb.DuckDBPyConnection, contract: TableContract) -> None:
    """Create the raw table with the contract's columns if it does not exist yet, and add the columns a
    newer contract has that the table lacks (see add_new_contract_columns)."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
    con.execute(
        f'CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}."{contract.table_name}" (\n  {contract.duckdb_columns_sql()}\n)'
    )
    add_new_contract_columns(con, contract)


def add_new_contract_columns(con: duckdb.DuckDBPyConnection, contract: TableContract) -> list[str]:
    """A warehouse built before its contract gained columns (e.g. the agents' city and e-mail) keeps its
    rows: the new columns are added, null in the rows loaded before, which hold them once their slices
    load again (a changed file, or `warehouse build --force`). Returns the columns added."""
    present = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
            [RAW_SCHEMA, contract.table_name],
        ).fetchall()
    }
    added = [column for column in contract.columns if column.name not in present]
    for column in added:
        con.execute(f'ALTER TABLE {RAW_SCHEMA}."{contract.table_name}" ADD COLUMN "{column.name}" {column.duckdb_type}')
    if added:
        log.warning(
            "raw.%s gained the contract's new columns %s; rows loaded before hold null there until their "
            "slices load again (`warehouse build --force` reloads every slice)",
            contract.table_name,
            ", ".join(column.name for column in added),
        )
    return [column.name for column in added]


def ensure_raw_table(db_path: Path, contract: TableContract) -> int:
    """Make sure the raw table exists (empty if never loaded); returns its current row count."""
    with connect(db_path) as con:
        create_raw_table(con, contract)
        return con.execute(f'SELECT count(*) FROM {RAW_SCHEMA}."{contract.table_name}"').fetchone()[0]


# Runs inside a load's transaction, on its connection: what must commit (or roll back) with the rows,
# e.g. the rows set aside at parsing into audit.rejected_rows and the load's audit rows
# (warehouse/quality/audit.py, gate.py).
AlsoInTransaction = Callable[[duckdb.DuckDBPyConnection], None]


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection, *, also: AlsoInTransaction | None = None) -> Iterator[None]:
    """One transaction: what the block writes and what `also` writes (the audit rows) commit together or
    not at all."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield
        if also is not None:
            also(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def replace_raw_table(
    db_path: Path, contract: TableContract, parquet: Path, *, also: AlsoInTransaction | None = None
) -> int:
    """Replace the whole raw table with the Parquet's rows, in one transaction. Returns rows loaded."""
    return _load(db_path, contract, parquet, delete_where=None, also=also)


def merge_raw_table(
    db_path: Path,
    contract: TableContract,
    parquet: Path,
    replace_key: tuple[str, ...],
    *,
    also: AlsoInTransaction | None = None,
) -> int:
    """Replace only the slices (distinct `replace_key` values) present in the Parquet, in one transaction."""
    if not replace_key:
        return replace_raw_table(db_path, contract, parquet, also=also)
    key = ", ".join(f'"{k}"' for k in replace_key)
    return _load(
        db_path,
        contract,
        parquet,
        delete_where=f"({key}) IN (SELECT DISTINCT {key} FROM read_parquet($parquet))",
        also=also,
    )


def _load(
    db_path: Path, contract: TableContract, parquet: Path, delete_where: str | None, also: AlsoInTransaction | None
) -> int:
    columns = ", ".join(f'"{c}"' for c in contract.column_names)
    table = f'{RAW_SCHEMA}."{contract.table_name}"'
    with clear_storage_errors(db_path), connect(db_path) as con:
        create_raw_table(con, contract)
        with transaction(con, also=also):
            condition = f"WHERE {delete_where}" if delete_where else ""
            params = {"parquet": str(parquet)} if delete_where else {}
            con.execute(f"DELETE FROM {table} {condition}", params)
            con.execute(
                f"INSERT INTO {table} ({columns}) SELECT {columns} FROM read_parquet($parquet)",
                {"parquet": str(parquet)},
            )
        loaded = con.execute("SELECT count(*) FROM read_parquet($parquet)", {"parquet": str(parquet)}).fetchone()[0]
    return int(loaded)


def slice_row_count(
    target: Database, contract: TableContract, partition_columns: tuple[str, ...], partition: str
) -> int:
    """Rows of a raw table, or of one partition (e.g. one fiscal year) when `partition_columns` names it."""
    where, params = _partition_filter(partition_columns, partition)
    with connection(target) as con:
        create_raw_table(con, contract)
        return con.execute(f'SELECT count(*) FROM {RAW_SCHEMA}."{contract.table_name}" {where}', params).fetchone()[0]


def slice_files(
    target: Database, contract: TableContract, partition_columns: tuple[str, ...], partition: str
) -> list[tuple[str, str]]:
    """(file name, sha256) of every source file whose rows a raw table (or one partition) holds, by name."""
    where, params = _partition_filter(partition_columns, partition)
    with connection(target) as con:
        create_raw_table(con, contract)
        return con.execute(
            f"""SELECT DISTINCT split_part(source_file, '!', 1) AS file, source_sha256
                FROM {RAW_SCHEMA}."{contract.table_name}" {where} ORDER BY file, source_sha256""",
            params,
        ).fetchall()


def _partition_filter(partition_columns: tuple[str, ...], partition: str) -> tuple[str, list]:
    if not partition_columns:
        return "", []
    (column,) = partition_columns
    return f'WHERE CAST("{column}" AS VARCHAR) = ?', [partition]
