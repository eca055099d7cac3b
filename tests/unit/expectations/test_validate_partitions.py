"""A run's partitions are validated in one call (one verdict pass over all their rows), and each gets
exactly the results it would get validated alone: failures, counts, tolerances and examples stay its own."""

from __future__ import annotations

import pyarrow.parquet as pq

from expectations import suite_for
from expectations.validate import validate_parquet, validate_parquets
from sources.whd.contract import COMPLIANCE_ACTIONS
from warehouse.ingest.stage import write_parquet

SUITE = suite_for(COMPLIANCE_ACTIONS.table_name)
PREVIOUS = {"*": 10}  # a previous accepted load, so the row-count rule compares


def _partitions(parquet, folder, bounds):
    table = pq.read_table(parquet)
    return [write_parquet(table.slice(a, b - a), folder / f"part-{a}.parquet") for a, b in bounds]


def _alone(parquets, **options):
    return [validate_parquet(p, COMPLIANCE_ACTIONS, SUITE, previous_slice_counts=PREVIOUS, **options) for p in parquets]


def test_each_partition_gets_the_results_it_gets_alone(staged, tmp_path):
    parquet, rows = staged
    # Negative back wages at rows 5, 1500 and 3000, dates in 3021 at rows 10 and 2000 (the fixture); the
    # last partition has none of them, and one partition lacks a column of the contract.
    parts = _partitions(parquet, tmp_path, [(0, 1000), (1000, 2500), (3001, rows)])
    broken = write_parquet(pq.read_table(parts[2]).drop_columns(["cmp_assd_cnt"]), tmp_path / "broken.parquet")
    parquets = [*parts, broken]
    # Batches of 700 rows: some hold the end of one partition and the start of the next.
    together = validate_parquets(parquets, COMPLIANCE_ACTIONS, SUITE, previous_slice_counts=PREVIOUS, batch_rows=700)
    assert together == _alone(parquets)
    failed = [{r.rule for r in results if not r.passed} for results in together]
    assert "money_non_negative" in failed[0] and "money_non_negative" in failed[1]
    assert failed[2] == set()
    assert failed[3] == {"columns_and_types_match_contract"}
    wages = [next(r for r in results if r.rule == "money_non_negative") for results in together[:2]]
    assert [sorted(e["source_row"] for e in r.examples) for r in wages] == [[6], [1501]]


def test_partitions_that_all_pass_are_validated_once(staged, tmp_path, monkeypatch):
    """No check fails in any partition: no GE validation beyond the verdict pass over all of them."""
    from expectations import validate

    parquet, rows = staged
    parquets = _partitions(parquet, tmp_path, [(3001, 3200), (3200, 3400), (3400, rows)])
    batches = []
    original = validate._Batches.__iter__
    monkeypatch.setattr(validate._Batches, "__iter__", lambda self: (batches.append(b) or b for b in original(self)))
    together = validate_parquets(parquets, COMPLIANCE_ACTIONS, SUITE, previous_slice_counts=PREVIOUS)
    assert len(batches) == 1, "one GE batch for the three partitions"
    monkeypatch.undo()
    assert together == _alone(parquets)
    assert all(r.passed for results in together for r in results)
