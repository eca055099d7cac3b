"""Employer linkage alone, on a built home: seconds per step and the peak resident memory.

    .venv/bin/python benchmarks/linkage.py --home DIR [--json FILE] [--relink]

Reads the home's `intermediate.int_employer_records` (store.records_into), its previous ids and overrides,
and runs `link_records` as the build does (incremental against what the home's last run stored, unless
`--relink`; nothing is written back). Steps: profiles (features and
profiles), pairs (splink train and predict), cluster, ids, links. The step times come from the run's
`summary["step_seconds"]`; code that does not report them (an older checkout put first on PYTHONPATH, to
take a "before" figure) is timed by wrapping its step functions instead. Peak RSS is this process's,
sampled from /proc (benchmarks/measure.py): the memory linkage adds to a process that has read the previous
ids (the records are copied from the build database inside link_records, as in the build; code older than
that reads them into Arrow first).
`links_md5` digests the result, so a before and an after run can be compared.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.append(str(REPO))  # appended: a "before" checkout earlier on PYTHONPATH wins for `warehouse`

from benchmarks.measure import PeakRss, tree_rss_bytes  # noqa: E402

# Step functions of older link_records (called through the package's namespace), for code without step_seconds.
_WRAPPED_STEPS = {
    "_profiles": "profiles",
    "predict_pairs": "pairs",
    "cluster_profiles": "cluster",
    "assign_stable_ids": "ids",
    "record_probabilities": "probabilities",
}
_MB = 1024 * 1024
INCREMENTAL_COUNTS = (
    "profiles_new",
    "profiles_touched",
    "components_rechecked",
    "pairs_kept",
    "pairs_predicted",
)


def _wrap_steps(module, seconds: dict[str, float]) -> None:
    for name, step in _WRAPPED_STEPS.items():
        function = getattr(module, name, None)
        if function is None:
            continue

        @functools.wraps(function)
        def timed(*args, _function=function, _step=step, **kwargs):
            started = time.monotonic()
            try:
                return _function(*args, **kwargs)
            finally:
                seconds[_step] = seconds.get(_step, 0.0) + round(time.monotonic() - started, 2)

        setattr(module, name, timed)


def measure(home: Path, links_file: Path | None = None, *, relink: bool = False) -> dict:
    import warehouse.linkage as linkage
    from warehouse.linkage import store
    from warehouse.linkage.store import previous_ids, read_overrides, read_records
    from warehouse.settings import WarehousePaths

    db = WarehousePaths.at(home).build_db
    started = time.monotonic()
    # As the build hands them over: copied from the build database inside link_records (older code: Arrow).
    records = store.records_into(db) if hasattr(store, "records_into") else read_records(db)
    previous, next_number = previous_ids(db)
    overrides = read_overrides(db)
    # What the last run stored (code older than incremental linkage has none): incremental unless --relink.
    known = {"known": store.read_known(db), "relink": relink} if hasattr(store, "read_known") else {}
    read_seconds = round(time.monotonic() - started, 1)
    wrapped: dict[str, float] = {}
    if not hasattr(linkage, "Steps") and not hasattr(linkage, "_Steps"):  # code older than step_seconds
        _wrap_steps(linkage, wrapped)
    rss_before = tree_rss_bytes(os.getpid())
    started = time.monotonic()
    with PeakRss(os.getpid()) as peak:
        result = linkage.link_records(records, previous=previous, next_number=next_number, overrides=overrides, **known)
    ended, seconds = time.time(), time.monotonic() - started
    summary = result.summary
    steps = summary.get("step_seconds") or wrapped
    # After the pairs: clustering, ids, links (older code: whatever its timed steps before them leave over).
    after_pairs = (
        sum(v for k, v in steps.items() if k in ("cluster", "ids", "links"))
        if "links" in steps
        else (seconds - steps.get("profiles", 0) - steps.get("pairs", 0))
    )
    before = [rss for at, rss in peak.timeline if at < ended - after_pairs][-1:]  # the sample as they began
    window = before + [rss for at, rss in peak.timeline if at >= ended - after_pairs] or [0]
    if links_file:
        import pyarrow.parquet as pq

        pq.write_table(result.links, links_file)
    return {
        "home": str(home),
        "code": str(Path(linkage.__file__).parents[2]),
        "load": os.getloadavg(),
        "records": summary["records"],
        "profiles": summary["profiles"],
        "matched_pairs": summary["matched_pairs"],
        "mode": summary.get("mode", "full"),
        # what an incremental run scored again and why (incremental.py)
        **{key: summary[key] for key in INCREMENTAL_COUNTS if key in summary},
        "employers": summary["employers"],
        "previous_ids": next_number - 1,  # ids given so far (previous is a copier, not rows, since 3db5d65)
        "read_seconds": read_seconds,
        "link_seconds": round(seconds, 1),
        "step_seconds": steps,
        "pairs_step_seconds": summary.get("pairs_step_seconds"),  # training, prediction, kept for the next run
        "after_pairs_seconds": round(after_pairs, 1),
        "rss_before_mb": round(rss_before / _MB),
        "peak_rss_mb": round(peak.peak_bytes / _MB),
        # what the process held when the pairs were predicted (splink's memory not all returned), and how
        # much the steps after the pairs added on top of it
        "after_pairs_start_rss_mb": round(window[0] / _MB),
        "after_pairs_growth_mb": round((max(window) - window[0]) / _MB),
        "ids_merged": len(result.merged_into),
        "next_number": result.next_number,
        "links_md5": _digest(result.links),
    }


def _digest(links) -> str:
    """One digest of every link (record, employer id, probability): equal digests, equal results."""
    import duckdb

    with duckdb.connect() as con:
        con.register("links", links)
        ((digest,),) = con.execute(
            """SELECT md5(string_agg(concat_ws('|', source, record_id, employer_id, match_probability), chr(10)
                   ORDER BY source, record_id)) FROM links"""
        ).fetchall()
    return digest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True, help="a built WAREHOUSE_HOME")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--links", type=Path, help="write the links (Parquet) here, to compare two runs")
    parser.add_argument("--relink", action="store_true", help="train and predict every pair, as after a model change")
    args = parser.parse_args()
    figures = measure(args.home, args.links, relink=args.relink)
    for key, value in figures.items():
        print(f"{key:>14}: {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
