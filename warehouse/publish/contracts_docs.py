"""Files generated from the source contracts, so the contracts stay the single place of truth:
the dbt sources (`dbt_project/models/staging/_sources.yml`) and `docs/contracts.md`.

`warehouse contracts --write` regenerates both; a test fails when the committed copies drift.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from sources import ALL_SOURCES

REPO = Path(__file__).resolve().parents[2]
DBT_SOURCES_YML = REPO / "dbt_project" / "models" / "staging" / "_sources.yml"
CONTRACTS_MD = REPO / "docs" / "contracts.md"
_HEADER = (
    "# Generated from the source contracts (sources/*/contract.py) by `warehouse contracts --write`. Do not edit.\n"
)


def render_dbt_sources() -> str:
    tables = []
    for spec in ALL_SOURCES:
        for table in spec.tables:
            contract = table.contract
            tables.append(
                {
                    "name": contract.table_name,
                    "description": f"{spec.title}: {contract.description} Loaded by Dagster asset "
                    f"{contract.table_name} after its gates passed. Key: {', '.join(contract.primary_key)}.",
                    "meta": {
                        "dagster": {"asset_key": [contract.table_name]},
                        "primary_key": list(contract.primary_key),
                        "grain": f"one row per {', '.join(contract.primary_key)}",
                    },
                    "columns": [
                        {"name": c.name, "description": c.description, "data_type": c.duckdb_type.lower()}
                        for c in contract.columns
                    ],
                }
            )
    document = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "schema": "raw",
                "description": "Parsed public files, one table per source contract, loaded by the Python pipeline.",
                "tables": tables,
            }
        ],
    }
    return _HEADER + yaml.safe_dump(document, sort_keys=False, width=120, allow_unicode=True)


def render_contracts_markdown() -> str:
    lines = ["# Source contracts", "", "Generated from `sources/*/contract.py` by `warehouse contracts --write`.", ""]
    for spec in ALL_SOURCES:
        lines += [
            f"## {spec.title} (`sources/{spec.name}`)",
            "",
            f"Publisher: {spec.publisher}. Landing page: {spec.landing_page}",
            "",
        ]
        for table in spec.tables:
            contract = table.contract
            lines += [
                f"### `raw.{contract.table_name}`",
                "",
                contract.description,
                "",
                f"Files: `{table.file_pattern}` (asset `file_{spec.name}__{table.file_kind}`). "
                f"Key: `{', '.join(contract.primary_key)}`.",
                "",
                "| column | type | nullable | description |",
                "|---|---|---|---|",
            ]
            lines += [_column_row(c) for c in contract.columns]
            lines.append("")
    return "\n".join(lines)


def _column_row(column) -> str:
    nullable = "yes" if column.nullable else "no"
    return f"| `{column.name}` | {column.duckdb_type} | {nullable} | {column.description.replace('|', '/')} |"


def write_all() -> list[Path]:
    CONTRACTS_MD.parent.mkdir(parents=True, exist_ok=True)
    DBT_SOURCES_YML.write_text(render_dbt_sources(), encoding="utf-8")
    CONTRACTS_MD.write_text(render_contracts_markdown(), encoding="utf-8")
    return [DBT_SOURCES_YML, CONTRACTS_MD]


def stale_files() -> list[Path]:
    """Generated files whose committed content differs from what the contracts give."""
    expected = {DBT_SOURCES_YML: render_dbt_sources(), CONTRACTS_MD: render_contracts_markdown()}
    return [p for p, text in expected.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
