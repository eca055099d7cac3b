"""Blocking data-quality gates and source freshness checks.

Gate: one blocking check per parsed table runs the table's Great Expectations suite
(expectations/) on the staged Parquet before the raw table may be loaded. A failed `error` rule
fails the check with severity ERROR: the raw load, the dbt models and the publish step downstream
do not run, the raw file is quarantined with a validation report, and the last published
warehouse stays as it was. Failed `warn` rules give a WARN result. The check's description names
the failing rules; its metadata has every rule's outcome and example rows; every result is also
kept in the warehouse's `audit.validation_results`.

Freshness: one non-blocking check per raw-file asset warns when the publisher's file has not
changed for longer than the source's cadence allows (WHD weekly, H-2A quarterly, QCEW yearly).
"""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.defs.assets.raw_sources import partition_keys
from orchestration.defs.partitions import fiscal_year_partitions
from orchestration.defs.registry import file_asset_name, parsed_asset_name
from orchestration.defs.resources import WarehouseResource
from sources import all_tables
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.gate_report import RuleResult, ValidationReport
from warehouse.handoff import load_parsed

GATE = "gate"
FRESHNESS = "publisher_freshness"
FRESHNESS_GRACE = 1.5  # a publication may be this much later than its cadence before we warn


def build_gate(spec: SourceSpec, table: RawTableSpec) -> dg.AssetChecksDefinition:
    asset = dg.AssetKey(parsed_asset_name(spec, table))

    @dg.asset_check(
        asset=asset,
        name=GATE,
        blocking=True,
        description=f"Data-quality gate of {table.contract.table_name}: the suite in expectations/{spec.name}.py.",
        partitions_def=fiscal_year_partitions if table.is_partitioned else None,
    )
    def _gate(context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource) -> dg.AssetCheckResult:
        from warehouse.gate import run_gate

        paths = warehouse.paths()
        reports = []
        for key in partition_keys(context, table):
            parsed = load_parsed(paths, table.contract.table_name, key)
            report = run_gate(spec, table, parsed, warehouse=warehouse, run_id=context.run.run_id)
            if report.errors or report.warnings:
                (context.log.error if report.errors else context.log.warning)(report.summary)
            reports.append(report)
        return gate_result(asset, reports)

    return _gate


def gate_result(asset: dg.AssetKey, reports: list[ValidationReport]) -> dg.AssetCheckResult:
    """One check result summarising every rule of every partition validated in the run."""
    results: list[RuleResult] = [r for report in reports for r in report.results]
    errors = [r for r in results if not r.passed and r.severity == "error"]
    warnings = [r for r in results if not r.passed and r.severity == "warn"]
    if errors:
        description = "REJECTED: " + "; ".join(r.describe() for r in errors[:5])
    elif warnings:
        description = "accepted with warnings: " + "; ".join(r.describe() for r in warnings[:5])
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
    return dg.AssetCheckResult(
        asset_key=asset,
        check_name=GATE,
        passed=not errors and not warnings,
        severity=dg.AssetCheckSeverity.ERROR if errors else dg.AssetCheckSeverity.WARN,
        description=description[:2000],
        metadata={
            "failed_rules": [r.rule for r in errors],
            "warned_rules": [r.rule for r in warnings],
            "rules": dg.MetadataValue.json(rows),
            "examples": dg.MetadataValue.json([{"rule": r.rule, "examples": r.examples} for r in errors + warnings]),
            **({"report": dg.MetadataValue.md(f"```\n{reports[0].summary}\n```")} if errors or warnings else {}),
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


def build_gates() -> list[dg.AssetChecksDefinition]:
    return [build_gate(spec, table) for spec, table in all_tables()]


def build_freshness_checks() -> list[dg.AssetChecksDefinition]:
    return [build_freshness_check(spec, table) for spec, table in all_tables()]


default_asset_checks = [*build_gates(), *build_freshness_checks()]

__all__ = ["build_freshness_checks", "build_gate", "build_gates", "default_asset_checks", "gate_result"]
