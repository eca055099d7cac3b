"""A large prediction runs in batches of the left profile (model.prediction_batches), so DuckDB never holds
every blocked pair at once: the pairs and the employers must be those of one prediction over all profiles."""

from __future__ import annotations

from warehouse.linkage import link_records
from warehouse.linkage import model as model_module
from warehouse.linkage.evaluation_runs import read_real_records

RECORDS = 6_000  # real H-2A records: a few thousand profiles


def test_a_prediction_in_batches_equals_one_over_all_profiles(monkeypatch):
    records = read_real_records().slice(0, RECORDS)
    whole = link_records(records)
    assert model_module.prediction_batches(whole.summary["profiles"]) == [None]

    monkeypatch.setattr(model_module, "PROFILES_PER_BATCH", 700)
    batches = model_module.prediction_batches(whole.summary["profiles"])
    assert len(batches) > 3
    batched = link_records(records)

    assert batched.summary["matched_pairs"] == whole.summary["matched_pairs"] > 0
    assert _sorted(batched.known.pairs) == _sorted(whole.known.pairs)
    assert batched.links.equals(whole.links)


def _sorted(pairs) -> list[dict]:
    return sorted(pairs.to_pylist(), key=lambda pair: (pair["profile_key_l"], pair["profile_key_r"]))
