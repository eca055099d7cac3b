"""Great Expectations runs on bounded batches, but verdicts, counts and tolerances are computed on
the whole table: chunking never changes the outcome."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from expectations import suite_for
from expectations.validate import validate_parquet
from sources.whd.contract import COMPLIANCE_ACTIONS
from warehouse.ingest.stage import write_parquet


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
