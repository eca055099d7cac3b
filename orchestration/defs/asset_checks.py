"""Blocking data-quality gates: one multi-asset check per parsed table, one check per rule.

Each gate runs the table's Great Expectations suite (expectations/) on the staged Parquet before
the raw table may be loaded. Rules of severity `error` block: the raw load, the dbt models and
the publish step downstream do not run, the raw file is quarantined with a validation report,
and the last published warehouse stays as it was. `warn` rules are recorded and shown only.
Every result is written to the warehouse's `audit.validation_results`.
"""

from collections.abc import Iterator

import dagster as dg

from orchestration.defs.registry import parsed_asset_name
from orchestration.defs.resources import WarehouseResource
from sources import all_tables
from sources.common.spec import RawTableSpec, SourceSpec
from warehouse.stage import ParsedTable

SCHEMA_RULE = "columns_and_types_match_contract"


def build_gate(spec: SourceSpec, table: RawTableSpec) -> dg.AssetChecksDefinition:
    from expectations import suite_for

    suite = suite_for(table.contract.table_name)
    asset = dg.AssetKey(parsed_asset_name(spec, table))
    severity_of = {r.name: r.severity for r in suite.rules} | {r.name: r.severity for r in suite.table_rules}
    check_specs = [
        dg.AssetCheckSpec(
            name,
            asset=asset,
            blocking=True,
            description=_describe(suite, name),
            additional_deps=[],
        )
        for name in [SCHEMA_RULE, *suite.rule_names]
    ]

    @dg.multi_asset_check(
        specs=check_specs,
        name=f"gate_{spec.name}__{table.contract.name}",
        ins={"parsed": dg.AssetIn(asset)},
        description=f"Data-quality gate of {table.contract.table_name} (suite in expectations/{spec.name}.py).",
    )
    def _gate(
        context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource, parsed: ParsedTable
    ) -> Iterator[dg.AssetCheckResult]:
        from warehouse.gate import run_gate

        report = run_gate(spec, table, parsed, warehouse=warehouse, run_id=context.run.run_id)
        if not parsed.has_input:
            for name in [SCHEMA_RULE, *suite.rule_names]:
                yield dg.AssetCheckResult(
                    asset_key=asset,
                    check_name=name,
                    passed=True,
                    description="no new file this run: nothing to validate, the last accepted load is kept",
                )
            return
        reported = {r.rule for r in report.results}
        for result in report.results:
            yield dg.AssetCheckResult(
                asset_key=asset,
                check_name=result.rule,
                passed=result.passed,
                severity=dg.AssetCheckSeverity.ERROR
                if severity_of.get(result.rule, "error") == "error"
                else dg.AssetCheckSeverity.WARN,
                description=result.description,
                metadata={
                    "observed": str(result.observed) if result.observed is not None else "",
                    "failing_count": result.failing_count or 0,
                    "examples": dg.MetadataValue.json(result.examples),
                    **({"report": dg.MetadataValue.md(f"```\n{report.summary}\n```")} if not report.passed else {}),
                },
            )
        # A failed schema rule skips value rules: say so rather than leave them unreported.
        for name in [SCHEMA_RULE, *suite.rule_names]:
            if name not in reported:
                yield dg.AssetCheckResult(
                    asset_key=asset,
                    check_name=name,
                    passed=False,
                    severity=dg.AssetCheckSeverity.ERROR
                    if severity_of.get(name, "error") == "error"
                    else dg.AssetCheckSeverity.WARN,
                    description="not evaluated: the table does not match its contract",
                )
        if not report.passed:
            context.log.error(report.summary)

    return _gate


def _describe(suite, name: str) -> str:
    if name == SCHEMA_RULE:
        return "The parsed table has exactly the contract's columns and types."
    for rule in [*suite.rules, *suite.table_rules]:
        if rule.name == name:
            return f"[{rule.severity}] {rule.description}"
    return name


def build_gates() -> list[dg.AssetChecksDefinition]:
    return [build_gate(spec, table) for spec, table in all_tables()]


default_asset_checks = build_gates()

__all__ = ["build_gate", "build_gates", "default_asset_checks"]
