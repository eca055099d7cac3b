"""Running a suite against a staged Parquet table: Great Expectations on pandas batches (bounded
memory), set-wide rules in DuckDB, one `RuleResult` per rule.

GE validates each Arrow record batch as a pandas frame; unexpected counts are summed over batches
before `mostly` is applied, and the first failing rows (with `source_file`/`source_row`) are kept
as examples. GE is used on pandas only: its SQL path over DuckDB is unreliable.

A validation's cost is mostly fixed, per check (GE builds a graph of metrics for every expectation of
every validation), not per row; so a table's GE suite is set up once per process, every check runs for
its verdict alone first and only failed checks again with counts and examples, and identical checks of
two rules run once (benchmarks/README.md, "Gates: fixed cost per validation").
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from expectations.results import RuleResult
from expectations.rules import Check, Rule, Suite, TableRule
from sources.common.contract import TableContract
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import MAX_EXAMPLES

log = logging.getLogger(__name__)

BATCH_ROWS = 200_000
_INDEX_COLUMNS = ["source_file", "source_row"]
_COLUMN_ARGUMENTS = ("column", "column_A", "column_B")  # the GE arguments that name the columns a check reads


@dataclass
class _Tally:
    element_count: int = 0
    missing_count: int = 0
    unexpected_count: int = 0
    failed_table_check: bool = False
    observed: object = None
    errors: list[str] = field(default_factory=list)
    examples: list[dict] = field(default_factory=list)


def prepare_great_expectations() -> float:
    """Import GE and set up the process's one context now (once per process); the seconds it took, 0 when
    it was already done. The gate calls it before it starts its clock, so the one-time import is its own
    figure, not a share of whichever gate happens to run first."""
    if _batch_definition.cache_info().currsize:
        return 0.0
    started = time.perf_counter()
    _batch_definition()
    return time.perf_counter() - started


@contextmanager
def _pyspark_hidden():
    """Import GE as if pyspark were not installed (a None entry in sys.modules makes `import pyspark` raise
    ImportError): GE imports pyspark, and through pyspark.ml scipy, whenever it can, about 40 % of its
    import time, yet the gates hand it pandas frames only. A process that has pyspark already (the Spark
    engine) keeps it."""
    if "pyspark" in sys.modules:
        yield
        return
    sys.modules["pyspark"] = None
    try:
        yield
    finally:
        if sys.modules.get("pyspark", "") is None:
            del sys.modules["pyspark"]


@cache
def _batch_definition():
    # Set up on first use, in the gate's own thread. Importing GE (seconds) on a background thread during
    # parsing was tried: it raced with the main thread's imports and left half-initialised modules
    # ("partially initialized module sqlalchemy.orm.exc").
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    with _pyspark_hidden():
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        logging.getLogger("great_expectations").setLevel(logging.ERROR)
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        _memoize_expectation_configurations()
        asset = context.data_sources.add_pandas("staged").add_dataframe_asset("parsed_table")
        return context, asset.add_batch_definition_whole_dataframe("batch")


_MEMO = threading.local()  # .configurations: {id(expectation): (expectation, its configuration)} while validating


def _memoize_expectation_configurations() -> None:
    """Within `_configurations_memoized()`, an expectation builds its GE configuration once, not once per
    read: GE's `Expectation.configuration` is a property that serialises the pydantic model anew on each
    of the ~80 reads per expectation and validation, a third of a small partition's gate. Outside that
    block (and on other threads) the property behaves as GE wrote it."""
    from great_expectations.expectations.expectation import Expectation

    original = Expectation.__dict__["configuration"]
    if not isinstance(original, property) or getattr(original.fget, "memoized", False):
        return

    def configuration(self):
        memo = getattr(_MEMO, "configurations", None)
        if memo is None:
            return original.fget(self)
        if id(self) not in memo:
            memo[id(self)] = (self, original.fget(self))  # the object is kept: its id is not reused meanwhile
        return memo[id(self)][1]

    configuration.memoized = True
    Expectation.configuration = property(configuration)


@contextmanager
def _configurations_memoized():
    """Expectations are not changed while a validation runs, so their configurations may be memoized."""
    _MEMO.configurations = {}
    try:
        yield
    finally:
        _MEMO.configurations = None


def _expectation(check: Check, check_id: str):
    import great_expectations as gx
    import pandas as pd

    kwargs = {k: pd.Timestamp(v) if isinstance(v, date) else v for k, v in check.kwargs.items()}
    return getattr(gx.expectations, check.expectation)(**kwargs, meta={"check_id": check_id})


def _check_key(check: Check) -> str:
    """One name for a check's expectation and arguments: identical checks of two rules (e.g. an error
    rule with a tolerance and its strict warning twin) are validated once and tallied once."""
    return f"{check.expectation}{json.dumps(check.kwargs, sort_keys=True, default=str)}"


def _gx_expectation_suite(name: str, checks: dict[str, Check]):
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=[_expectation(check, key) for key, check in checks.items()])


def _registered_suite(table: str, checks: dict[str, Check]):
    """The GE suite of these checks, added to the process's context once and reused by every later
    validation of the same table (each partition, each batch): setting a suite up and removing it again
    cost every validation a share of its fixed time."""
    key = (table, tuple(checks))
    with _SUITES_LOCK:
        if key not in _SUITES:
            context, _ = _batch_definition()
            name = f"{table}_{uuid.uuid4().hex}"
            _SUITES[key] = context.suites.add(_gx_expectation_suite(name, checks))
        return _SUITES[key]


_SUITES: dict[tuple[str, tuple[str, ...]], object] = {}
_SUITES_LOCK = threading.Lock()


@contextmanager
def _gx_suite(table: str, checks: dict[str, Check]):
    """A GE suite for one validation of a few checks, removed afterwards (the context lives as long as the
    process). The name is unique per call: id()-based names collide once an address is reused."""
    context, _ = _batch_definition()
    name = f"{table}_{uuid.uuid4().hex}"
    try:
        yield context.suites.add(_gx_expectation_suite(name, checks))
    finally:
        context.suites.delete(name)


def validate_parquet(parquet: Path, contract: TableContract, suite: Suite, **options) -> list[RuleResult]:
    """Validate a staged table against its suite; returns one result per rule (schema rule first).
    `options` as for `validate_parquets`."""
    (results,) = validate_parquets([parquet], contract, suite, **options)
    return results


def validate_parquets(
    parquets: Sequence[Path],
    contract: TableContract,
    suite: Suite,
    *,
    previous_slice_counts: dict[str, int] | None = None,
    slice_columns: tuple[str, ...] = (),
    max_row_drop_share: float = 0.5,
    batch_rows: int = BATCH_ROWS,
) -> list[list[RuleResult]]:
    """`validate_parquet` of several staged tables of one contract (a run's partitions), each one's
    results exactly as if validated alone; the checks' verdicts come from one pass over all their rows
    (a check no row of any table fails passes in each), which pays GE's fixed cost per validation once,
    not once per table. Only a check that failed runs again, per table, for its counts and examples."""
    schemas = [_schema_rule(parquet, contract) for parquet in parquets]
    valid = [parquet for parquet, schema in zip(parquets, schemas, strict=True) if schema.passed]
    failed = _failed_checks(valid, suite, batch_rows)
    results = []
    for parquet, schema_result in zip(parquets, schemas, strict=True):
        if not schema_result.passed:
            results.append([schema_result])  # value rules on the wrong columns would only add noise
            continue
        table_rules = _run_table_rules(
            parquet, suite.table_rules, previous_slice_counts or {}, slice_columns, max_row_drop_share
        )
        results.append([schema_result, *_tallied_rules(parquet, suite, failed, batch_rows), *table_rules])
    return results


def _schema_rule(parquet: Path, contract: TableContract) -> RuleResult:
    actual = pq.read_schema(parquet)
    expected = contract.arrow_schema()
    problems = []
    for wanted in expected:
        if wanted.name not in actual.names:
            problems.append({"column": wanted.name, "problem": "missing"})
        elif not actual.field(wanted.name).type.equals(wanted.type):
            problems.append(
                {"column": wanted.name, "problem": f"type {actual.field(wanted.name).type}, expected {wanted.type}"}
            )
    problems += [{"column": n, "problem": "not in the contract"} for n in actual.names if n not in expected.names]
    return RuleResult(
        "columns_and_types_match_contract",
        "error",
        not problems,
        f"the parsed table has exactly the contract's {len(expected)} columns with its types",
        failing_count=len(problems) or None,
        examples=problems[:MAX_EXAMPLES],
    )


def _checks(suite: Suite) -> dict[str, Check]:
    return {_check_key(check): check for rule in suite.rules for check in rule.checks}


def _failed_checks(parquets: Sequence[Path], suite: Suite, batch_rows: int) -> dict[str, Check]:
    """The checks some row of `parquets` fails. Every check runs for its verdict alone (GE's BOOLEAN_ONLY:
    no counts, no examples, a third of the cost of SUMMARY), over batches that may span the tables."""
    checks = _checks(suite)
    if not checks or not parquets:
        return {}
    columns = _columns_checked(checks.values(), pq.read_schema(parquets[0]).names)
    failed: dict[str, Check] = {}
    for batch in _Batches(parquets, columns, batch_rows):
        with _configurations_memoized():
            verdicts = batch.validate(_registered_suite(suite.table, checks), result_format=_VERDICT_ONLY)
        failed |= {_meta_key(r): checks[_meta_key(r)] for r in verdicts.results if not r.success}
    return failed


def _tallied_rules(parquet: Path, suite: Suite, failed: dict[str, Check], batch_rows: int) -> list[RuleResult]:
    """One result per rule of `suite` on `parquet`: the checks in `failed` run again over its every batch
    with counts and examples. A check that passes every batch has no unexpected value, so its empty tally
    is what a SUMMARY pass would have given; a failed one is tallied over the whole table (a tolerance
    needs every batch's count of values): results are exactly those of one SUMMARY pass over every check."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    if failed:
        columns = _columns_checked(_checks(suite).values(), pq.read_schema(parquet).names)
        with _gx_suite(suite.table, failed) as failed_suite:
            for batch in _Batches([parquet], columns, batch_rows):
                with _configurations_memoized():
                    validation = batch.validate(failed_suite, result_format=_COUNTS_AND_EXAMPLES)
                for result in validation.results:
                    _tally(tallies[_meta_key(result)], result)
    return [_rule_result(rule, [(check, tallies[_check_key(check)]) for check in rule.checks]) for rule in suite.rules]


class _Batches:
    """GE batches of at most `batch_rows` rows of the staged tables, one after the other (a batch may hold
    the end of one table and the start of the next), only the checked columns."""

    def __init__(self, parquets: Sequence[Path], columns: list[str] | None, batch_rows: int):
        self.parquets, self.columns, self.batch_rows = parquets, columns, batch_rows

    def __iter__(self):
        _, batch_definition = _batch_definition()
        for table in self._tables():
            yield batch_definition.get_batch(batch_parameters={"dataframe": _frame(table)})

    def _tables(self):
        pending: list[pa.Table] = []
        rows = 0
        for parquet in self.parquets:
            for record_batch in pq.ParquetFile(parquet).iter_batches(batch_size=self.batch_rows, columns=self.columns):
                if rows + record_batch.num_rows > self.batch_rows and pending:
                    yield pa.concat_tables(pending, promote_options="permissive")
                    pending, rows = [], 0
                pending.append(pa.Table.from_batches([record_batch]))
                rows += record_batch.num_rows
        if pending:
            yield pa.concat_tables(pending, promote_options="permissive")


def _frame(table: pa.Table):
    """The batch as pandas, its dates and timestamps as nanosecond datetimes where every value fits (1678 to
    2262): GE compares those with bounds in one vectorised step, but a date of another unit one value at a
    time in Python, most of a wide table's per-row time. A batch holding a stray date such as 3021-05-01
    keeps that column in milliseconds (slower, same verdict)."""
    for index, column in enumerate(table.schema):
        if _fits_nanoseconds(table.column(index), column.type):
            table = table.set_column(index, column.name, pc.cast(table.column(index), pa.timestamp("ns")))
    return table.to_pandas(date_as_object=False)


_NANOSECOND_DATES = (date(1678, 1, 1), date(2262, 4, 11))  # within pandas' datetime64[ns] range


def _fits_nanoseconds(values: pa.ChunkedArray, arrow_type: pa.DataType) -> bool:
    if not (pa.types.is_date(arrow_type) or (pa.types.is_timestamp(arrow_type) and arrow_type.tz is None)):
        return False
    if values.null_count == len(values):
        return True
    low, high = (v.as_py() for v in pc.min_max(values).values())
    if isinstance(low, datetime):
        low, high = low.date(), high.date()
    return _NANOSECOND_DATES[0] <= low and high <= _NANOSECOND_DATES[1]


_VERDICT_ONLY = {"result_format": "BOOLEAN_ONLY"}
_COUNTS_AND_EXAMPLES = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": MAX_EXAMPLES,
    "unexpected_index_column_names": _INDEX_COLUMNS,
}


def _meta_key(result) -> str:
    return result.expectation_config.meta["check_id"]


def _columns_checked(checks: Iterable[Check], available: list[str]) -> list[str] | None:
    """The columns the checks read, plus the row index for examples; None (all) when a check looks at
    the whole table. Converting only these to pandas is most of the gate's time on wide tables."""
    wanted = set(_INDEX_COLUMNS)
    for check in checks:
        named = [check.kwargs[a] for a in _COLUMN_ARGUMENTS if a in check.kwargs]
        if not named:
            return None
        wanted.update(named, check.reads)
    return [name for name in available if name in wanted]


def _tally(tally: _Tally, result) -> None:
    info = result.exception_info or {}
    if info.get("raised_exception"):
        tally.errors.append(str(info.get("exception_message"))[:300])
        return
    values = result.result or {}
    if "unexpected_count" in values:
        tally.element_count += int(values.get("element_count") or 0)
        tally.missing_count += int(values.get("missing_count") or 0)
        tally.unexpected_count += int(values.get("unexpected_count") or 0)
        for example in values.get("partial_unexpected_index_list") or []:
            if len(tally.examples) < MAX_EXAMPLES:
                tally.examples.append({k: _plain(v) for k, v in example.items()})
    elif not result.success:
        tally.failed_table_check = True
        tally.observed = _plain(values.get("observed_value"))
        details = values.get("details")
        if details and len(tally.examples) < MAX_EXAMPLES:
            tally.examples.append({"details": _plain(details)})


def _rule_result(rule: Rule, tallied: list[tuple[Check, _Tally]]) -> RuleResult:
    failing = 0
    passed = True
    examples: list[dict] = []
    failing_columns: list[str] = []
    errors: list[str] = []
    for check, tally in tallied:
        nonmissing = tally.element_count - tally.missing_count
        allowed = (1.0 - rule.mostly) * nonmissing
        check_failed = tally.failed_table_check or bool(tally.errors) or tally.unexpected_count > allowed
        if tally.errors:
            errors += tally.errors
        if tally.unexpected_count or tally.failed_table_check:
            failing += tally.unexpected_count or 1
            failing_columns.append(check.column or check.expectation)
            for example in tally.examples:
                if len(examples) < MAX_EXAMPLES:
                    examples.append({"check": check.column or check.expectation, **example})
        passed = passed and not check_failed
    description = rule.description + (f" (tolerance: {1 - rule.mostly:.2%} of values)" if rule.mostly < 1 else "")
    if errors:
        description += f"; validation error: {errors[0]}"
    return RuleResult(
        rule.name,
        rule.severity,
        passed,
        description,
        column=", ".join(failing_columns[:5]) or None,
        observed=None if passed else f"failing in {len(failing_columns)} check(s)",
        failing_count=failing or None,
        examples=examples,
    )


def _plain(value):
    """JSON-friendly scalars for reports (numpy/pandas types, timestamps)."""
    if hasattr(value, "item") and not isinstance(value, (list, dict)):
        try:
            return value.item()
        except (ValueError, AttributeError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# ------------------------------------------------------------------------------------------------
# Set-wide rules (whole table at once, in DuckDB)
# ------------------------------------------------------------------------------------------------


def _run_table_rules(
    parquet: Path, rules: tuple[TableRule, ...], previous: dict[str, int], slice_columns, max_drop: float
) -> list[RuleResult]:
    if not rules:
        return []
    with _rules_database(os.getpid()).cursor() as con:
        con.execute(f"CREATE TEMP VIEW staged AS SELECT * FROM read_parquet('{_sql_string(parquet)}')")
        return [_run_table_rule(con, rule, previous, slice_columns, max_drop) for rule in rules]


@cache
def _rules_database(pid: int) -> duckdb.DuckDBPyConnection:
    """The process's in-memory DuckDB for set-wide rules (keyed by process id: a forked child opens its
    own). Opening a database costs ~40 ms, more than a small partition's rules take; each validation
    uses a cursor of its own, whose temporary view no other validation sees."""
    return in_memory_connection()


def _run_table_rule(
    con: duckdb.DuckDBPyConnection, rule: TableRule, previous: dict[str, int], slice_columns, max_drop: float
) -> RuleResult:
    if rule.kind == "not_empty":
        rows = con.execute("SELECT count(*) FROM staged").fetchone()[0]
        return RuleResult(
            rule.name, rule.severity, rows > 0, rule.description, observed=rows, failing_count=None if rows else 1
        )
    if rule.kind == "unique_key":
        return _unique_key(con, rule)
    if rule.kind == "row_count_drop":
        return _row_count_drop(con, rule, previous, slice_columns, max_drop)
    raise ValueError(f"unknown table rule kind {rule.kind}")


def _unique_key(con: duckdb.DuckDBPyConnection, rule: TableRule) -> RuleResult:
    key = ", ".join(f'"{c}"' for c in rule.columns)
    duplicated = con.execute(
        f"SELECT count(*), coalesce(sum(n), 0) FROM (SELECT {key}, count(*) AS n FROM staged GROUP BY ALL HAVING n > 1)"
    ).fetchone()
    examples = []
    if duplicated[0]:
        rows = con.execute(
            f"""SELECT {key}, source_file, source_row FROM staged
                WHERE ({key}) IN (SELECT {key} FROM staged GROUP BY ALL HAVING count(*) > 1)
                ORDER BY {key}, source_row LIMIT {MAX_EXAMPLES}"""
        ).fetchall()
        names = [*rule.columns, "source_file", "source_row"]
        examples = [dict(zip(names, (_plain(v) for v in row), strict=True)) for row in rows]
    return RuleResult(
        rule.name,
        rule.severity,
        duplicated[0] == 0,
        rule.description,
        column=", ".join(rule.columns),
        observed=f"{duplicated[0]} duplicated key value(s)" if duplicated[0] else None,
        failing_count=int(duplicated[1]) or None,
        examples=examples,
    )


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def _slice_label(slice_columns: tuple[str, ...]) -> str:
    """SQL naming a row's slice: its replace-key values joined by '|', or '*' for whole-table loads."""
    if not slice_columns:
        return "'*'"
    return " || '|' || ".join(f"coalesce(CAST(\"{c}\" AS VARCHAR), '')" for c in slice_columns)


def _count_slices(con: duckdb.DuckDBPyConnection, relation: str, slice_columns: tuple[str, ...]) -> dict[str, int]:
    return dict(con.execute(f"SELECT {_slice_label(slice_columns)}, count(*) FROM {relation} GROUP BY 1").fetchall())


def slice_counts(parquet: Path, slice_columns: tuple[str, ...]) -> dict[str, int]:
    """Row count per slice (distinct values of the table's replace key; one slice "*" if none)."""
    with in_memory_connection() as con:
        return _count_slices(con, f"read_parquet('{_sql_string(parquet)}')", slice_columns)


def _row_count_drop(con, rule: TableRule, previous: dict[str, int], slice_columns, max_drop: float) -> RuleResult:
    current = _count_slices(con, "staged", slice_columns)
    drops = []
    for slice_label, before in sorted(previous.items()):
        if slice_label not in current:
            continue  # a slice this load does not carry (e.g. another fiscal year)
        now = current[slice_label]
        if before and (before - now) / before > max_drop:
            drops.append(
                {"slice": slice_label, "previous_rows": before, "rows": now, "drop": f"{(before - now) / before:.0%}"}
            )
    if previous and not slice_columns and "*" in previous and "*" not in current:
        drops.append({"slice": "*", "previous_rows": previous["*"], "rows": 0, "drop": "100%"})
    if drops:
        observed = ", ".join(f"{d['slice']}: {d['previous_rows']:,} -> {d['rows']:,}" for d in drops[:3])
    elif previous:
        observed = f"{sum(current.values()):,} rows; previous accepted load {sum(previous.values()):,}"
    else:
        observed = f"{sum(current.values()):,} rows; first accepted load"
    return RuleResult(
        rule.name,
        rule.severity,
        not drops,
        f"{rule.description} (at most {max_drop:.0%} fewer rows than the last accepted load, per slice)",
        observed=observed,
        failing_count=len(drops) or None,
        examples=drops[:MAX_EXAMPLES],
    )
