"""`warehouse docs` builds the dbt documentation, and every model, seed and column in the
published warehouse is described (the catalog is what is really in the database)."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration


def test_dbt_docs_generate_and_every_column_is_described(built_home):
    result = run_cli("docs", "--home", str(built_home))
    assert result.exit_code == 0, result.output
    site = built_home / "docs" / "dbt"
    assert (site / "index.html").exists()
    manifest = json.loads((site / "manifest.json").read_text())
    catalog = json.loads((site / "catalog.json").read_text())
    undocumented = []
    for unique_id, entry in catalog["nodes"].items():
        node = manifest["nodes"][unique_id]
        if node["resource_type"] not in ("model", "seed"):
            continue
        if not node["description"].strip():
            undocumented.append(unique_id)
        described = {name.lower(): column["description"].strip() for name, column in node["columns"].items()}
        undocumented += [f"{unique_id}.{c}" for c in entry["columns"] if not described.get(c.lower())]
    assert undocumented == []
    models = [n for n in manifest["nodes"].values() if n["resource_type"] == "model"]
    assert {"mart_industry_year", "mart_region_year", "mart_enforcement_gap", "mart_trends", "fct_whd_case"} <= {
        m["name"] for m in models
    }
    for source in manifest["sources"].values():
        assert source["description"].strip()
        assert all(c["description"].strip() for c in source["columns"].values())
