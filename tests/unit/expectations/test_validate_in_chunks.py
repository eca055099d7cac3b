"""Great Expectations runs on bounded batches, but verdicts, counts and tolerances are computed on
the whole table: chunking never changes the outcome."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from expectations import suite_for
from expectations.validate import validate_parquet
from sources.whd import SOURCE
from sources.whd.contract import COMPLIANCE_ACTIONS
from sources.whd.parse import parse_file
from warehouse.ingest.stage import write_parquet


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    from sources.common.sample_world import SampleConfig, World

    folder = tmp_path_factory.mktemp("whd")
    (path,) = SOURCE.write_sample(World(SampleConfig(scale=0.01, seed=2)), folder)
    table = parse_file(path, file=path.name, sha256="0" * 64).table
    rows = table.num_rows
    # Two stray future dates (within the 0.1% tolerance) and three negative back wages.
    end = table.column("findings_end_date").to_pylist()
    end[10], end[2000] = date(3021, 5, 1), date(3021, 5, 1)
    wages = table.column("bw_atp_amt").to_pylist()
    for row in (5, 1500, 3000):
        wages[row] = -10.0
    table = table.set_column(
        table.schema.get_field_index("findings_end_date"), "findings_end_date", pa.array(end, pa.date32())
    )
    table = table.set_column(table.schema.get_field_index("bw_atp_amt"), "bw_atp_amt", pa.array(wages, pa.float64()))
    return write_parquet(table, folder / "staged.parquet"), rows


def _by_rule(results):
    return {r.rule: r for r in results}


def test_small_batches_give_the_same_verdicts_as_one_batch(staged):
    parquet, rows = staged
    suite = suite_for(COMPLIANCE_ACTIONS.table_name)
    whole = _by_rule(validate_parquet(parquet, COMPLIANCE_ACTIONS, suite, batch_rows=rows + 1))
    chunked = _by_rule(validate_parquet(parquet, COMPLIANCE_ACTIONS, suite, batch_rows=500))

    assert {k: (r.passed, r.failing_count) for k, r in whole.items()} == {
        k: (r.passed, r.failing_count) for k, r in chunked.items()
    }
    assert not chunked["money_non_negative"].passed and chunked["money_non_negative"].failing_count == 3
    assert sorted(e["source_row"] for e in chunked["money_non_negative"].examples) == [6, 1501, 3001]
    # 2 of ~3,500 dates: within the error rule's tolerance (summed over batches, not per batch of 500)...
    assert chunked["findings_dates_plausible"].passed
    # ...but reported by its strict warning twin.
    assert not chunked["findings_dates_strictly_plausible"].passed
    assert chunked["findings_dates_strictly_plausible"].failing_count == 2


def test_a_table_that_does_not_match_its_contract_stops_before_value_rules(staged, tmp_path):
    parquet, _ = staged
    table = pq.read_table(parquet).drop_columns(["cmp_assd_cnt"])
    table = table.set_column(0, "case_id", pc.cast(table.column("case_id"), pa.string()))
    broken = write_parquet(table, tmp_path / "broken.parquet")
    (result,) = validate_parquet(broken, COMPLIANCE_ACTIONS, suite_for(COMPLIANCE_ACTIONS.table_name))
    assert result.rule == "columns_and_types_match_contract" and not result.passed
    problems = {e["column"]: e["problem"] for e in result.examples}
    assert problems["cmp_assd_cnt"] == "missing" and problems["case_id"].startswith("type string")
