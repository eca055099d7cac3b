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


def source_group(spec: SourceSpec) -> str:
    return f"raw_{spec.name}"


PUBLISH_GROUP = "publish"
