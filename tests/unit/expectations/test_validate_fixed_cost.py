"""What makes a validation cheap must not change what it reports: the GE suite is set up once per table
and process, checks run for their verdict first and again with counts only when they failed, dates are
compared as nanoseconds where they fit."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from expectations import suite_for
from expectations.validate import _batch_definition, _frame, validate_parquet
from sources.whd import SOURCE
from sources.whd.contract import COMPLIANCE_ACTIONS
from sources.whd.parse import parse_file
from warehouse.ingest.stage import write_parquet

SUITE = COMPLIANCE_ACTIONS.table_name


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> pa.Table:
    from sources.common.sample_world import SampleConfig, World

    folder = tmp_path_factory.mktemp("whd")
    (path,) = SOURCE.write_sample(World(SampleConfig(scale=0.01, seed=3)), folder)
    return parse_file(path, file=path.name, sha256="0" * 64).table


def _with(table: pa.Table, column: str, rows, value) -> pa.Table:
    values = table.column(column).to_pylist()
    for row in rows:
        values[row] = value
    index = table.schema.get_field_index(column)
    return table.set_column(index, column, pa.array(values, table.schema.field(column).type))


def _results(parquet, batch_rows):
    return {r.rule: r for r in validate_parquet(parquet, COMPLIANCE_ACTIONS, suite_for(SUITE), batch_rows=batch_rows)}


def _gx_suite_names() -> set[str]:
    context, _ = _batch_definition()
    return {s.name for s in context.suites.all()}


def test_the_ge_suite_is_set_up_once_per_table_and_process(parsed, tmp_path, monkeypatch):
    clean = write_parquet(parsed, tmp_path / "clean.parquet")
    failing = write_parquet(_with(parsed, "bw_atp_amt", [7], -1.0), tmp_path / "failing.parquet")
    _results(clean, 1_000)
    suites = _gx_suite_names()
    context, _ = _batch_definition()
    added = []
    monkeypatch.setattr(context.suites, "add", lambda suite, add=context.suites.add: added.append(suite) or add(suite))

    for _ in range(3):
        _results(clean, 1_000)
    assert added == []  # the table's suite is reused
    money = _results(failing, 1_000)["money_non_negative"]
    # The failed check alone runs again, with counts and examples, in a suite removed afterwards.
    assert [len(s.expectations) for s in added] == [1]
    assert _gx_suite_names() == suites
    assert (money.passed, money.failing_count, money.examples[0]["source_row"]) == (False, 1, 8)


def test_a_tolerance_counts_the_values_of_every_batch_not_only_of_the_batches_that_failed(parsed, tmp_path):
    """Stray NAICS codes all in the first batch of 500: the 0.1 % tolerance is taken of the whole table's
    values, as one pass over the whole table would."""
    nonmissing = len(parsed) - parsed.column("naic_cd").null_count
    allowed = int(0.001 * nonmissing)
    rows = [r for r in range(500) if parsed.column("naic_cd")[r].is_valid][: allowed + 1]
    within = write_parquet(_with(parsed, "naic_cd", rows[:allowed], "x1"), tmp_path / "within.parquet")
    beyond = write_parquet(_with(parsed, "naic_cd", rows, "x1"), tmp_path / "beyond.parquet")
    clean = _results(write_parquet(parsed, tmp_path / "clean.parquet"), 500)["naics_format"]
    assert clean.passed and not clean.failing_count

    for parquet, bad, passes in ((within, allowed, True), (beyond, allowed + 1, False)):
        chunked, whole = _results(parquet, 500)["naics_format"], _results(parquet, len(parsed))["naics_format"]
        assert (chunked.passed, chunked.failing_count) == (whole.passed, whole.failing_count) == (passes, bad)
        assert sorted(e["source_row"] for e in chunked.examples) == [r + 1 for r in rows[:bad]][:10]


def test_a_check_two_rules_share_is_counted_for_each(parsed, tmp_path):
    """The date bounds of the tolerant error rule and of its strict warning twin are one GE check."""
    future = [3, 1200, 2400]
    parquet = write_parquet(_with(parsed, "findings_end_date", future, date(2090, 1, 1)), tmp_path / "dates.parquet")
    results = _results(parquet, 1_000)
    strict, tolerant = results["findings_dates_strictly_plausible"], results["findings_dates_plausible"]
    assert strict.failing_count == tolerant.failing_count == len(future)
    assert not strict.passed and tolerant.passed  # 3 of ~3,500 is within the error rule's 0.1 %
    assert sorted(e["source_row"] for e in strict.examples) == [r + 1 for r in future]


def test_dates_become_nanoseconds_only_where_every_value_fits(parsed):
    batch = parsed.select(["findings_start_date", "findings_end_date", "source_row"]).to_batches()[0]
    frame = _frame(batch)
    assert str(frame["findings_start_date"].dtype) == "datetime64[ns]"

    stray = _with(pa.Table.from_batches([batch]), "findings_end_date", [0], date(3021, 5, 1)).to_batches()[0]
    frame = _frame(stray)
    assert str(frame["findings_start_date"].dtype) == "datetime64[ns]"
    assert str(frame["findings_end_date"].dtype) != "datetime64[ns]"
    assert frame["findings_end_date"].iloc[0].year == 3021
    expected = pc.count(stray.column("findings_end_date")).as_py()
    assert frame["findings_end_date"].notna().sum() == expected


def test_stray_dates_beside_in_range_ones_get_the_verdict_of_a_one_pass_count(parsed, tmp_path):
    """A batch with a year-3021 date compares its dates in milliseconds, one without in nanoseconds; the
    counts add up the same (independently counted here)."""
    table = _with(parsed, "findings_end_date", [10], date(3021, 5, 1))
    table = _with(table, "findings_end_date", [2000], date(2091, 1, 1))
    parquet = write_parquet(table, tmp_path / "stray.parquet")
    end = pq.read_table(parquet).column("findings_end_date")
    future = pc.sum(pc.greater(end, pa.scalar(date.today(), pa.date32()))).as_py()
    for batch_rows in (500, len(parsed)):
        strict = _results(parquet, batch_rows)["findings_dates_strictly_plausible"]
        assert strict.failing_count == future == 2


def test_expectation_configurations_are_memoized_only_while_validating(parsed, tmp_path):
    import great_expectations as gx

    _results(write_parquet(parsed, tmp_path / "clean.parquet"), 1_000)  # sets GE up, memo included
    expectation = gx.expectations.ExpectColumnValuesToNotBeNull(column="a")
    assert expectation.configuration.kwargs["column"] == "a"
    expectation.column = "b"
    assert expectation.configuration.kwargs["column"] == "b"
