"""The gate between parsing and loading: validate a staged table, record the results, and load it
only when no `error` rule failed.

A rejected load costs only its own table (or fiscal-year partition): its raw files are quarantined
with a validation report, the table keeps its last accepted load and `audit.source_status` says it is
stale and why; every other table still loads, dbt still builds and the warehouse is still published.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow.parquet as pq

from expectations import suite_for
from expectations.common import ROW_COUNT_RULE
from expectations.results import RuleResult
from expectations.validate import prepare_great_expectations, slice_counts, validate_parquet, validate_parquets
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.ingest.changes import STILL_REJECTED, UNCHANGED
from warehouse.ingest.difference import RowDifference, load_difference, row_difference
from warehouse.ingest.load import Database, merge_raw_table, replace_raw_table, slice_files, slice_row_count
from warehouse.ingest.stage import ParsedTable, file_of_row
from warehouse.quality.audit import (
    last_accepted_slice_counts,
    record_accepted_load,
    record_quarantine_release,
    record_row_drop_acceptance,
    record_source_status,
    record_validation,
    rejected_rows_writer,
)
from warehouse.quality.validation_report import ValidationReport, file_entry, quarantine_files, write_report

LOADED, REJECTED, NO_INPUT = "loaded", "rejected", "no input"
KEPT = (NO_INPUT, UNCHANGED, STILL_REJECTED)  # outcomes that leave the table as it was
OUTCOMES = (LOADED, REJECTED, STILL_REJECTED, UNCHANGED, NO_INPUT)  # every outcome, in the order they are reported


@dataclass
class LoadOutcome:
    """What happened to one table (or partition) in a run: loaded, rejected (last load kept), no input,
    or not looked at because its files did not change (UNCHANGED, STILL_REJECTED)."""

    table: str
    partition: str
    status: str
    rows_loaded: int = 0
    reports: list[ValidationReport] = field(default_factory=list)
    gate_seconds: float = 0.0  # validating the staged table (benchmarks report it as a share of ingest)
    # Importing Great Expectations and setting up its context, once per process, by the first gate to run.
    gx_setup_seconds: float = 0.0
    # Loaded by content difference (warehouse/ingest/difference.py): rows new, changed, gone and kept.
    difference: dict | None = None

    @property
    def results(self) -> list[RuleResult]:
        return [r for report in self.reports for r in report.results]


def run_gate(
    spec: SourceSpec,
    table: RawTableSpec,
    parsed: ParsedTable,
    *,
    warehouse,
    run_id: str,
    validated: list[RuleResult] | None = None,
) -> ValidationReport:
    """Validate `parsed` with its suite (unless `validated` holds its results already); returns the report
    (quarantine already done on failure)."""
    paths = warehouse.paths()
    contract = table.contract
    if not parsed.has_input:
        return ValidationReport(table=contract.table_name, files=[], results=[], run_id=run_id)
    results = _validate(table, parsed, warehouse) if validated is None else validated
    results = [_accepted_row_drop(r, contract.table_name, warehouse, run_id) for r in results]
    if parsed.extra_columns:
        results.append(_extra_columns_warning(parsed.extra_columns))
    if parsed.set_aside_rows:
        results.append(_set_aside_warning(parsed))
    files = [file_entry(f) for f in parsed.files]
    report = ValidationReport(
        table=contract.table_name, files=files, results=results, run_id=run_id, partition=parsed.partition
    )
    record_validation(
        paths.build_db, run_id=run_id, source=spec.name, table=contract.table_name, files=files, results=results
    )
    if report.passed:
        for archived in parsed.files:
            if archived.is_quarantined:
                _release(spec, archived, warehouse, run_id)
    else:
        write_report(paths, report)
        quarantine_files(warehouse.archive(), _files_with_failing_rows(report, parsed), report)
    return report


def gate_and_load_partitions(
    spec: SourceSpec, table: RawTableSpec, parsed_tables: list[ParsedTable], *, warehouse, run_id: str, merge: bool
) -> Iterator[LoadOutcome]:
    """`gate_and_load` of each of a run's staged partitions, in order; a partitioned table's suite validated
    in one call first (a validation's cost is mostly fixed: at scale 10, 18 H-2B fiscal years paid it 18
    times). A table of one partition (or loaded by content difference) is validated by `gate_and_load`."""
    gated = [p for p in parsed_tables if _gated_as_staged(p)] if table.is_partitioned else []
    validated: dict[str, list[RuleResult]] = {}
    share_seconds = gx_setup_seconds = 0.0
    if len(gated) > 1:
        gx_setup_seconds = prepare_great_expectations()
        started = time.perf_counter()
        validated = dict(zip((p.partition for p in gated), _validate_all(table, gated, warehouse), strict=True))
        share_seconds = (time.perf_counter() - started) / len(gated)  # each partition's share of the one call
    for parsed in parsed_tables:
        results = validated.get(parsed.partition)
        outcome = gate_and_load(spec, table, parsed, warehouse=warehouse, run_id=run_id, merge=merge, validated=results)
        if results is not None:
            outcome.gate_seconds += share_seconds
            outcome.gx_setup_seconds, gx_setup_seconds = gx_setup_seconds, 0.0  # counted once, with the first
        yield outcome


def _gated_as_staged(parsed: ParsedTable) -> bool:
    """Will `gate_and_load` validate the staged table as it is (no input, unchanged files, a rejection at
    parsing are not validated; a load by content difference validates the difference)?"""
    return parsed.has_input and not parsed.unchanged and not parsed.is_rejected and not parsed.value_check_path


def _validate_all(table: RawTableSpec, parsed_tables: list[ParsedTable], warehouse) -> list[list[RuleResult]]:
    parquets = [Path(p.parquet_path) for p in parsed_tables]
    return validate_parquets(
        parquets, table.contract, suite_for(table.contract.table_name), **_options(table, warehouse)
    )


def _validate(table: RawTableSpec, parsed: ParsedTable, warehouse) -> list[RuleResult]:
    """The suite's results on the staged table; loading by difference, the value rules read only the new
    and changed rows (`parsed.value_check_path`) while the schema and set-wide rules read the whole table."""
    contract = table.contract
    suite = suite_for(contract.table_name)
    options = _options(table, warehouse)
    if not parsed.value_check_path:
        return validate_parquet(Path(parsed.parquet_path), contract, suite, **options)
    # A rule that tolerates a share of failing values (`mostly` < 1) is a share of the whole table: it
    # reads every row, as do the schema and set-wide rules; the others read the new and changed rows.
    shared = tuple(r for r in suite.rules if r.mostly < 1)
    whole = validate_parquet(Path(parsed.parquet_path), contract, replace(suite, rules=shared), **options)
    if not whole[0].passed:  # the schema rule failed: nothing else was checked
        return whole
    per_row_suite = replace(suite, rules=tuple(r for r in suite.rules if r.mostly >= 1), table_rules=())
    per_row = validate_parquet(Path(parsed.value_check_path), contract, per_row_suite, **options)
    by_name = {r.rule: r for r in [*whole[1:], *per_row[1:]]}
    return [whole[0], *(by_name[name] for name in suite.rule_names)]


def _options(table: RawTableSpec, warehouse) -> dict:
    """How the table's set-wide rules judge a load: against its last accepted slice counts."""
    return {
        "previous_slice_counts": last_accepted_slice_counts(warehouse.paths().build_db, table.contract.table_name),
        "slice_columns": table.replace_key,
        "max_row_drop_share": warehouse.max_row_drop_share,
    }


def _release(spec: SourceSpec, archived, warehouse, run_id: str) -> None:
    """A quarantined file passed its gate: take it back, recording who, when and what had rejected it."""
    record_quarantine_release(
        warehouse.paths().build_db,
        run_id=run_id,
        released_by=warehouse.operator or "unknown",
        source=spec.name,
        file=file_entry(archived),
        quarantine_report=archived.quarantine_report(),
    )
    warehouse.archive().release(archived)


def gate_and_load(
    spec: SourceSpec,
    table: RawTableSpec,
    parsed: ParsedTable,
    *,
    warehouse,
    run_id: str,
    merge: bool,
    validated: list[RuleResult] | None = None,
) -> LoadOutcome:
    """Gate a staged table and load it into the raw schema if accepted; record its source status.

    Args:
        merge: replace only the slices (replace_key values) the files carry, not the whole table.
        validated: the suite's results on the staged table, when already validated (gate_and_load_partitions).
    """
    name, partition = table.contract.table_name, parsed.partition or "all"
    if not parsed.has_input:
        return LoadOutcome(name, partition, NO_INPUT)
    if parsed.unchanged:
        return LoadOutcome(name, partition, parsed.unchanged)
    if parsed.is_rejected:
        reports = [ValidationReport.from_dict(r) for r in parsed.rejections]
        for report in reports:
            _record_parse_rejection(spec, report, warehouse, run_id)
        _record_status(table, partition, warehouse.paths().build_db, run_id, rejected=reports)
        return LoadOutcome(name, partition, REJECTED, reports=reports)
    difference = (
        None if getattr(warehouse, "force", False) else _row_difference(table, parsed, warehouse.paths().build_db)
    )
    if difference is not None:
        parsed = replace(parsed, value_check_path=str(difference.changed_parquet))
    gx_setup_seconds = 0.0 if validated is not None else prepare_great_expectations()
    started = time.perf_counter()
    report = run_gate(spec, table, parsed, warehouse=warehouse, run_id=run_id, validated=validated)
    gate_seconds = time.perf_counter() - started
    if not report.passed:
        _drop_changed_rows(difference)
        _record_status(table, partition, warehouse.paths().build_db, run_id, rejected=[report])
        return LoadOutcome(
            name, partition, REJECTED, reports=[report], gate_seconds=gate_seconds, gx_setup_seconds=gx_setup_seconds
        )
    db, parquet = warehouse.paths().build_db, Path(parsed.parquet_path)
    files = [file_entry(f) for f in parsed.files]
    set_aside = rejected_rows_writer(
        parsed.set_aside_path,
        run_id=run_id,
        source=spec.name,
        table=name,
        partition=partition,
        sha256s=[f["sha256"] for f in files],
        whole=table.is_partitioned or not merge,
    )

    def audit_rows(con) -> None:
        """The rows set aside at parsing, the load's row counts and the slice's status commit with the rows
        (or roll back with them): the raw table and its audit never disagree."""
        set_aside(con)
        record_accepted_load(
            con, run_id=run_id, table=name, slice_counts=slice_counts(parquet, table.replace_key), files=files
        )
        _record_status(table, partition, con, run_id, accepted_files=files, reload=parsed.reload)

    if difference is not None:
        load_difference(db, table.contract, parquet, difference, also=audit_rows)
        loaded = difference.file_rows  # as a full reload counts: the file's rows now in the table
        _drop_changed_rows(difference)
    elif merge:
        loaded = merge_raw_table(db, table.contract, parquet, table.replace_key, also=audit_rows)
    else:
        loaded = replace_raw_table(db, table.contract, parquet, also=audit_rows)
    changes = difference.to_dict() if difference is not None else None
    return LoadOutcome(name, partition, LOADED, loaded, [report], gate_seconds, gx_setup_seconds, changes)


def _drop_changed_rows(difference: RowDifference | None) -> None:
    """The new and changed rows' file served the gate and the load; the staged table stays the record."""
    if difference is not None:
        difference.changed_parquet.unlink(missing_ok=True)


def _row_difference(table: RawTableSpec, parsed: ParsedTable, db: Path) -> RowDifference | None:
    """For a table republished whole (WHD), what the staged file changes in the raw table; None gates and
    loads it whole (another table, a table of slices, nothing loaded yet; a forced run does not ask)."""
    if not table.load_by_difference or table.replace_key or table.is_partitioned:
        return None
    return row_difference(db, table.contract, Path(parsed.parquet_path))


def _record_status(
    table: RawTableSpec,
    partition: str,
    target: Database,
    run_id: str,
    *,
    accepted_files: list[dict] | None = None,
    rejected: list[ValidationReport] = (),
    reload: bool = False,
) -> None:
    """`target`: the build database's path, or an accepted load's connection (its open transaction)."""
    partition_columns = table.replace_key[:1] if table.is_partitioned else ()
    rows = slice_row_count(target, table.contract, partition_columns, partition)
    name = table.contract.table_name
    if not rejected:
        record_source_status(
            target,
            run_id=run_id,
            table=name,
            partition=partition,
            files=_files_held(target, table, partition_columns, partition, accepted_files or []),
            row_count=rows,
            keep_rejection=reload,
        )
        return
    files = [f for report in rejected for f in report.files]
    reason = "; ".join(r.describe() for report in rejected for r in report.errors)
    record_source_status(
        target,
        run_id=run_id,
        table=name,
        partition=partition,
        files=files,
        row_count=rows,
        rejection=reason[:2000],
        report_path=", ".join(r.report_path or "" for r in rejected),
    )


def _files_held(
    target: Database, table: RawTableSpec, partition_columns, partition: str, loaded: list[dict]
) -> list[dict]:
    """The files a slice holds after an accepted load: the ones just loaded, and those of earlier loads
    whose rows a merge kept (e.g. the other QCEW slices), so the status lists every file to rebuild from."""
    loaded_sha256s = {f["sha256"] for f in loaded}
    earlier = [
        {"filename": name, "sha256": sha}
        for name, sha in slice_files(target, table.contract, partition_columns, partition)
        if sha not in loaded_sha256s
    ]
    return earlier + loaded


def _record_parse_rejection(spec: SourceSpec, report: ValidationReport, warehouse, run_id: str) -> None:
    record_validation(
        warehouse.paths().build_db,
        run_id=run_id,
        source=spec.name,
        table=report.table,
        files=report.files,
        results=report.results,
    )


def _accepted_row_drop(result: RuleResult, table_name: str, warehouse, run_id: str) -> RuleResult:
    """A failed row-count rule that a person accepted on purpose for this run passes, with who and why."""
    accepted = getattr(warehouse, "accept_row_drop", None) or []
    if result.rule != ROW_COUNT_RULE or result.passed or table_name not in accepted:
        return result
    who = warehouse.operator or "unknown"
    reason = warehouse.accept_row_drop_reason or "no reason given"
    record_row_drop_acceptance(
        warehouse.paths().build_db,
        run_id=run_id,
        table=table_name,
        accepted_by=who,
        reason=reason,
        observed=str(result.observed),
    )
    return replace(result, passed=True, description=f"{result.description}; drop accepted by {who}: {reason}")


def _extra_columns_warning(extra: tuple[str, ...]) -> RuleResult:
    return RuleResult(
        "no_unknown_columns",
        "warn",
        False,
        "the publisher added columns no known layout has; they are loaded into extra_columns (JSON)",
        observed=list(extra),
        failing_count=len(extra),
        examples=[{"column": c} for c in extra[:10]],
    )


def _set_aside_warning(parsed: ParsedTable) -> RuleResult:
    """Rows set aside at parsing, reported as a warning with how many, why, and the first of them."""
    cells = pq.read_table(parsed.set_aside_path).to_pylist() if parsed.set_aside_path else []
    why: dict[str, int] = {}
    for cell in cells:
        key = f"{cell['rule']} in {cell['column']}"
        why[key] = why.get(key, 0) + 1
    return RuleResult(
        "rows_set_aside",
        "warn",
        False,
        "rows with a value that does not parse as its column type, or a blank in a column that is never blank, "
        "are set aside into audit.rejected_rows; the rest of the file is loaded",
        column=", ".join(sorted({c["column"] for c in cells}))[:200] or None,
        observed=f"{parsed.set_aside_rows} row(s) set aside: " + ", ".join(f"{k} ({n})" for k, n in why.items()),
        failing_count=parsed.set_aside_rows,
        examples=[
            {k: c[k] for k in ("source_file", "source_row", "rule", "column", "value", "message")} for c in cells[:10]
        ],
    )


def _files_with_failing_rows(report: ValidationReport, parsed: ParsedTable):
    """The files the failing example rows came from; every file of the load if none is named."""
    named = {file_of_row(e.get("source_file", "")) for r in report.errors for e in r.examples}
    guilty = [f for f in parsed.files if f.filename in named]
    return guilty or list(parsed.files)
