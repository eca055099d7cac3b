"""Files published beside the database in each version, for people and tools without DuckDB: every
`marts` table as Parquet, and `datapackage.json`, a Frictionless Data Package describing them
(fields with types and descriptions, rows, sha256) and the source files they were built from.

Each writer is called as writer(published_db, version_dir) by warehouse/publish/versions.py and reads only
the published copy, so what it describes is what analysts get.
"""

from __future__ import annotations

import json
from pathlib import Path

from sources.common.casting import sql_literal
from sources.common.digests import file_sha256
from warehouse.ingest.load import connect
from warehouse.settings import PUBLISH_INFO

EXPORT_SCHEMA = "marts"
PARQUET_DIR = "parquet"
DATAPACKAGE = "datapackage.json"
PACKAGE_NAME = "labor-enforcement-warehouse"

# DuckDB type (without its parameters) -> Frictionless Table Schema type; anything else is "any". A type is
# only named when frictionless-py accepts what it reads from the Parquet file: not for UUID (16 bytes),
# INTERVAL, MAP or lists (see frictionless_type).
_FRICTIONLESS_TYPES = {
    "BOOLEAN": "boolean",
    **dict.fromkeys(
        "TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT UHUGEINT".split(), "integer"
    ),
    **dict.fromkeys("FLOAT REAL DOUBLE DECIMAL".split(), "number"),
    **dict.fromkeys("VARCHAR JSON".split(), "string"),
    "DATE": "date",
    "TIME": "time",
    **dict.fromkeys(
        ["TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS"], "datetime"
    ),
}

# frictionless-py reads Parquet through pandas, row by row: a NULL reaches it as NaN (in an integer column
# with NULLs, which pandas makes float) or as NaT (in a timestamp column, or any column of a row whose
# other values are all timestamps), which it compares as the text "nan" and "NaT".
MISSING_VALUES = ["", "nan", "NaT"]


def parquet_name(table: str) -> str:
    return f"{EXPORT_SCHEMA}.{table}.parquet"


def export_tables(con) -> list[str]:
    """The base tables of the export schema, by name."""
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND database_name = current_database() "
        "ORDER BY table_name",
        [EXPORT_SCHEMA],
    ).fetchall()
    return [name for (name,) in rows]


def write_parquet_exports(db_path: Path, target_dir: Path) -> None:
    """Every marts table as parquet/marts.<table>.parquet (zstd)."""
    folder = target_dir / PARQUET_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with connect(db_path, read_only=True) as con:
        for table in export_tables(con):
            target = sql_literal(folder / parquet_name(table))
            con.execute(f'COPY "{EXPORT_SCHEMA}"."{table}" TO {target} (FORMAT parquet, COMPRESSION zstd)')


def write_datapackage(db_path: Path, target_dir: Path) -> None:
    """datapackage.json (profile tabular-data-package) for the Parquet exports already in target_dir."""
    info = json.loads((target_dir / PUBLISH_INFO).read_text(encoding="utf-8"))
    with connect(db_path, read_only=True) as con:
        package = {
            "profile": "tabular-data-package",
            "name": PACKAGE_NAME,
            "title": "Labor-enforcement data warehouse: marts"
            + (" (synthetic sample, not real data)" if info.get("synthetic_sample") else ""),
            "version": info["version"],
            "created": info["published_at"],
            "sources": _sources(con),
            "resources": [_resource(con, target_dir, table) for table in export_tables(con)],
        }
    (target_dir / DATAPACKAGE).write_text(json.dumps(package, indent=2, default=str), encoding="utf-8")


def _resource(con, target_dir: Path, table: str) -> dict:
    path = target_dir / PARQUET_DIR / parquet_name(table)
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database()",
        [EXPORT_SCHEMA, table],
    ).fetchone()[0]
    columns = con.execute(
        "SELECT column_name, data_type, comment FROM duckdb_columns() WHERE schema_name = ? AND table_name = ? "
        "AND database_name = current_database() ORDER BY column_index",
        [EXPORT_SCHEMA, table],
    ).fetchall()
    return {
        "name": table,
        "profile": "tabular-data-resource",
        "path": f"{PARQUET_DIR}/{path.name}",
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        "description": comment or "",
        "rows": con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0],
        # No "bytes": frictionless-py counts no bytes of a Parquet file, so it reports any count as wrong.
        "hash": f"sha256:{file_sha256(path)}",
        "schema": {
            "fields": [
                {"name": name, "type": frictionless_type(data_type), "description": comment or ""}
                for name, data_type, comment in columns
            ],
            "missingValues": MISSING_VALUES,
        },
    }


def frictionless_type(duckdb_type: str) -> str:
    """The Frictionless Table Schema type of a DuckDB column type (e.g. DECIMAL(18,2) -> number)."""
    upper = duckdb_type.upper()
    if upper.endswith("]"):
        # frictionless-py reads Parquet through pandas, which hands a list over as a numpy array: no
        # "array" or "list" field accepts it.
        return "any"
    if upper.startswith(("STRUCT", "UNION")):
        return "object"
    return _FRICTIONLESS_TYPES.get(upper.split("(")[0].strip(), "any")


def _sources(con) -> list[dict]:
    """Every source file whose rows the warehouse holds (audit.source_status), with its sha256."""
    has_status = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' AND table_name = 'source_status'"
    ).fetchone()[0]
    if not has_status:
        return []
    rows = con.execute(
        """SELECT table_name, partition_key, last_accepted_file, last_accepted_sha256, loaded_at
           FROM audit.source_status WHERE last_accepted_sha256 IS NOT NULL ORDER BY table_name, partition_key"""
    ).fetchall()
    return [
        {
            "title": file,
            "sha256": sha256,
            "table": f"raw.{table}",
            **({} if partition == "all" else {"partition": partition}),
            "loaded_at": loaded_at.isoformat(timespec="seconds") if loaded_at else None,
        }
        for table, partition, files, shas, loaded_at in rows
        for file, sha256 in _files_with_sha256(files, shas)
    ]


def _files_with_sha256(files: str, shas: str) -> list[tuple[str, str]]:
    """Pair the file names and sha256s audit.source_status keeps as joined text (", " and ",")."""
    hashes = shas.split(",")
    names = files.split(", ")
    if len(names) != len(hashes):  # a file name with ", " in it: keep the names as one title
        names = [files] * len(hashes)
    return list(zip(names, hashes, strict=True))
