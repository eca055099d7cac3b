"""The repository stays lint-clean and its generated files stay in step with the contracts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from warehouse.publish.contracts_docs import stale_files

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)


def test_ruff_lint_is_clean():
    result = _run(str(BIN / "ruff"), "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean():
    result = _run(str(BIN / "ruff"), "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_dbt_sources_and_contract_docs_are_generated_from_the_contracts():
    assert stale_files() == [], "run `warehouse contracts --write`"


def test_sqlfluff_dbt_models_are_clean(tmp_path):
    """sqlfluff with the dbt templater (config in .sqlfluff); dbt compiles against a scratch database."""
    import os

    (tmp_path / "build").mkdir()
    # dbt writes its manifest to a target folder of its own: builds in other pytest-xdist workers read
    # dbt_project/target/manifest.json meanwhile.
    env = {
        **os.environ,
        "WAREHOUSE_HOME": str(tmp_path),
        "DBT_TARGET_PATH": str(tmp_path / "dbt_target"),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("WAREHOUSE_BUILD_DB", None)
    result = subprocess.run(
        [str(BIN / "sqlfluff"), "lint", "dbt_project/models", "--disable-progress-bar"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
