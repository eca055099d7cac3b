"""The `audit` schema of the warehouse: every validation result of every run, and the row counts
of accepted loads (the baseline of the row-count rule). Analysts see data-quality history per
source in the published copy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from warehouse.gate_report import RuleResult
from warehouse.load import connect

_DDL = [
    "CREATE SCHEMA IF NOT EXISTS audit",
    """CREATE TABLE IF NOT EXISTS audit.validation_results (
        run_id VARCHAR, validated_at TIMESTAMP, source VARCHAR, table_name VARCHAR, file_sha256 VARCHAR,
        files VARCHAR, rule VARCHAR, severity VARCHAR, passed BOOLEAN, observed_value VARCHAR,
        failing_count BIGINT, description VARCHAR, examples_json VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.accepted_loads (
        run_id VARCHAR, accepted_at TIMESTAMP, table_name VARCHAR, slice VARCHAR, row_count BIGINT,
        file_sha256 VARCHAR)""",
]


def _ensure(con) -> None:
    for statement in _DDL:
        con.execute(statement)


def record_validation(
    db_path: Path, *, run_id: str, source: str, table: str, files: list[dict], results: list[RuleResult]
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    shas = ",".join(f["sha256"] for f in files)
    names = ",".join(f["filename"] for f in files)
    rows = [
        (
            run_id,
            now,
            source,
            table,
            shas,
            names,
            r.rule,
            r.severity,
            r.passed,
            None if r.observed is None else str(r.observed),
            r.failing_count,
            r.description,
            json.dumps(r.examples, default=str),
        )
        for r in results
    ]
    with connect(db_path) as con:
        _ensure(con)
        con.executemany("INSERT INTO audit.validation_results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)


def record_accepted_load(
    db_path: Path, *, run_id: str, table: str, slice_counts: dict[str, int], files: list[dict]
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    shas = ",".join(f["sha256"] for f in files)
    with connect(db_path) as con:
        _ensure(con)
        con.executemany(
            "INSERT INTO audit.accepted_loads VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, now, table, label, rows, shas) for label, rows in slice_counts.items()],
        )


def last_accepted_slice_counts(db_path: Path, table: str) -> dict[str, int]:
    """Row count per slice of the most recent accepted load of each slice."""
    if not Path(db_path).exists():
        return {}
    with connect(db_path) as con:
        _ensure(con)
        rows = con.execute(
            """SELECT slice, row_count FROM audit.accepted_loads WHERE table_name = ?
               QUALIFY row_number() OVER (PARTITION BY slice ORDER BY accepted_at DESC) = 1""",
            [table],
        ).fetchall()
    return dict(rows)
