"""Imports point down the flow: each top-level package imports only itself and the packages below it.

    warehouse_cli   the command line: options, one call, rendering
    orchestration   Dagster: definitions, the run, assets by layer
    warehouse       the warehouse's own work (ingest, quality, publish, access, operations, linkage)
    expectations    the data-quality rule engine and suites
    sources         one package per public dataset: fetch, parse, contract, sample

Imports inside functions count too (they are how heavy libraries are deferred, not a way around the rule).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["sources", "expectations", "warehouse", "orchestration", "warehouse_cli"]


def _imported_packages(path: Path) -> set[tuple[str, int]]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        found |= {(name.split(".")[0], node.lineno) for name in names if name.split(".")[0] in LAYERS}
    return found


@pytest.mark.parametrize("package", LAYERS)
def test_no_package_imports_one_above_it(package):
    allowed = set(LAYERS[: LAYERS.index(package) + 1])
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {imported}"
        for path in sorted((ROOT / package).rglob("*.py"))
        for imported, line in sorted(_imported_packages(path))
        if imported not in allowed
    ]
    assert not upward, "imports that point up the flow:\n" + "\n".join(upward)


def test_the_test_sees_an_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from orchestration.run import run_build\n", encoding="utf-8")
    assert _imported_packages(module) == {("orchestration", 2)}
