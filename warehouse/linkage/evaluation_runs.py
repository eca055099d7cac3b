"""Scoring runs of employer linkage (`warehouse linkage-eval`): on the sample's ground truth at a
scale, or on the real hand-judged H-2A pairs committed in tests/fixtures/real/linkage/.

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
from warehouse.linkage.evaluate import Scores, ground_truth, labelled_pair_scores, labelled_pairs, pairwise_scores
from warehouse.linkage.store import read_records
from warehouse.settings import WarehousePaths

REAL_LINKAGE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "real" / "linkage"
REAL_PAIRS = REAL_LINKAGE / "h2a_fy2012_fy2016_pairs.csv"
REAL_RECORDS = REAL_LINKAGE / "h2a_fy2012_fy2016_records.csv.gz"


@dataclass
class EvaluationReport:
    scores: Scores
    seconds: float
    details: list[str] = field(default_factory=list)


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
    """The int_employer_records of the real FY2012 and FY2016 H-2A workbooks (export_records.py)."""
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(strings_can_be_null=True))
    return table.cast(
        pa.schema([pa.field(n, pa.date32() if n == "record_date" else pa.string()) for n in table.column_names])
    )


def evaluate_real(pairs_path: Path = REAL_PAIRS, records_path: Path = REAL_RECORDS) -> EvaluationReport:
    """Scores over the real hand-judged pairs (both sides found among the records)."""
    records = read_real_records(records_path)
    result = link_records(records)
    pairs = labelled_pairs(pairs_path, records)
    scores, wrong = labelled_pair_scores(pairs, result.employer_of())
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(Counter(p.kind for p in pairs).items()))
    details = [
        f"real H-2A FY2012/FY2016: {len(pairs)} hand-judged pairs ({kinds}), "
        f"{result.summary['records']:,} records linked",
        *(
            f"  judged wrong: {p.pair_id} ({p.kind}, {'same' if p.same_employer else 'different'} employer)"
            for p in wrong
        ),
    ]
    return EvaluationReport(scores, result.summary["seconds"], details)
