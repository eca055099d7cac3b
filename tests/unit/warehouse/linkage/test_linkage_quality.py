"""Issue #15: employer linkage reaches precision >= 0.95 and recall >= 0.90 on real, hand-judged pairs
of H-2A filings (FY2012 and FY2016 workbooks; tests/fixtures/real/linkage/PROVENANCE.md)."""

from __future__ import annotations

from warehouse.linkage.evaluation_runs import evaluate_real


def test_real_hand_judged_pairs():
    report = evaluate_real()
    assert report.scores.true_positives + report.scores.false_negatives >= 60, "the same-employer pairs were found"
    assert report.scores.precision >= 0.95, report.details
    assert report.scores.recall >= 0.90, report.details


def test_linkage_eval_prints_the_scores_on_its_last_line(tmp_path):
    import re

    from typer.testing import CliRunner

    from warehouse_cli import app

    result = CliRunner().invoke(app, ["linkage-eval", "--real", "--home", str(tmp_path)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    last = result.output.strip().splitlines()[-1]
    match = re.fullmatch(r"precision=([0-9.]+) recall=([0-9.]+) f1=([0-9.]+) seconds=([0-9.]+)", last)
    assert match, last
    assert float(match.group(1)) >= 0.95 and float(match.group(2)) >= 0.90


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
