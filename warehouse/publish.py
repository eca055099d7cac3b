"""Publishing: the build database becomes the read-only copy analysts query, atomically.

The copy is written next to the published file and renamed over it, so a reader either sees the
previous warehouse or the new one, never half of one; readers holding the old file keep reading
it undisturbed. Nothing is published unless every gate and dbt test upstream passed.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from warehouse.load import connect
from warehouse.settings import WarehousePaths

PUBLISH_INFO = "published.json"


@dataclass(frozen=True)
class PublishResult:
    path: Path
    published_at: str
    tables: dict[str, int]


def table_row_counts(db_path: Path) -> dict[str, int]:
    """schema.table -> row count for every base table of a DuckDB file."""
    with connect(db_path, read_only=True) as con:
        tables = con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' ORDER BY 1, 2"
        ).fetchall()
        return {f"{s}.{t}": con.execute(f'SELECT count(*) FROM "{s}"."{t}"').fetchone()[0] for s, t in tables}


def publish(paths: WarehousePaths, *, run_id: str | None = None) -> PublishResult:
    """Copy the build database over the published one (checkpointed copy, then atomic rename)."""
    with connect(paths.build_db) as con:
        con.execute("CHECKPOINT")
    paths.published_dir.mkdir(parents=True, exist_ok=True)
    tmp = paths.published_db.with_suffix(".duckdb.tmp")
    shutil.copyfile(paths.build_db, tmp)
    counts = table_row_counts(tmp)
    os.replace(tmp, paths.published_db)
    published_at = datetime.now(UTC).isoformat(timespec="seconds")
    info = {"published_at": published_at, "run_id": run_id, "path": str(paths.published_db), "tables": counts}
    info_tmp = paths.published_dir / (PUBLISH_INFO + ".tmp")
    info_tmp.write_text(json.dumps(info, indent=2), encoding="utf-8")
    os.replace(info_tmp, paths.published_dir / PUBLISH_INFO)
    return PublishResult(paths.published_db, published_at, counts)


def last_publish(paths: WarehousePaths) -> dict | None:
    info = paths.published_dir / PUBLISH_INFO
    return json.loads(info.read_text(encoding="utf-8")) if info.exists() else None
