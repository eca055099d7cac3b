"""Issue #15: employer linkage reaches precision >= 0.95 and recall >= 0.90 on real, hand-judged pairs
of H-2A filings (FY2012 and FY2016 workbooks; tests/fixtures/real/linkage/PROVENANCE.md). Issue #26: H-2B
employers are scored too, on hand-judged pairs of the FY2012 and FY2013 H-2B files. Issue #27: pairs of
two more year pairs (H-2A FY2006/FY2012, H-2B FY2010/FY2014), half of them held out of tuning."""

from __future__ import annotations

import csv
import gzip

import pytest

from warehouse.linkage.evaluation_runs import REAL_H2B_PAIRS, REAL_H2B_RECORDS, REAL_PAIR_SETS, evaluate_real

H2A, H2B = "H-2A FY2012/FY2016", "H-2B FY2012/FY2013"
SPLIT_SETS = [s for s in REAL_PAIR_SETS if s.name not in (H2A, H2B)]


@pytest.fixture(scope="module")
def report():
    return evaluate_real()


def test_real_hand_judged_pairs(report):
    h2a = report.by_set[H2A]
    assert h2a.true_positives + h2a.false_negatives >= 60, "the same-employer pairs were found"
    assert h2a.precision >= 0.95, report.details
    assert h2a.recall >= 0.90, report.details


def _h2b_pairs() -> list[dict[str, str]]:
    with open(REAL_H2B_PAIRS, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_h2b_pairs_are_judged_on_published_records():
    """At least 60 judged pairs, each with evidence; every side is one exported H-2B record (its case
    number) carrying the pair's name, street, city and state exactly as the pairs file copies them."""
    pairs = _h2b_pairs()
    assert len(pairs) >= 60
    assert all(p["evidence"].strip() and p["same_employer"] in ("yes", "no") for p in pairs)
    with gzip.open(REAL_H2B_RECORDS, "rt", encoding="utf-8", newline="") as handle:
        records = {(r["source"], r["record_id"]): r for r in csv.DictReader(handle)}
    for pair in pairs:
        for side in ("left", "right"):
            record = records.get(("h2b", pair[f"{side}_case_number"]))
            assert record, (pair["pair_id"], side)
            published = (pair[f"{side}_{c}"] for c in ("employer_name", "address", "city", "state"))
            stored = (record[c] for c in ("employer_name", "street_address", "city", "state_code"))
            assert tuple(published) == tuple(stored), (pair["pair_id"], side)


def test_linkage_finds_both_sides_of_every_h2b_pair():
    from warehouse.linkage.evaluate import labelled_pairs
    from warehouse.linkage.evaluation_runs import read_real_records

    pairs = labelled_pairs(REAL_H2B_PAIRS, read_real_records(REAL_H2B_RECORDS), "h2b")
    assert len(pairs) == len(_h2b_pairs())
    assert [p.pair_id for p in pairs if not (p.left and p.right)] == []


def test_h2b_hand_judged_pairs(report):
    """Measured on the 95 pairs: precision 0.9667 (58 of 60 linked pairs right), recall 0.9062 (58 of 64).
    The floors leave room for one more wrong link and two more missed pairs, so that a small change of the
    model is not a failure, while a real loss of quality on H-2B employers is."""
    pairs = _h2b_pairs()
    same = sum(p["same_employer"] == "yes" for p in pairs)
    h2b = report.by_set[H2B]
    assert h2b.true_positives + h2b.false_negatives == same, "every same-employer pair is scored"
    assert h2b.precision >= 0.93, report.details
    assert h2b.recall >= 0.87, report.details


def test_combined_scores_add_every_set(report):
    assert set(report.by_set) == {s.name for s in REAL_PAIR_SETS}
    for count in ("true_positives", "false_positives", "false_negatives"):
        assert getattr(report.scores, count) == sum(getattr(s, count) for s in report.by_set.values())


def _pairs_of(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("pair_set", SPLIT_SETS, ids=lambda s: s.name)
def test_new_pairs_are_judged_split_and_found(pair_set):
    """Each set of issue #27: at least 60 judged pairs with evidence, look-alike or hard negatives among
    them, each marked tuning or held_out with both parts holding same- and different-employer pairs, and
    both sides of every pair one exported record with the pair's name and street as published."""
    from warehouse.linkage.evaluate import labelled_pairs
    from warehouse.linkage.evaluation_runs import read_real_records

    rows = _pairs_of(pair_set.pairs)
    assert len(rows) >= 60
    assert all(r["evidence"].strip() and r["same_employer"] in ("yes", "no") for r in rows)
    for split in ("tuning", "held_out"):
        assert {r["same_employer"] for r in rows if r["split"] == split} == {"yes", "no"}, split
    records = read_real_records(pair_set.records)
    pairs = labelled_pairs(pair_set.pairs, records, pair_set.source)
    assert [p.pair_id for p in pairs if not (p.left and p.right)] == []
    stored = {f"{r['source']}:{r['record_id']}": r for r in records.to_pylist()}
    for row, pair in zip(rows, pairs, strict=True):
        for side, key in (("left", pair.left), ("right", pair.right)):
            record = stored[key]
            published = (row[f"{side}_employer_name"], row[f"{side}_address"], row[f"{side}_city"])
            assert published == (record["employer_name"], record["street_address"], record["city"]), (
                row["pair_id"],
                side,
            )


def test_held_out_pairs_are_scored_on_their_own(report):
    """The held-out pairs of every set together: counted apart from the tuning pairs, and printed."""
    held_out_same = sum(
        r["same_employer"] == "yes" and r["split"] == "held_out" for s in SPLIT_SETS for r in _pairs_of(s.pairs)
    )
    assert report.held_out.true_positives + report.held_out.false_negatives == held_out_same
    assert any(line.startswith("held out of tuning, all sets: precision=") for line in report.details)


def test_held_out_pairs_meet_the_target_of_issue_27(report):
    """Precision >= 0.97 and recall >= 0.92 on the pairs never used for tuning (measured 0.982 and 0.982 with the
    comparison "name within its state"; 0.980 and 0.891 before it)."""
    assert report.held_out.precision >= 0.97, report.details
    assert report.held_out.recall >= 0.92, report.details


# Tuning pairs: one employer that moved within its state, with another agent after the move (or none named).
MOVES_WITHIN_A_STATE = ("h2b10v14-008", "h2b10v14-012", "h2b10v14-014", "h2a06v12-028")


def test_a_distinctive_or_one_state_name_at_a_new_town_of_its_state_is_found(report):
    """Pure Soccer NJ, Country Acres Landscaping NJ, Gulf Island Shrimp and Seafood LA, Pedro M. Indacochea CA."""
    judged_wrong = " ".join(line for line in report.details if "judged wrong" in line)
    assert [pair for pair in MOVES_WITHIN_A_STATE if pair in judged_wrong] == []


def test_linkage_eval_prints_the_scores_on_its_last_line(tmp_path):
    import re

    from typer.testing import CliRunner

    from warehouse_cli import app

    result = CliRunner().invoke(app, ["linkage-eval", "--real", "--home", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"precision=([0-9.]+) recall=([0-9.]+) f1=([0-9.]+) seconds=([0-9.]+)", last)
    assert match, last
    assert float(match.group(1)) >= 0.93 and float(match.group(2)) >= 0.87
    for pair_set in REAL_PAIR_SETS:
        name = re.escape(pair_set.name)
        assert re.search(rf"^  {name}: precision=[0-9.]+ recall=[0-9.]+ ", result.output, re.M), name
    for pair_set in SPLIT_SETS:
        name = re.escape(pair_set.name)
        assert re.search(rf"^  {name} held out \([0-9]+ pairs\): precision=", result.output, re.M), name


def test_analysts_overrides_correct_the_model_on_real_pairs():
    """An analyst keeps apart the two Knox Farms (ID, TN) the model joins, and joins the two Lazy H Livestock
    filings (ID, WA) it keeps apart: both decisions hold, whatever the model says."""
    from warehouse.linkage import Override, link_records
    from warehouse.linkage.evaluate import labelled_pairs
    from warehouse.linkage.evaluation_runs import REAL_PAIRS, read_real_records

    records = read_real_records()
    pairs = {p.pair_id: p for p in labelled_pairs(REAL_PAIRS, records)}
    knox, lazy_h = pairs["h2a12v16-090"], pairs["h2a12v16-041"]
    before = link_records(records).employer_of()
    assert before[knox.left] == before[knox.right] and before[lazy_h.left] != before[lazy_h.right]
    overrides = [
        Override("cannot_link", knox.left, knox.right, "different farms: Bancroft ID and Ashland City TN"),
        Override("must_link", lazy_h.left, lazy_h.right, "Ray E. Holes files as Lazy H Livestock in both states"),
    ]
    after = link_records(records, overrides=overrides).employer_of()
    assert after[knox.left] != after[knox.right] and after[lazy_h.left] == after[lazy_h.right]
