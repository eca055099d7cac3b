"""What a rule of a data-quality suite found on one table load: plain values, no Dagster or warehouse
types, so the gate, the reports and the audit tables above can all read it."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class RuleResult:
    """The outcome of one rule on one table load."""

    rule: str
    severity: str  # "error" blocks the load, "warn" is recorded and shown
    passed: bool
    description: str
    column: str | None = None
    observed: object = None
    failing_count: int | None = None
    examples: list[dict] = field(default_factory=list)

    def describe(self) -> str:
        status = "PASSED" if self.passed else ("FAILED" if self.severity == "error" else "WARNING")
        where = f" [{self.column}]" if self.column else ""
        count = f": {self.failing_count:,} failing" if self.failing_count else ""
        observed = f" ({self.observed})" if self.observed is not None and not self.passed else ""
        return f"{status} {self.rule}{where}{count}{observed} - {self.description}"
