"""Data-quality gates and source freshness checks.

Gate: every raw table has a `gate` check, evaluated in the raw asset's own step: the table's Great
Expectations suite (expectations/) runs on the staged Parquet, and the table is loaded only when no
`error` rule failed (a file that could not be parsed fails the gate too). A rejected load fails the
check with severity ERROR, names the failing rules and keeps example rows in its metadata; its raw
files are quarantined with a report, and the table keeps its last accepted load. Because the gate
acts inside the step, a bad file blocks only its own table: other tables, dbt and the publish step
still run, and `audit.source_status` marks the table stale. Every result is also kept in the
warehouse's `audit.validation_results`.

Freshness: one non-blocking check per raw-file asset warns when the publisher's file has not
changed for longer than the source's cadence allows (WHD weekly, H-2A quarterly, QCEW yearly).
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.defs.registry import file_asset_name
from orchestration.defs.resources import WarehouseResource
from sources import all_tables
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.ingest.changes import STILL_REJECTED, UNCHANGED
from warehouse.quality.gate import LoadOutcome

GATE = "gate"
FRESHNESS = "publisher_freshness"
FRESHNESS_GRACE = 1.5  # a publication may be this much later than its cadence before we warn


def gate_description(spec: SourceSpec, table: RawTableSpec) -> str:
    return (
        f"Data-quality gate of {table.contract.table_name}: the suite in expectations/{spec.name}.py. A rejected "
        "file is quarantined and the table keeps its last accepted load."
    )


def gate_result(asset: dg.AssetKey, outcomes: list[LoadOutcome]) -> dg.AssetCheckResult:
    """One check result summarising every rule of every partition gated in the run."""
    reports = [report for outcome in outcomes for report in outcome.reports]
    results = [r for report in reports for r in report.results]
    errors = [r for r in results if not r.passed and r.severity == "error"]
    warnings = [r for r in results if not r.passed and r.severity == "warn"]
    rejected = [report for report in reports if report.errors]
    still_rejected = [o.partition for o in outcomes if o.status == STILL_REJECTED]
    if errors:
        files = ", ".join(f["filename"] for report in rejected for f in report.files)
        description = f"REJECTED {files} (last accepted load kept): " + "; ".join(r.describe() for r in errors[:5])
    elif still_rejected:
        description = (
            f"{STILL_REJECTED} ({', '.join(still_rejected)}): the files offered are the ones last rejected, not "
            "validated again (`warehouse release` re-gates a quarantined file); the last accepted load is kept"
        )
    elif warnings:
        description = "accepted with warnings: " + "; ".join(r.describe() for r in warnings[:5])
    elif not results and any(o.status == UNCHANGED for o in outcomes):
        description = f"{UNCHANGED}: the files are those of the last accepted load, not validated again"
    elif not results:
        description = "no new file this run: nothing to validate, the last accepted load is kept"
    else:
        description = f"all {len(results)} rules passed"
    rows = [
        {
            "rule": r.rule,
            "severity": r.severity,
            "passed": r.passed,
            "failing": r.failing_count or 0,
            "observed": str(r.observed or ""),
        }
        for r in results
    ]
    shown = rejected or [report for report in reports if report.warnings]
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=GATE,
        passed=not errors and not still_rejected and not warnings,
        severity=dg.AssetCheckSeverity.ERROR if errors or still_rejected else dg.AssetCheckSeverity.WARN,
        description=description[:2000],
        metadata={
            "failed_rules": [r.rule for r in errors],
            "warned_rules": [r.rule for r in warnings],
            "rejected_files": [f["filename"] for report in rejected for f in report.files],
            "reports": [report.report_path for report in rejected if report.report_path],
            "rules": dg.MetadataValue.json(rows),
            "examples": dg.MetadataValue.json([{"rule": r.rule, "examples": r.examples} for r in errors + warnings]),
            **(
                {"report": dg.MetadataValue.md("```\n" + "\n".join(r.summary for r in shown)[:8000] + "\n```")}
                if shown
                else {}
            ),
        },
    )


def build_freshness_check(spec: SourceSpec, table: RawTableSpec) -> dg.AssetChecksDefinition:
    allowed = spec.expected_update_interval * FRESHNESS_GRACE

    @dg.asset_check(
        asset=dg.AssetKey(file_asset_name(spec, table)),
        name=FRESHNESS,
        blocking=False,
        description=f"{spec.title} changes at least every {spec.expected_update_interval.days} days; "
        f"warns when the newest archived version is older than {allowed.days} days.",
    )
    def _fresh(warehouse: WarehouseResource) -> dg.AssetCheckResult:
        return freshness_result(spec, table, warehouse, allowed)

    return _fresh


def freshness_result(
    spec: SourceSpec, table: RawTableSpec, warehouse: WarehouseResource, allowed: timedelta
) -> dg.AssetCheckResult:
    """Warn when no new version of the table's files has been archived within `allowed`."""
    versions = [f for f in warehouse.archive().files(spec.name) if table.matches(f.filename)]
    if not versions:
        return dg.AssetCheckResult(
            passed=False, severity=dg.AssetCheckSeverity.WARN, description="no file archived yet"
        )
    newest = max(datetime.fromisoformat(f.fetched_at) for f in versions)
    age = datetime.now(UTC) - newest
    return dg.AssetCheckResult(
        passed=age <= allowed,
        severity=dg.AssetCheckSeverity.WARN,
        description=f"newest version archived {age.days} days ago (allowed {allowed.days})",
        metadata={"newest_version_archived_at": newest.isoformat(), "age_days": age.days, "allowed_days": allowed.days},
    )


def build_freshness_checks() -> list[dg.AssetChecksDefinition]:
    return [build_freshness_check(spec, table) for spec, table in all_tables()]


default_asset_checks = build_freshness_checks()

__all__ = ["GATE", "build_freshness_checks", "default_asset_checks", "gate_description", "gate_result"]
