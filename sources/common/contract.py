"""Canonical table contracts: the one place that says what a parsed table looks like.

A contract lists every column with its type, whether it may be null, whether it is part of the
key, and a description. Parsers cast to it, gates check against it, the dbt `_sources.yml` and
`docs/contracts.md` are generated from it. Nothing here reads files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyarrow as pa

# Contract type name -> (Arrow type, DuckDB type). Money is DOUBLE: sums over millions of
# cases stay exact to the cent well inside double precision.
_TYPES: dict[str, tuple[pa.DataType, str]] = {
    "string": (pa.string(), "VARCHAR"),
    "int": (pa.int64(), "BIGINT"),
    "double": (pa.float64(), "DOUBLE"),
    "date": (pa.date32(), "DATE"),
    "timestamp": (pa.timestamp("us"), "TIMESTAMP"),
    "bool": (pa.bool_(), "BOOLEAN"),
}

# Provenance columns every parsed table carries, so any row can be traced to its file and line.
PROVENANCE_COLUMNS = ("source_file", "source_sha256", "source_row")
# Columns a publisher adds that no known layout has: kept as JSON, never dropped, never fatal.
EXTRA_COLUMNS = "extra_columns"
# Columns every parsed table carries besides its published data.
LINEAGE_COLUMNS = (EXTRA_COLUMNS, *PROVENANCE_COLUMNS)


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: str
    description: str
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.type not in _TYPES:
            raise ValueError(f"column {self.name}: unknown contract type {self.type!r}")

    @property
    def arrow_type(self) -> pa.DataType:
        return _TYPES[self.type][0]

    @property
    def duckdb_type(self) -> str:
        return _TYPES[self.type][1]


def lineage_columns() -> list[Column]:
    """The columns that keep what no layout knew and tie a row to the archived file it came from."""
    return [
        Column(
            EXTRA_COLUMNS,
            "string",
            "Columns the publisher added that no known layout has, as a JSON object {published column: text} "
            "of the row's non-blank values (NULL when none). The gate reports such columns as a warning.",
        ),
        Column("source_file", "string", "Name of the raw file (inside its archive) the row was parsed from.", False),
        Column("source_sha256", "string", "SHA-256 of the archived raw file the row was parsed from.", False),
        Column("source_row", "int", "1-based data row number within source_file (header excluded).", False),
    ]


@dataclass(frozen=True)
class TableContract:
    """The canonical schema of one parsed table (`raw_<source>__<name>`)."""

    source: str
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    extra: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        names = [c.name for c in self.columns]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ValueError(f"{self.table_name}: duplicated columns {duplicated}")
        missing = [k for k in self.primary_key if k not in names]
        if missing:
            raise ValueError(f"{self.table_name}: key columns {missing} are not columns")

    @property
    def table_name(self) -> str:
        return f"raw_{self.source}__{self.name}"

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.table_name} has no column {name!r}")

    def arrow_schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.arrow_type, nullable=c.nullable) for c in self.columns])

    def duckdb_columns_sql(self) -> str:
        """`name TYPE, ...` for a CREATE TABLE statement."""
        return ",\n  ".join(f'"{c.name}" {c.duckdb_type}' for c in self.columns)


def make_contract(
    source: str,
    name: str,
    description: str,
    columns: list[Column],
    primary_key: tuple[str, ...],
) -> TableContract:
    """Build a contract whose columns end with the extra-columns and provenance columns."""
    return TableContract(source, name, description, tuple(columns + lineage_columns()), primary_key)
