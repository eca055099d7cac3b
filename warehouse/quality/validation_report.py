"""Validation reports: what failed, where, how often, with examples -- for machines and people.

A report is written when a gate rejects a load: JSON (for machines) and a readable summary,
both in ``$WAREHOUSE_HOME/reports/`` and beside the quarantined raw file in the archive. The same
summary is the error text of the failed Dagster step and of `warehouse build`/`ingest`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from expectations.results import RuleResult
from sources.common.archive import ArchivedFile, RawArchive
from sources.common.errors import MAX_EXAMPLES, ParseError
from sources.common.spec import RawTableSpec
from warehouse.settings import WarehousePaths


@dataclass
class ValidationReport:
    table: str
    files: list[dict]
    results: list[RuleResult]
    run_id: str | None = None
    created_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    partition: str | None = None
    report_path: str | None = None  # the JSON report under reports/, once written

    @classmethod
    def from_dict(cls, data: dict) -> ValidationReport:
        fields = {k: v for k, v in data.items() if k != "passed"}
        fields["results"] = [RuleResult(**r) for r in data["results"]]
        return cls(**fields)

    @property
    def label(self) -> str:
        """The table, and the partition when the table is partitioned (e.g. raw_h2a__disclosure [2016])."""
        return f"{self.table} [{self.partition}]" if self.partition not in (None, "all") else self.table

    @property
    def errors(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed and r.severity == "error"]

    @property
    def warnings(self) -> list[RuleResult]:
        return [r for r in self.results if not r.passed and r.severity == "warn"]

    @property
    def passed(self) -> bool:
        return not self.errors

    @property
    def summary(self) -> str:
        files = ", ".join(f"{f['filename']} (sha256 {f['sha256'][:12]})" for f in self.files) or "no file"
        verdict = "REJECTED" if self.errors else "accepted"
        lines = [f"{self.label}: load {verdict}; file(s): {files}"]
        for result in self.errors + self.warnings:
            lines.append(f"  {result.describe()}")
            for example in result.examples[:MAX_EXAMPLES]:
                lines.append(f"      e.g. {_format_example(example)}")
        if self.errors:
            lines.append(
                "  Nothing of this file was loaded: the table keeps its last accepted load; the raw file stays "
                "in the archive, marked quarantined."
            )
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "table": self.table,
            "partition": self.partition,
            "run_id": self.run_id,
            "created_at": self.created_at,
            "report_path": self.report_path,
            "passed": self.passed,
            "files": self.files,
            "results": [asdict(r) for r in self.results],
        }

    def dagster_metadata(self) -> dict:
        failing = self.errors or self.warnings
        return {
            "summary": dg.MetadataValue.md(f"```\n{self.summary}\n```"),
            "failed_rules": [r.rule for r in self.errors],
            "warned_rules": [r.rule for r in self.warnings],
            "examples": dg.MetadataValue.json(
                [{"rule": r.rule, "examples": r.examples[:MAX_EXAMPLES]} for r in failing]
            ),
        }


def _format_example(example: dict) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in example.items())


def file_entry(archived: ArchivedFile) -> dict:
    return {"filename": archived.filename, "sha256": archived.sha256, "path": archived.path, "url": archived.url}


def write_report(paths: WarehousePaths, report: ValidationReport) -> Path:
    """Write the JSON and text report under reports/ (one pair per rejected load); returns the JSON path."""
    paths.reports_dir.mkdir(parents=True, exist_ok=True)
    stamp = report.created_at.replace(":", "").replace("-", "")
    partition = f"_{report.partition}" if report.partition not in (None, "all") else ""
    first_file = report.files[0]["sha256"][:8] if report.files else "nofile"
    base = paths.reports_dir / f"{stamp}_{report.table}{partition}_{first_file}"
    report.report_path = str(base.with_suffix(".json"))
    base.with_suffix(".json").write_text(json.dumps(report.to_dict(), indent=2, default=str), encoding="utf-8")
    base.with_suffix(".txt").write_text(report.summary + "\n", encoding="utf-8")
    return base.with_suffix(".json")


def quarantine_files(archive: RawArchive, files: list[ArchivedFile], report: ValidationReport) -> None:
    for archived in files:
        archive.quarantine(archived, report.to_dict(), report.summary + "\n")


def parse_error_results(error: Exception) -> list[RuleResult]:
    """A parser failure as rule results (rule names match the expectation suites' vocabulary)."""
    if isinstance(error, ParseError):
        examples = [
            {
                k: v
                for k, v in {"row": p.row, "column": p.column, "value": p.value, "problem": p.message}.items()
                if v is not None
            }
            for p in error.problems
        ]
        return [
            RuleResult(
                error.rule,
                "error",
                False,
                error.message,
                failing_count=error.failing_count or len(examples) or 1,
                examples=examples,
            )
        ]
    return [RuleResult("parse", "error", False, f"{type(error).__name__}: {error}", failing_count=1)]


def reject_unparseable_files(
    archive: RawArchive,
    paths: WarehousePaths,
    table: RawTableSpec,
    rejected: list[tuple[ArchivedFile, Exception]],
    *,
    run_id: str | None,
    partition: str | None = None,
) -> list[ValidationReport]:
    """Quarantine each file that failed parsing and write its own report."""
    reports = []
    for archived, error in rejected:
        report = ValidationReport(
            table=table.contract.table_name,
            files=[file_entry(archived)],
            results=parse_error_results(error),
            run_id=run_id,
            partition=partition,
        )
        write_report(paths, report)
        quarantine_files(archive, [archived], report)
        reports.append(report)
    return reports
