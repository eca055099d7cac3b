"""The same sample built on both engines (issue 19): `warehouse build --engine duckdb` and
`--engine spark` on the same sample files, each in a fresh WAREHOUSE_HOME, through the real CLI.

    .venv/bin/python -m benchmarks.engines --scale 0.05

Wall time and peak RSS of the whole process tree (the Spark JVMs included: benchmarks/measure.py) and
the per-stage times from the run's Dagster event log. The stages before dbt (acquire, parse, gate and
load) are the same Python and DuckDB code on both engines; dbt, linkage and publish are what differ.
Writes benchmarks/results/<date>-engines-scale<N>.json; docs/scale-out.md reads the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
from pathlib import Path

from benchmarks.build import prepare_home, run_build, stage_seconds, step_stats
from benchmarks.run import DEFAULT_SEED, DEFAULT_WORK, RESULTS, sample_folder

ENGINES = ("duckdb", "spark")


def build_on(engine: str, home: Path, sample: Path) -> dict:
    shutil.rmtree(home, ignore_errors=True)
    prepare_home(home)
    measured = run_build(home, "--source", str(sample), "--engine", engine)
    stages = stage_seconds(step_stats(home))
    stages["startup_and_other"] = max(measured.seconds - sum(stages.values()), 0.0)
    return {"seconds": round(measured.seconds, 1), "peak_rss_mb": round(measured.peak_rss_mb), "stages": stages}


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK)
    args = parser.parse_args(argv)
    sample, _ = sample_folder(args.work, args.scale, args.seed)
    result = {
        "scale": args.scale,
        "seed": args.seed,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "engines": {},
    }
    for engine in ENGINES:
        result["engines"][engine] = build_on(engine, args.work / f"engines-{engine}-scale-{args.scale:g}", sample)
        print(engine, json.dumps(result["engines"][engine]), flush=True)
    result["machine"]["load_average_after"] = os.getloadavg()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"{dt.date.today().isoformat()}-engines-scale{args.scale:g}.json"
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(out)
    return out


if __name__ == "__main__":
    main()
