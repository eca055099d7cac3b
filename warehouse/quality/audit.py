"""The `audit` schema of the warehouse: every validation result of every run, the row counts of
accepted loads (the baseline of the row-count rule), the status of every source table (fresh, or
stale because its newest file was rejected), every row drop a person accepted on purpose, every
quarantined file taken back, and every row set aside at parsing (audit.rejected_rows). Analysts see
data-quality history per source in the published copy."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from expectations.results import RuleResult
from sources import SOURCE_MODULES
from warehouse.ingest.load import Database, connect, connection

_DDL = [
    "CREATE SCHEMA IF NOT EXISTS audit",
    """CREATE TABLE IF NOT EXISTS audit.validation_results (
        run_id VARCHAR, validated_at TIMESTAMP, source VARCHAR, table_name VARCHAR, file_sha256 VARCHAR,
        files VARCHAR, rule VARCHAR, severity VARCHAR, passed BOOLEAN, observed_value VARCHAR,
        failing_count BIGINT, description VARCHAR, examples_json VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.accepted_loads (
        run_id VARCHAR, accepted_at TIMESTAMP, table_name VARCHAR, slice VARCHAR, row_count BIGINT,
        file_sha256 VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.source_status (
        table_name VARCHAR, partition_key VARCHAR, status VARCHAR, last_accepted_file VARCHAR,
        last_accepted_sha256 VARCHAR, loaded_at TIMESTAMP, row_count BIGINT, rejected_file VARCHAR,
        rejected_sha256 VARCHAR, rejected_at TIMESTAMP, rejection_reason VARCHAR, report_path VARCHAR,
        run_id VARCHAR, PRIMARY KEY (table_name, partition_key))""",
    """CREATE TABLE IF NOT EXISTS audit.row_drop_acceptances (
        run_id VARCHAR, accepted_at TIMESTAMP, table_name VARCHAR, accepted_by VARCHAR, reason VARCHAR,
        observed VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.quarantine_releases (
        run_id VARCHAR, released_at TIMESTAMP, released_by VARCHAR, source VARCHAR, table_name VARCHAR,
        partition_key VARCHAR, file VARCHAR, file_sha256 VARCHAR, quarantined_at VARCHAR, rejection VARCHAR,
        report_path VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS audit.rejected_rows (
        run_id VARCHAR, rejected_at TIMESTAMP, source VARCHAR, table_name VARCHAR, partition_key VARCHAR,
        file VARCHAR, file_sha256 VARCHAR, source_row BIGINT, rule VARCHAR, column_name VARCHAR, value VARCHAR,
        message VARCHAR)""",
    # What analysts see in any DuckDB client (duckdb_tables().comment) and in `warehouse tables`.
    "COMMENT ON TABLE audit.validation_results IS 'Every gate rule result of every run: one row per rule per "
    "validated load, with the failing count and examples.'",
    "COMMENT ON TABLE audit.accepted_loads IS 'Row counts of every accepted load, one row per load and slice "
    "(the baseline of the row-count rule).'",
    "COMMENT ON TABLE audit.source_status IS 'One row per source table and partition: fresh, or stale because "
    "its newest file was rejected (which, why, the report), with the last accepted file and its sha256.'",
    "COMMENT ON TABLE audit.row_drop_acceptances IS 'Row drops a person accepted on purpose: who, when and why.'",
    "COMMENT ON TABLE audit.rejected_rows IS 'Rows set aside at parsing while the rest of their file loaded: "
    "one row per failing cell (a value that does not parse as its column type, or a blank in a column that is "
    "never blank) of the files the raw tables hold, with the file, row, column and raw text.'",
    *(
        f"COMMENT ON COLUMN audit.rejected_rows.{name} IS '{text}'"
        for name, text in {
            "run_id": "The run that loaded the file and set the row aside.",
            "rejected_at": "When the row was set aside (UTC).",
            "source": f"The source ({', '.join(SOURCE_MODULES)}).",
            "table_name": "The raw table the row would have gone to.",
            "partition_key": "The partition of the load (an H-2A fiscal year), all when unpartitioned.",
            "file": "The raw file (zip member after !) the row is in.",
            "file_sha256": "SHA-256 of the archived raw file.",
            "source_row": "1-based data row number within the file (header excluded), as source_row in raw.",
            "rule": "types_parse (a value does not parse as its column type) or required_value (a blank key).",
            "column_name": "The published column of the failing cell.",
            "value": "The cell as published (raw text); NULL for a blank.",
            "message": "What is wrong with the cell.",
        }.items()
    ),
    "COMMENT ON TABLE audit.quarantine_releases IS 'Quarantined files taken back once they passed their gate: who, "
    "when, which file, and the rejection and report that had quarantined it.'",
]
FRESH = "fresh"
STALE_PREFIX = "stale: rejected "


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
    target: Database, *, run_id: str, table: str, slice_counts: dict[str, int], files: list[dict]
) -> None:
    """The row counts of an accepted load; `target` may be the load's own connection (one transaction)."""
    now = datetime.now(UTC).replace(tzinfo=None)
    shas = ",".join(f["sha256"] for f in files)
    with connection(target) as con:
        _ensure(con)
        con.executemany(
            "INSERT INTO audit.accepted_loads VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, now, table, label, rows, shas) for label, rows in slice_counts.items()],
        )


def rejected_rows_writer(
    set_aside_parquet: str, *, run_id: str, source: str, table: str, partition: str, sha256s: list[str], whole: bool
):
    """What a load runs inside its transaction (warehouse/ingest/load.py `also`): the rows set aside at parsing
    of the files it loads replace those files' earlier ones in audit.rejected_rows (all of the table's,
    or of its partition, when the load replaces it whole), so they commit or roll back with the rows.

    Args:
        set_aside_parquet: the staged set-aside rows (SET_ASIDE_SCHEMA); "" when none.
    """

    def write(con) -> None:
        _ensure(con)
        scope = "OR partition_key = ?" if whole else ""
        placeholders = ", ".join("?" for _ in sha256s) or "NULL"
        con.execute(
            f"DELETE FROM audit.rejected_rows WHERE table_name = ? AND (file_sha256 IN ({placeholders}) {scope})",
            [table, *sha256s, *([partition] if whole else [])],
        )
        if not set_aside_parquet:
            return
        now = datetime.now(UTC).replace(tzinfo=None)
        con.execute(
            """INSERT INTO audit.rejected_rows
               SELECT $run_id, $now, $source, $table, $partition, source_file, source_sha256, source_row, rule,
                      "column", value, message
               FROM read_parquet($parquet) ORDER BY source_file, source_row, rule, "column" """,
            {
                "run_id": run_id,
                "now": now,
                "source": source,
                "table": table,
                "partition": partition,
                "parquet": set_aside_parquet,
            },
        )

    return write


def rejected_row_counts(db_path: Path) -> dict[str, int]:
    """Raw table -> rows set aside at parsing from the files it holds now (distinct file and row)."""
    if not Path(db_path).exists():
        return {}
    with connect(db_path, read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'audit' AND table_name = 'rejected_rows'"
        ).fetchone()[0]
        if not exists:
            return {}
        rows = con.execute(
            """SELECT table_name, count(DISTINCT (file, source_row)) FROM audit.rejected_rows
               WHERE file_sha256 IN (SELECT unnest(string_split(last_accepted_sha256, ','))
                                     FROM audit.source_status WHERE table_name = rejected_rows.table_name)
               GROUP BY table_name"""
        ).fetchall()
    return dict(rows)


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


def record_source_status(
    target: Database,
    *,
    run_id: str,
    table: str,
    partition: str,
    files: list[dict],
    row_count: int,
    rejection: str | None = None,
    report_path: str | None = None,
    keep_rejection: bool = False,
) -> None:
    """Set a table slice's status after a load: fresh when accepted, stale (last load kept) when rejected.

    A rejection keeps the slice's last accepted file and load time, so the status says both what
    analysts read and what was refused. `target` may be an accepted load's own connection, so the
    status commits with the rows.

    Args:
        keep_rejection: the accepted files are the slice's last accepted load read again from the raw
            archive (a forced rebuild): a slice that was stale stays stale, its rejected file is still
            the newest one offered.
    """
    now = datetime.now(UTC).replace(tzinfo=None)
    names = ", ".join(f["filename"] for f in files)
    shas = ",".join(f["sha256"] for f in files)
    with connection(target) as con:
        _ensure(con)
        key = [table, partition]
        previous = con.execute(
            "SELECT last_accepted_file, last_accepted_sha256, loaded_at FROM audit.source_status "
            "WHERE table_name = ? AND partition_key = ?",
            key,
        ).fetchone() or (None, None, None)
        stale = con.execute(
            "SELECT status, rejected_file, rejected_sha256, rejected_at, rejection_reason, report_path, run_id "
            "FROM audit.source_status WHERE table_name = ? AND partition_key = ? AND status <> ?",
            [*key, FRESH],
        ).fetchone()
        if rejection is None and keep_rejection and stale:
            status, *rejected = stale  # and the rejecting run's id: the rejection is its, not this run's
            row = [*key, status, names, shas, now, row_count, *rejected]
        elif rejection is None:
            row = [*key, FRESH, names, shas, now, row_count, None, None, None, None, None, run_id]
        else:
            row = [*key, STALE_PREFIX + names, *previous, row_count, names, shas, now, rejection, report_path, run_id]
        con.execute("INSERT OR REPLACE INTO audit.source_status VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)


def source_status(db_path: Path) -> list[dict]:
    """Every table slice's status, stale ones first."""
    if not Path(db_path).exists():
        return []
    with connect(db_path, read_only=True) as con:
        exists = con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = 'audit' AND table_name = 'source_status'"
        ).fetchone()[0]
        if not exists:
            return []
        cursor = con.execute("SELECT * FROM audit.source_status ORDER BY status = 'fresh', table_name, partition_key")
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def slice_status(db_path: Path, table: str, partition: str) -> dict | None:
    """One table slice's status row, or None when it was never loaded."""
    return table_status(db_path, table).get(partition)


def table_status(db_path: Path, table: str) -> dict[str, dict]:
    """Partition -> its status row, for every slice of one table ever loaded (one read of the database)."""
    return {r["partition_key"]: r for r in source_status(db_path) if r["table_name"] == table}


def sha256_list(joined: str | None) -> list[str]:
    """The sha256s audit.source_status keeps as one comma-joined text."""
    return [sha for sha in (joined or "").split(",") if sha]


def accepted_sha256s(db_path: Path, table: str) -> dict[str, list[str]]:
    """Partition -> the sha256s of the files its last accepted load holds."""
    return {
        row["partition_key"]: sha256_list(row["last_accepted_sha256"])
        for row in source_status(db_path)
        if row["table_name"] == table and row["last_accepted_sha256"]
    }


def record_row_drop_acceptance(
    db_path: Path, *, run_id: str, table: str, accepted_by: str, reason: str, observed: str
) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    with connect(db_path) as con:
        _ensure(con)
        con.execute(
            "INSERT INTO audit.row_drop_acceptances VALUES (?, ?, ?, ?, ?, ?)",
            [run_id, now, table, accepted_by, reason, observed],
        )


def record_quarantine_release(
    db_path: Path,
    *,
    run_id: str,
    released_by: str,
    source: str,
    file: dict,
    quarantine_report: dict,
) -> None:
    """A quarantined file passed its gate and was loaded: who took it back, when, and what had rejected it."""
    now = datetime.now(UTC).replace(tzinfo=None)
    failed = [r for r in quarantine_report.get("results", []) if not r.get("passed") and r.get("severity") == "error"]
    rejection = "; ".join(f"{r['rule']}: {r.get('description', '')}" for r in failed)
    with connect(db_path) as con:
        _ensure(con)
        con.execute(
            "INSERT INTO audit.quarantine_releases VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                now,
                released_by,
                source,
                quarantine_report.get("table"),
                quarantine_report.get("partition") or "all",
                file["filename"],
                file["sha256"],
                quarantine_report.get("created_at"),
                rejection[:2000],
                quarantine_report.get("report_path"),
            ],
        )
