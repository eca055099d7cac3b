"""The dbt documentation site (every model and column with its description, the lineage graph),
generated against a private copy of the published warehouse so it never locks the file analysts
are reading."""

from __future__ import annotations

import functools
import shutil
import tempfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from warehouse.settings import WarehousePaths, environment_set

DBT_PROJECT = Path(__file__).resolve().parents[2] / "dbt_project"


def generate_docs(paths: WarehousePaths) -> Path:
    """Run `dbt docs generate` into ``$WAREHOUSE_HOME/docs/dbt``; returns that folder.

    Raises:
        RuntimeError: nothing is published yet, or dbt failed.
    """
    from dbt.cli.main import dbtRunner

    if not paths.published_db.exists():
        raise RuntimeError(f"no published warehouse at {paths.published_db}; run `warehouse build` first")
    site = paths.home / "docs" / "dbt"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "warehouse.duckdb"
        shutil.copyfile(paths.published_db, copy)
        with environment_set({"WAREHOUSE_BUILD_DB": str(copy)}):
            result = dbtRunner().invoke(
                [
                    "docs",
                    "generate",
                    "--project-dir",
                    str(DBT_PROJECT),
                    "--profiles-dir",
                    str(DBT_PROJECT),
                    "--target-path",
                    str(site),
                    "--quiet",
                ]
            )
    if not result.success:
        raise RuntimeError(f"dbt docs generate failed: {result.exception or 'see the dbt log'}")
    return site


def docs_server(site: Path, port: int) -> ThreadingHTTPServer:
    """An HTTP server for the generated site on 127.0.0.1:`port` (0: any free port); call serve_forever().

    Raises:
        OSError: the port is taken (or not allowed).
    """
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(site))
    return ThreadingHTTPServer(("127.0.0.1", port), handler)
