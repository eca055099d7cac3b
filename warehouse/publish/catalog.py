"""What the published warehouse holds, for people and any DuckDB client: descriptions as DuckDB
comments and `audit.table_catalog` (every table and view with its description, grain and rows);
and the reads behind `warehouse tables`, `describe` and `search`.

Descriptions are written once, in the dbt YAML. dbt persists the models' and seeds' as comments
(`persist_docs` in dbt_project.yml); sources are not dbt's to alter, so publishing comments the raw
and linkage tables from the manifest. The grain ("one row per ...") is the models' dbt
`meta.grain`; DuckDB has no place for it, hence the catalog table, written at publish time.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from sources.common.casting import sql_literal
from warehouse.access.query import NotPublishedError, published_connection
from warehouse.ingest.load import connect
from warehouse.settings import WarehousePaths

CATALOG_SCHEMA = "audit"
CATALOG_NAME = "table_catalog"
CATALOG_TABLE = f"{CATALOG_SCHEMA}.{CATALOG_NAME}"
_CATALOG_COLUMNS = {
    "table_schema": "Schema of the table or view.",
    "table_name": "Name of the table or view.",
    "table_type": "'table' or 'view'.",
    "description": "What the table holds (its dbt description; also the DuckDB comment).",
    "grain": "What one row is (the dbt model's meta.grain); blank where none is declared.",
    "row_count": "Rows when the warehouse was published.",
}
_CATALOG_DESCRIPTION = "One row per table and view of the published warehouse: description, grain and rows."


@dataclass(frozen=True)
class NodeDocs:
    """What dbt's manifest says about one relation."""

    resource_type: str
    description: str
    columns: dict[str, str]
    grain: str


@dataclass(frozen=True)
class TableInfo:
    name: str  # schema.table
    table_type: str
    description: str
    grain: str
    row_count: int | None


@dataclass(frozen=True)
class ColumnInfo:
    table: str  # schema.table
    name: str
    data_type: str
    description: str


# What one row is, for the tables the pipeline writes outside dbt (audit and linkage bookkeeping).
TABLES_OUTSIDE_DBT: dict[tuple[str, str], str] = {
    ("audit", "accepted_loads"): "one row per accepted load of a table slice (run, table, partition)",
    ("audit", "validation_results"): "one row per rule evaluated on a load (run, table, partition, rule)",
    ("audit", "source_status"): "one row per table slice (table, partition): its last accepted and rejected files",
    ("audit", "row_drop_acceptances"): "one row per accepted row drop (who, when, why)",
    ("audit", "quarantine_releases"): "one row per quarantined file taken back",
    ("audit", "rejected_rows"): "one row per cell set aside at parsing (file, row, rule, column)",
    ("audit", "dbt_builds"): "one row per dbt build step of a run, as it started and as it succeeded",
    ("audit", "table_catalog"): "one row per table and view of the published warehouse",
    ("linkage", "clusters"): "one row per linkage run's record and the cluster it joined",
    ("linkage", "employer_id_merges"): "one row per employer id merged into another",
    ("linkage", "employer_record_ids"): "one row per record and the stable employer id it has",
    ("linkage", "profiles"): "one row per profile (records alike on every comparison feature) of the last linkage run",
    ("linkage", "matched_pairs"): "one row per matched pair of the last linkage run (profile ids of linkage.profiles)",
    ("linkage", "model"): "one row: the last linkage run's trained model and digests of what it depends on",
}


class UnknownTableError(LookupError):
    """A table name the published warehouse does not have (or has in several schemas)."""


def manifest_docs(manifest: Path | None) -> dict[tuple[str, str], NodeDocs]:
    """(schema, relation name) -> descriptions and grain of every model, seed, snapshot and source."""
    if manifest is None or not manifest.exists():
        return {}
    data = json.loads(manifest.read_text(encoding="utf-8"))
    nodes = [n for n in data.get("nodes", {}).values() if n["resource_type"] in ("model", "seed", "snapshot")]
    nodes += list(data.get("sources", {}).values())
    return {(node["schema"], _relation_name(node)): _node_docs(node) for node in nodes}


def _relation_name(node: dict) -> str:
    return node.get("alias") or node.get("identifier") or node["name"]


def _node_docs(node: dict) -> NodeDocs:
    meta = {**(node.get("meta") or {}), **((node.get("config") or {}).get("meta") or {})}
    columns = {name.lower(): (c.get("description") or "").strip() for name, c in node.get("columns", {}).items()}
    return NodeDocs(node["resource_type"], (node.get("description") or "").strip(), columns, meta.get("grain") or "")


def document_published_db(db_path: Path, manifest: Path | None) -> None:
    """Comment the dbt sources' tables and columns, then write the table catalog, in a published copy."""
    docs = manifest_docs(manifest)
    with connect(db_path) as con:
        for (schema, table), node in docs.items():
            if node.resource_type == "source":
                _comment_relation(con, schema, table, node)
        _write_catalog(con, {**TABLES_OUTSIDE_DBT, **{key: node.grain for key, node in docs.items() if node.grain}})


def comment_tables(db_path: Path, manifest: Path | None, tables: list[str]) -> None:
    """Comment `schema.table`s and their columns from the manifest's descriptions (tables copied in
    from elsewhere, e.g. the Spark engine's, which carry no DuckDB comments of their own)."""
    docs = manifest_docs(manifest)
    with connect(db_path) as con:
        for name in tables:
            schema, table = name.split(".", 1)
            if (schema, table) in docs:
                _comment_relation(con, schema, table, docs[(schema, table)])


def _comment_relation(con, schema: str, table: str, node: NodeDocs) -> None:
    found = con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchone()
    if found is None:
        return  # a source not loaded (yet): nothing to describe
    relation = f'"{schema}"."{table}"'
    if node.description:
        con.execute(f"COMMENT ON TABLE {relation} IS {sql_literal(node.description)}")
    columns = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE schema_name = ? AND table_name = ?", [schema, table]
    ).fetchall()
    for (column,) in columns:
        description = node.columns.get(column.lower())
        if description:
            con.execute(f'COMMENT ON COLUMN {relation}."{column}" IS {sql_literal(description)}')


def _write_catalog(con, grains: dict[tuple[str, str], str]) -> None:
    columns = ", ".join(f"{name} {'BIGINT' if name == 'row_count' else 'VARCHAR'}" for name in _CATALOG_COLUMNS)
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {CATALOG_SCHEMA}")
    con.execute(f"CREATE OR REPLACE TABLE {CATALOG_TABLE} ({columns})")
    con.execute(f"COMMENT ON TABLE {CATALOG_TABLE} IS {sql_literal(_CATALOG_DESCRIPTION)}")
    for name, description in _CATALOG_COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN {CATALOG_TABLE}.{name} IS {sql_literal(description)}")
    relations = _relations(con)
    rows = [
        (
            schema,
            table,
            table_type,
            comment or "",
            grains.get((schema, table), ""),
            len(relations) if (schema, table) == (CATALOG_SCHEMA, CATALOG_NAME) else _count(con, schema, table),
        )
        for schema, table, table_type, comment in relations
    ]
    con.executemany(f"INSERT INTO {CATALOG_TABLE} VALUES (?, ?, ?, ?, ?, ?)", rows)


def _relations(con) -> list[tuple[str, str, str, str | None]]:
    """(schema, name, 'table'|'view', comment) of every user table and view of the open database."""
    return con.execute(
        """SELECT schema_name, table_name, 'table', comment FROM duckdb_tables()
           WHERE database_name = current_database() AND NOT internal
           UNION ALL
           SELECT schema_name, view_name, 'view', comment FROM duckdb_views()
           WHERE database_name = current_database() AND NOT internal
           ORDER BY 1, 2"""
    ).fetchall()


def _count(con, schema: str, table: str) -> int:
    return con.execute(f'SELECT count(*) FROM "{schema}"."{table}"').fetchone()[0]


def list_tables(paths: WarehousePaths) -> list[TableInfo]:
    """Every table and view of the published warehouse, by schema and name."""
    with published_connection(paths) as con:
        _require_catalog(con, paths)
        rows = con.execute(
            f"""SELECT table_schema || '.' || table_name, table_type, description, grain, row_count
                FROM {CATALOG_TABLE} ORDER BY table_schema, table_name"""
        ).fetchall()
    return [TableInfo(*row) for row in rows]


def describe_table(paths: WarehousePaths, name: str) -> tuple[TableInfo, list[ColumnInfo]]:
    """One table's catalog entry and columns; `name` is schema.table or a table name unique across schemas.

    Raises:
        UnknownTableError: no such table (with the closest names).
    """
    table = _resolve(list_tables(paths), name)
    return table, [c for c in _columns(paths) if c.table == table.name]


def _resolve(tables: list[TableInfo], name: str) -> TableInfo:
    wanted = name.strip().strip('"').lower()
    matches = [t for t in tables if wanted in (t.name.lower(), _bare(t.name))]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise UnknownTableError(f"{name!r} is in several schemas: {', '.join(t.name for t in matches)}")
    by_name = {t.name.lower(): t.name for t in tables} | {_bare(t.name): t.name for t in tables}
    close = dict.fromkeys(by_name[c] for c in difflib.get_close_matches(wanted, by_name, n=5, cutoff=0.6))
    hint = f"did you mean {', '.join(close)}?" if close else "`warehouse tables` lists them all."
    raise UnknownTableError(f"no table {name!r} in the published warehouse; {hint}")


def _bare(qualified: str) -> str:
    return qualified.split(".", 1)[1].lower()


def _columns(paths: WarehousePaths) -> list[ColumnInfo]:
    with published_connection(paths) as con:
        rows = con.execute(
            """SELECT schema_name || '.' || table_name, column_name, data_type, coalesce(comment, '')
               FROM duckdb_columns() WHERE database_name = current_database() AND NOT internal
               ORDER BY schema_name, table_name, column_index"""
        ).fetchall()
    return [ColumnInfo(*row) for row in rows]


def search(paths: WarehousePaths, word: str) -> tuple[list[TableInfo], list[ColumnInfo]]:
    """Tables and columns whose name or description contains `word` (case-insensitive)."""
    needle = word.strip().lower()
    tables = [t for t in list_tables(paths) if needle in t.name.lower() or needle in t.description.lower()]
    columns = [c for c in _columns(paths) if needle in c.name.lower() or needle in c.description.lower()]
    return tables, columns


def _require_catalog(con, paths: WarehousePaths) -> None:
    found = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = ?", [CATALOG_SCHEMA, CATALOG_NAME]
    ).fetchone()[0]
    if not found:
        raise NotPublishedError(
            f"{paths.published_db} has no {CATALOG_TABLE} (it was published before the catalog existed); "
            "run `warehouse build` to publish it again"
        )
