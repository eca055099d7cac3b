"""One naming registry: asset key = DuckDB table = dbt node = ``{layer}_{source}__{name}``.

Python-side layers: ``file`` (archived raw file), ``parsed`` (staged Parquet, gated), ``raw``
(DuckDB raw schema, a dbt source). Group names are ``raw_<source>`` for the whole extract-load
path of a source; dbt models are grouped by their folder (staging, intermediate, marts).
"""

from __future__ import annotations

from sources.common.spec import RawTableSpec, SourceSpec


def file_asset_name(spec: SourceSpec, table: RawTableSpec) -> str:
    return f"file_{spec.name}__{table.file_kind}"


def parsed_asset_name(spec: SourceSpec, table: RawTableSpec) -> str:
    return f"parsed_{spec.name}__{table.contract.name}"


def raw_asset_name(spec: SourceSpec, table: RawTableSpec) -> str:
    return table.contract.table_name


def extract_load_asset_names(spec: SourceSpec, table: RawTableSpec) -> list[str]:
    """The file, parsed and raw assets of one source table, upstream first."""
    return [file_asset_name(spec, table), parsed_asset_name(spec, table), raw_asset_name(spec, table)]


def is_extract_load_asset(name: str) -> bool:
    """A file/parsed/raw asset (everything else -- dbt, linkage, publish -- is downstream of the raw tables)."""
    return name.startswith(("file_", "parsed_", "raw_"))


def source_group(spec: SourceSpec) -> str:
    return f"raw_{spec.name}"


PUBLISH_GROUP = "publish"
