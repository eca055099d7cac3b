"""Scoring runs of employer linkage (`warehouse linkage-eval`): on the sample's ground truth at a
scale, or on the real hand-judged H-2A and H-2B pairs committed in tests/fixtures/real/linkage/.

Each run links the records afresh (no earlier ids) and times only the linkage itself.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from sources.common.sample_world import GROUND_TRUTH_FILE
from warehouse.ingest.acquire import sample_writers_version
from warehouse.linkage import link_records
from warehouse.linkage.evaluate import (
    HELD_OUT,
    Scores,
    ground_truth,
    labelled_pair_scores,
    labelled_pairs,
    pairwise_scores,
)
from warehouse.linkage.store import read_records
from warehouse.settings import WarehousePaths

REAL_LINKAGE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "real" / "linkage"
REAL_PAIRS = REAL_LINKAGE / "h2a_fy2012_fy2016_pairs.csv"
REAL_RECORDS = REAL_LINKAGE / "h2a_fy2012_fy2016_records.csv.gz"
REAL_H2B_PAIRS = REAL_LINKAGE / "h2b_fy2012_fy2013_pairs.csv"
REAL_H2B_RECORDS = REAL_LINKAGE / "h2b_fy2012_fy2013_records.csv.gz"
# Pairs of other fiscal years, half of them held out of tuning (the `split` column; PROVENANCE.md).
REAL_H2A_0612_PAIRS = REAL_LINKAGE / "h2a_fy2006_fy2012_pairs.csv"
REAL_H2A_0612_RECORDS = REAL_LINKAGE / "h2a_fy2006_fy2012_records.csv.gz"
REAL_H2B_1014_PAIRS = REAL_LINKAGE / "h2b_fy2010_fy2014_pairs.csv"
REAL_H2B_1014_RECORDS = REAL_LINKAGE / "h2b_fy2010_fy2014_records.csv.gz"


@dataclass(frozen=True)
class RealPairSet:
    """One file of hand-judged pairs and the records (export_records.py) its sides are found in."""

    name: str
    source: str
    pairs: Path
    records: Path


REAL_PAIR_SETS = (
    RealPairSet("H-2A FY2012/FY2016", "h2a", REAL_PAIRS, REAL_RECORDS),
    RealPairSet("H-2B FY2012/FY2013", "h2b", REAL_H2B_PAIRS, REAL_H2B_RECORDS),
    RealPairSet("H-2A FY2006/FY2012", "h2a", REAL_H2A_0612_PAIRS, REAL_H2A_0612_RECORDS),
    RealPairSet("H-2B FY2010/FY2014", "h2b", REAL_H2B_1014_PAIRS, REAL_H2B_1014_RECORDS),
)


@dataclass
class EvaluationReport:
    scores: Scores
    seconds: float
    details: list[str] = field(default_factory=list)
    by_set: dict[str, Scores] = field(default_factory=dict)  # real runs: the scores of each set of pairs
    held_out: Scores | None = None  # real runs: the scores over the pairs held out of tuning only


def eval_home(paths: WarehousePaths, scale: float) -> Path:
    return paths.home / "eval" / f"scale-{scale:g}"


def evaluate_sample(paths: WarehousePaths, scale: float, *, build: Callable[[Path], None]) -> EvaluationReport:
    """Pairwise scores against the sample's ground truth; `build` makes the sample warehouse if missing."""
    home = eval_home(paths, scale)
    built = WarehousePaths.at(home)
    current_sample = f"*-{sample_writers_version()}/{GROUND_TRUTH_FILE}"
    if not built.build_db.exists() or not list(built.samples.glob(current_sample)):
        build(home)  # none yet, or built from a sample the writers have since changed
    records = read_records(built.build_db)
    result = link_records(records)
    (truth_file,) = built.samples.glob(current_sample)
    truth = ground_truth(truth_file, records)
    scores = pairwise_scores(result.employer_of(), truth)
    details = [
        f"sample scale {scale:g}: {result.summary['records']:,} records ({len(truth):,} in the ground truth), "
        f"{result.summary['profiles']:,} profiles, {result.summary['employers']:,} employers",
        f"pairs: {scores.true_positives:,} found, {scores.false_positives:,} wrong, {scores.false_negatives:,} missed",
    ]
    return EvaluationReport(scores, result.summary["seconds"], details)


def read_real_records(path: Path = REAL_RECORDS) -> pa.Table:
    """The int_employer_records of real OFLC files (export_records.py); H-2A FY2012 and FY2016 by default."""
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    return table.cast(
        pa.schema([pa.field(n, pa.date32() if n == "record_date" else pa.string()) for n in table.column_names])
    )


def evaluate_real_set(pair_set: RealPairSet) -> EvaluationReport:
    """Scores over one set of real hand-judged pairs (both sides found among its records)."""
    records = read_real_records(pair_set.records)
    result = link_records(records)
    pairs = labelled_pairs(pair_set.pairs, records, pair_set.source)
    employer_of = result.employer_of()
    scores, wrong = labelled_pair_scores(pairs, employer_of)
    held_out = [p for p in pairs if p.split == HELD_OUT]
    held_out_scores = labelled_pair_scores(held_out, employer_of)[0] if held_out else None
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(Counter(p.kind for p in pairs).items()))
    seconds = result.summary["seconds"]
    details = [
        f"real {pair_set.name}: {len(pairs)} hand-judged pairs ({kinds}), {result.summary['records']:,} records linked",
        *(
            f"  judged wrong: {p.pair_id} ({p.kind}, {'same' if p.same_employer else 'different'} employer, {p.split})"
            for p in wrong
        ),
        f"  {pair_set.name}: {scores.line(seconds)}",
        *([f"  {pair_set.name} held out ({len(held_out)} pairs): {held_out_scores.line(seconds)}"] if held_out else []),
    ]
    return EvaluationReport(scores, seconds, details, held_out=held_out_scores)


def evaluate_real(pair_sets: tuple[RealPairSet, ...] = REAL_PAIR_SETS) -> EvaluationReport:
    """Scores over every set of real hand-judged pairs, each set linked on its own: the combined scores,
    with each set's scores among the details and in `by_set`."""
    reports = [evaluate_real_set(pair_set) for pair_set in pair_sets]
    held_out = [r.held_out for r in reports if r.held_out is not None]
    held_out_total = sum(held_out[1:], held_out[0]) if held_out else None
    seconds = sum(r.seconds for r in reports)
    details = [line for r in reports for line in r.details]
    if held_out_total is not None:
        details.append(f"held out of tuning, all sets: {held_out_total.line(seconds)}")
    return EvaluationReport(
        sum((r.scores for r in reports[1:]), reports[0].scores),
        seconds,
        details,
        {pair_set.name: r.scores for pair_set, r in zip(pair_sets, reports, strict=True)},
        held_out_total,
    )
