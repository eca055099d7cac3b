"""The vocabulary of data-quality suites: rules as reviewable data, turned into Great
Expectations expectations only when validating (importing GE costs ~10 s, so never at import).

A `Rule` groups one or more GE expectations under one name and severity (e.g. "money is never
negative" over every money column). `TableRule`s are set-wide checks that cannot be judged one
batch at a time (uniqueness of a key, row count against the last accepted load); they run as SQL
over the whole staged Parquet file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ERROR = "error"  # blocks the load
WARN = "warn"  # recorded and shown, does not block


@dataclass(frozen=True)
class Check:
    """One GE expectation: its class name in `great_expectations.expectations` and arguments."""

    expectation: str
    kwargs: dict
    column: str | None = None
    reads: tuple[str, ...] = ()  # further columns the check reads (a row_condition's)


@dataclass(frozen=True)
class Rule:
    """A named group of expectations judged together, with a severity and a tolerance.

    `mostly` is the share of non-null values that must pass (1.0 = every value); it is applied
    to counts summed over every batch, so chunking never changes a verdict.
    """

    name: str
    severity: str
    description: str
    checks: tuple[Check, ...]
    mostly: float = 1.0

    def __post_init__(self) -> None:
        if self.severity not in (ERROR, WARN):
            raise ValueError(f"rule {self.name}: severity must be error or warn")


@dataclass(frozen=True)
class TableRule:
    """A set-wide rule evaluated in DuckDB over the whole staged table (`kind` picks the logic)."""

    name: str
    severity: str
    description: str
    kind: str  # "unique_key" | "row_count_drop" | "not_empty"
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suite:
    """The data-quality suite of one parsed table (`raw_<source>__<table>`)."""

    table: str
    rules: tuple[Rule, ...]
    table_rules: tuple[TableRule, ...] = field(default_factory=tuple)

    @property
    def rule_names(self) -> list[str]:
        return [r.name for r in self.rules] + [r.name for r in self.table_rules]


# ------------------------------------------------------------------------------------------------
# Small constructors so suites read like the rules they state
# ------------------------------------------------------------------------------------------------


def not_null(*columns: str) -> tuple[Check, ...]:
    return tuple(Check("ExpectColumnValuesToNotBeNull", {"column": c}, c) for c in columns)


def between(*columns: str, min_value=None, max_value=None) -> tuple[Check, ...]:
    return tuple(
        Check("ExpectColumnValuesToBeBetween", {"column": c, "min_value": min_value, "max_value": max_value}, c)
        for c in columns
    )


def dates_between(*columns: str, earliest: date, latest: date) -> tuple[Check, ...]:
    return tuple(
        Check("ExpectColumnValuesToBeBetween", {"column": c, "min_value": earliest, "max_value": latest}, c)
        for c in columns
    )


def in_set(column: str, values) -> tuple[Check, ...]:
    return (Check("ExpectColumnValuesToBeInSet", {"column": column, "value_set": sorted(values)}, column),)


def matches(column: str, regex: str) -> tuple[Check, ...]:
    return (Check("ExpectColumnValuesToMatchRegex", {"column": column, "regex": regex}, column),)


def ordered(earlier: str, later: str, *, unless: str | None = None) -> tuple[Check, ...]:
    """`later` >= `earlier` wherever both are present, except in rows where the boolean column `unless`
    is true (rows the parser flagged as published inconsistently)."""
    kwargs = {"column_A": later, "column_B": earlier, "or_equal": True, "ignore_row_if": "either_value_is_missing"}
    if unless:
        kwargs |= {"row_condition": f"{unless} == False", "condition_parser": "pandas"}
    return (
        Check(
            "ExpectColumnPairValuesAToBeGreaterThanB",
            kwargs,
            f"{earlier} <= {later}" + (f" unless {unless}" if unless else ""),
            reads=(unless,) if unless else (),
        ),
    )
