"""How good employer linkage is: pairwise precision and recall against a truth.

Two truths:
- the sample's `ground_truth_employers.csv` (which written record is which employer of the sample
  world): every pair of records is judged, counted from the contingency of (predicted employer,
  true employer) so that millions of pairs cost nothing;
- real hand-judged pairs of H-2A and of H-2B filings (tests/fixtures/real/linkage/): only those pairs
  are judged.

Ground-truth rows name H-2A records by published row (`<case>#<row>`, Addendum B `<case>#<worksite>`)
with the name as written; int_employer_records keys them by filing and name, so rows are matched
to records by case number and name (text_key), as int_employer_records itself keys them.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sources.common.text import text_key


@dataclass(frozen=True)
class Scores:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        predicted = self.true_positives + self.false_positives
        return self.true_positives / predicted if predicted else 1.0

    @property
    def recall(self) -> float:
        actual = self.true_positives + self.false_negatives
        return self.true_positives / actual if actual else 1.0

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0

    def __add__(self, other: Scores) -> Scores:
        """The scores over both sets of judged pairs together."""
        return Scores(
            self.true_positives + other.true_positives,
            self.false_positives + other.false_positives,
            self.false_negatives + other.false_negatives,
        )

    def line(self, seconds: float) -> str:
        return f"precision={self.precision:.4f} recall={self.recall:.4f} f1={self.f1:.4f} seconds={seconds:.1f}"


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(predicted: dict[str, str], truth: dict[str, str]) -> Scores:
    """Pairs of records (present in both) put together by the prediction and by the truth."""
    keys = [k for k in truth if k in predicted]
    both = Counter((predicted[k], truth[k]) for k in keys)
    together = sum(_pairs(n) for n in both.values())
    predicted_pairs = sum(_pairs(n) for n in Counter(predicted[k] for k in keys).values())
    true_pairs = sum(_pairs(n) for n in Counter(truth[k] for k in keys).values())
    return Scores(together, predicted_pairs - together, true_pairs - together)


class RecordIndex:
    """Finds the int_employer_records key of a published row (case number + name as written)."""

    def __init__(self, records: pa.Table):
        self.by_filing: dict[tuple[str, str], str] = {}
        self.plain: set[str] = set()
        self.h2b_names: dict[str, str | None] = {}
        rows = records.select(["source", "record_id", "filing_record_id", "role", "employer_name"]).to_pylist()
        masters = {
            r["record_id"]: text_key(r["employer_name"])
            for r in rows
            if r["source"] == "h2a" and r["role"] == "employer"
        }
        for r in rows:
            key = f"{r['source']}:{r['record_id']}"
            self.plain.add(key)
            if r["source"] == "h2a":
                self.by_filing[(r["filing_record_id"], text_key(r["employer_name"]))] = key
            elif r["source"] == "h2b":
                self.h2b_names[r["record_id"]] = text_key(r["employer_name"])
        for case, name in masters.items():
            self.by_filing[(case, name)] = f"h2a:{case}"

    def h2a(self, case_number: str, name: str) -> str | None:
        return self.by_filing.get((case_number.strip().upper(), text_key(name)))

    def h2b(self, case_number: str, name: str) -> str | None:
        """An H-2B record is its case (one filing employer): found when the name agrees too."""
        case = case_number.strip().upper()
        found = case in self.h2b_names and self.h2b_names[case] == text_key(name)
        return f"h2b:{case}" if found else None

    def find(self, source: str, case_number: str, name: str) -> str | None:
        return {"h2a": self.h2a, "h2b": self.h2b}[source](case_number, name)


_TRUTH_SOURCES = {"whd": "whd", "mspa": "mspa", "debarment": "debarment", "expired_debarment": "expired_debarment"}


def ground_truth(path: Path, records: pa.Table) -> dict[str, str]:
    """record key -> true employer, from the sample's ground-truth file."""
    index = RecordIndex(records)
    truth: dict[str, str] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            dataset, record_id = row["dataset"], row["record_id"]
            if dataset in ("h2a", "h2a_addendum_b"):
                key = index.h2a(record_id.split("#")[0], row["name_as_written"])
            else:
                key = f"{_TRUTH_SOURCES.get(dataset, dataset)}:{record_id}"
            if key in index.plain:
                truth[key] = row["entity_id"]
    return truth


# Pairs files with a `split` column mark each pair `tuning` (looked at while changing the model) or
# `held_out` (never looked at: the honest score); files without one were all used for tuning.
TUNING, HELD_OUT = "tuning", "held_out"


@dataclass(frozen=True)
class LabelledPair:
    pair_id: str
    kind: str
    same_employer: bool
    left: str | None
    right: str | None
    split: str = TUNING


def labelled_pairs(path: Path, records: pa.Table, source: str = "h2a") -> list[LabelledPair]:
    """Hand-judged pairs of H-2A (or H-2B) filings, each side found by case number and name as published."""
    index = RecordIndex(records)
    with open(path, encoding="utf-8", newline="") as handle:
        return [
            LabelledPair(
                row["pair_id"],
                row["kind"],
                row["same_employer"] == "yes",
                index.find(source, row["left_case_number"], row["left_employer_name"]),
                index.find(source, row["right_case_number"], row["right_employer_name"]),
                _split(row, path),
            )
            for row in csv.DictReader(handle)
        ]


def _split(row: dict[str, str], path: Path) -> str:
    split = row.get("split") or TUNING
    if split not in (TUNING, HELD_OUT):
        raise ValueError(f"{path}: pair {row['pair_id']}: split must be {TUNING} or {HELD_OUT}, not {split!r}")
    return split


def labelled_pair_scores(pairs: list[LabelledPair], predicted: dict[str, str]) -> tuple[Scores, list[LabelledPair]]:
    """Scores over the judged pairs whose records are both found; also the pairs judged wrong."""
    counts: dict[str, int] = defaultdict(int)
    wrong = []
    for pair in pairs:
        if pair.left not in predicted or pair.right not in predicted:
            continue
        together = predicted[pair.left] == predicted[pair.right]
        outcome = {(True, True): "tp", (False, True): "fp", (True, False): "fn"}.get((pair.same_employer, together))
        if outcome:
            counts[outcome] += 1
        if together != pair.same_employer:
            wrong.append(pair)
    return Scores(counts["tp"], counts["fp"], counts["fn"]), wrong
