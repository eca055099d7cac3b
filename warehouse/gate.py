"""The gate between parsing and loading: validate a staged table, record the results, and on a
blocking failure quarantine the raw file(s) and write the validation report."""

from __future__ import annotations

from pathlib import Path

from expectations import suite_for
from expectations.validate import validate_parquet
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.audit import last_accepted_slice_counts, record_validation
from warehouse.gate_report import ValidationReport, file_entry, quarantine_files, write_report
from warehouse.stage import ParsedTable


def run_gate(spec: SourceSpec, table: RawTableSpec, parsed: ParsedTable, *, warehouse, run_id: str) -> ValidationReport:
    """Validate `parsed` with its suite; returns the report (quarantine already done on failure)."""
    paths = warehouse.paths()
    contract = table.contract
    if not parsed.has_input:
        return ValidationReport(table=contract.table_name, files=[], results=[], run_id=run_id)
    results = validate_parquet(
        Path(parsed.parquet_path),
        contract,
        suite_for(contract.table_name),
        previous_slice_counts=last_accepted_slice_counts(paths.build_db, contract.table_name),
        slice_columns=table.replace_key,
        max_row_drop_share=warehouse.max_row_drop_share,
    )
    files = [file_entry(f) for f in parsed.files]
    report = ValidationReport(table=contract.table_name, files=files, results=results, run_id=run_id)
    record_validation(
        paths.build_db, run_id=run_id, source=spec.name, table=contract.table_name, files=files, results=results
    )
    if report.passed:
        for archived in parsed.files:
            if archived.is_quarantined:
                warehouse.archive().release(archived)
    else:
        guilty = _files_with_failing_rows(report, parsed)
        quarantine_files(warehouse.archive(), guilty, report)
        write_report(paths, report)
    return report


def _files_with_failing_rows(report: ValidationReport, parsed: ParsedTable):
    """The files the failing example rows came from; every file of the load if none is named."""
    named = {str(e.get("source_file", "")).split("!")[0] for r in report.errors for e in r.examples}
    guilty = [f for f in parsed.files if f.filename in named]
    return guilty or list(parsed.files)
