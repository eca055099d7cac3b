"""Build speed and memory at a given scale, against the plain-DuckDB floor and a naive pandas pipeline.

    .venv/bin/python benchmarks/run.py --scale 1 [--seed N] [--work DIR]

Generates the sample once per scale and seed (cached under --work), then in one run: our full build
through the CLI in a fresh WAREHOUSE_HOME (per-stage times, peak RSS of the process tree), the floor,
the naive pandas pipeline, the gate's share of ingest per source, a no-change rebuild, the realistic
weekly update (benchmarks/week.py: WHD republished, an H-2A quarter) as its own figure, and analyst
queries on the published copy. Writes benchmarks/results/<date>-scale<N>.json and prints the table
with the targets. What each figure includes: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
from dataclasses import asdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script: `benchmarks` and the project import from the repository

from benchmarks.build import (  # noqa: E402
    WAREHOUSE_CLI,
    cli_env,
    gate_shares,
    linkage_figures,
    prepare_home,
    run_build,
    stage_peak_rss_mb,
    stage_seconds,
    step_metadata,
    step_stats,
)
from benchmarks.measure import Measured, run_measured  # noqa: E402
from benchmarks.queries import query_latencies  # noqa: E402
from benchmarks.week import write_week  # noqa: E402

RESULTS = REPO / "benchmarks" / "results"
DEFAULT_WORK = Path(os.environ.get("BENCH_WORK", "/tmp/warehouse-bench"))
DEFAULT_SEED = 20261125
GENERATION_FILE = "generation.json"
ANALYST_QUERY = "select naics_sector, sum(whd_cases) from marts.mart_industry_year group by 1 order by 2 desc"


def sample_folder(work: Path, scale: float, seed: int) -> tuple[Path, dict]:
    """The sample for (scale, seed, sample writers' code), generated once; and how its generation went."""
    from warehouse.ingest.acquire import sample_writers_version

    folder = work / "samples" / f"scale-{scale:g}-seed-{seed}-{sample_writers_version()}"
    if (folder / GENERATION_FILE).exists():
        return folder, {**json.loads((folder / GENERATION_FILE).read_text(encoding="utf-8")), "cached": True}
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    measured = _checked(
        run_measured([WAREHOUSE_CLI, "sample", "--out", str(partial), "--scale", f"{scale:g}", "--seed", str(seed)]),
        "warehouse sample",
    )
    generation = {"seconds": measured.seconds, "peak_rss_mb": measured.peak_rss_mb, "generated_at": _now()}
    (partial / GENERATION_FILE).write_text(json.dumps(generation), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder, {**generation, "cached": False}


def _checked(measured: Measured, what: str) -> Measured:
    if measured.returncode != 0:
        raise RuntimeError(f"{what} exited {measured.returncode}:\n{measured.stderr[-3000:]}")
    return measured


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _python_module(module: str, *args: str) -> tuple[dict, Measured]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    measured = _checked(run_measured([sys.executable, "-m", module, *args], env=env), module)
    return json.loads(measured.stdout.strip().splitlines()[-1]), measured


def full_build(home: Path, sample: Path) -> dict:
    prepare_home(home)
    figures, _ = build_figures(home, run_build(home, "--source", str(sample)))
    return figures


def build_figures(home: Path, measured: Measured) -> tuple[dict, list]:
    """A build's wall time, peak RSS, stages and gates (from its Dagster steps), and those steps."""
    stats = step_stats(home)
    stages = stage_seconds(stats)
    stages["startup_and_other"] = max(measured.seconds - sum(stages.values()), 0.0)
    figures = {
        "seconds": measured.seconds,
        "peak_rss_mb": measured.peak_rss_mb,
        "stages": stages,
        "stage_peak_rss_mb": stage_peak_rss_mb(stats, measured.timeline),
        "gates": gate_shares(stats),
        "linkage": linkage_figures(stats),
    }
    return figures, stats


def weekly_update(home: Path, sample: Path, work: Path, seed: int) -> dict:
    """The realistic week after the full build (benchmarks/week.py), applied the way an operator would:
    `warehouse build --source <week folder>`."""
    week_folder = work / "weeks" / f"{sample.name}-week-{seed}"
    shutil.rmtree(week_folder, ignore_errors=True)
    week = write_week(sample, week_folder, seed=seed)
    figures, stats = build_figures(home, run_build(home, "--source", str(week_folder)))
    shutil.rmtree(week_folder, ignore_errors=True)
    return {
        **figures,
        "week": asdict(week),
        "whd_difference": step_metadata(stats, "raw_whd__", "difference"),
    }


def analyst_queries(home: Path) -> dict:
    latencies = query_latencies(home / "published" / "warehouse.duckdb")
    one = _checked(
        run_measured(
            [WAREHOUSE_CLI, "query", ANALYST_QUERY, "--home", str(home), "--format", "csv"], env=cli_env(home)
        ),
        "warehouse query",
    )
    return {**latencies, "warehouse_query_seconds": one.seconds}


def measure(scale: float, seed: int, work: Path) -> dict:
    sample, generation = sample_folder(work, scale, seed)
    run_dir = work / "runs" / dt.datetime.now().strftime("%Y%m%dT%H%M%S") / f"scale-{scale:g}"
    home = run_dir / "home"
    build = full_build(home, sample)
    floor, floor_run = _python_module(
        "benchmarks.floor", str(sample), str(home / "build" / "warehouse.duckdb"), str(run_dir / "floor")
    )
    pandas, pandas_run = _python_module("benchmarks.naive_pandas", str(sample))
    rebuild = run_build(home)
    week = weekly_update(home, sample, work, seed)
    queries = analyst_queries(home)
    shutil.rmtree(run_dir, ignore_errors=True)
    return {
        "scale": scale,
        "seed": seed,
        "measured_at": _now(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "load_average": os.getloadavg()},
        "sample_generation": generation,
        "build": build,
        "floor": {**floor, "peak_rss_mb": floor_run.peak_rss_mb},
        "naive_pandas": {**pandas, "peak_rss_mb": pandas_run.peak_rss_mb},
        "ratio_to_baseline": build["seconds"] / floor["seconds"],
        "ratio_to_naive_pandas": build["seconds"] / pandas["seconds"],
        "no_change_rebuild": {"seconds": rebuild.seconds, "share_of_full_build": rebuild.seconds / build["seconds"]},
        "weekly_update": {**week, "share_of_full_build": week["seconds"] / build["seconds"]},
        "queries": queries,
    }


# The limits of issue 27 (benchmarks/README.md): the figure each applies to, at which scale.
RATIO_TO_FLOOR_LIMIT = 3.0
GATE_SHARE_LIMIT = 0.15
PEAK_RSS_GB_LIMIT = 4.0  # at scale 10
NO_CHANGE_SHARE_LIMIT = 0.10
WEEKLY_SHARE_LIMIT = 0.25
QUERY_P95_MS_LIMIT = 50
LINKAGE_SECONDS_LIMIT = 60  # at scale 1
LINKAGE_GROWTH_LIMIT = 12  # linkage at scale 10 / at scale 1


def targets(result: dict, scale1: dict | None = None) -> list[tuple[str, str, str, bool | None]]:
    """(target, measured, limit, met: None when it does not apply at this scale). `scale1`: a scale-1 result,
    for linkage's growth from scale 1 to this scale."""
    gates = result["build"]["gates"]
    worst_gate = max(gates.items(), key=lambda item: item[1]["gate_share"]) if gates else ("-", {"gate_share": 0.0})
    linkage = result["build"]["stages"].get("linkage", 0.0)
    peak_gb = result["build"]["peak_rss_mb"] / 1000
    ratio = result["ratio_to_baseline"]
    no_change = result["no_change_rebuild"]["share_of_full_build"]
    weekly = result["weekly_update"]["share_of_full_build"]
    growth = linkage / scale1["build"]["stages"]["linkage"] if scale1 and result["scale"] != 1 else None
    return [
        ("build vs floor", f"{ratio:.1f}x", f"<= {RATIO_TO_FLOOR_LIMIT:.1f}x", ratio <= RATIO_TO_FLOOR_LIMIT),
        (
            f"gates share of ingest (worst: {worst_gate[0]})",
            f"{worst_gate[1]['gate_share']:.0%}",
            f"<= {GATE_SHARE_LIMIT:.0%} per source",
            worst_gate[1]["gate_share"] <= GATE_SHARE_LIMIT,
        ),
        (
            "peak RSS of the build",
            f"{peak_gb:.2f} GB",
            f"<= {PEAK_RSS_GB_LIMIT:g} GB at scale 10",
            peak_gb <= PEAK_RSS_GB_LIMIT if result["scale"] >= 10 else None,
        ),
        (
            "no-change rebuild",
            f"{no_change:.0%}",
            f"<= {NO_CHANGE_SHARE_LIMIT:.0%}",
            no_change <= NO_CHANGE_SHARE_LIMIT,
        ),
        (
            "weekly update (WHD +1 % new, 0.5 % changed; an H-2A quarter)",
            f"{weekly:.0%}",
            f"<= {WEEKLY_SHARE_LIMIT:.0%}",
            weekly <= WEEKLY_SHARE_LIMIT,
        ),
        (
            "query p95",
            f"{result['queries']['p95_ms']:.1f} ms",
            f"<= {QUERY_P95_MS_LIMIT} ms",
            result["queries"]["p95_ms"] <= QUERY_P95_MS_LIMIT,
        ),
        (
            "linkage",
            f"{linkage:.1f} s",
            f"<= {LINKAGE_SECONDS_LIMIT} s at scale 1",
            linkage <= LINKAGE_SECONDS_LIMIT if result["scale"] == 1 else None,
        ),
        (
            "linkage, this scale / scale 1",
            "-" if growth is None else f"{growth:.1f}x",
            f"<= {LINKAGE_GROWTH_LIMIT}x at scale 10",
            None if growth is None or result["scale"] < 10 else growth <= LINKAGE_GROWTH_LIMIT,
        ),
    ]


def latest_scale1(results: Path, measured_at: str) -> dict | None:
    """The newest whole-build scale-1 result in `results` measured before `measured_at` (ISO time), if any.
    Other JSON there (e.g. `benchmarks/linkage.py --json` figures) has no `build` and no `measured_at`."""
    found = []
    for path in results.glob("*-scale1.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        if "build" in result and result["measured_at"] <= measured_at:
            found.append(result)
    return max(found, key=lambda r: r["measured_at"], default=None)


def result_path(results: Path, scale: float, measured_at: str) -> Path:
    """`<date>-scale<N>.json`, or `<date>-<HHMM>-scale<N>.json` when that day already has a result."""
    day, time = measured_at[:10], measured_at[11:16].replace(":", "")
    path = results / f"{day}-scale{scale:g}.json"
    return results / f"{day}-{time}-scale{scale:g}.json" if path.exists() else path


def with_targets(result: dict, results: Path) -> dict:
    """`result` with its targets (against the latest scale-1 result in `results` for linkage's growth)."""
    scale1 = latest_scale1(results, result["measured_at"])
    rows = targets(result, scale1)
    result["targets"] = [{"target": t, "measured": m, "limit": limit, "met": met} for t, m, limit, met in rows]
    if scale1 is not None and result["scale"] != 1:
        result["targets_scale1_measured_at"] = scale1["measured_at"]
    return result


def print_table(result: dict) -> None:
    build, generation = result["build"], result["sample_generation"]
    print(
        f"\nscale {result['scale']:g}: build {build['seconds']:.1f} s (peak {build['peak_rss_mb']:,.0f} MB), "
        f"floor {result['floor']['seconds']:.1f} s, naive pandas {result['naive_pandas']['seconds']:.1f} s "
        f"({result['ratio_to_naive_pandas']:.1f}x), sample generation {generation['seconds']:.1f} s "
        f"(peak {generation['peak_rss_mb']:,.0f} MB{', cached' if generation['cached'] else ''})"
    )
    print("stages: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in build["stages"].items()))
    print("stage peak RSS: " + ", ".join(f"{name} {mb:,.0f} MB" for name, mb in build["stage_peak_rss_mb"].items()))
    print(f"linkage: {build.get('linkage')}")
    week = result["weekly_update"]
    print(
        f"weekly update: {week['seconds']:.1f} s (peak {week['peak_rss_mb']:,.0f} MB), WHD rows "
        f"{week['whd_difference']}; stages: " + ", ".join(f"{n} {s:.1f} s" for n, s in week["stages"].items())
    )
    print(f"weekly linkage: {week.get('linkage')}")
    print(f"\n{'target':<64} {'measured':>10}  {'limit':<22} status")
    for row in result["targets"]:
        met = row["met"]
        status = "n/a at this scale" if met is None else ("met" if met else "MISSED")
        print(f"{row['target']:<64} {row['measured']:>10}  {row['limit']:<22} {status}")


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1 = real size")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="sample cache and scratch homes")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the JSON goes")
    parser.add_argument(
        "--retarget",
        type=Path,
        metavar="RESULT_JSON",
        help="measure nothing: set the targets of this result file again (new limits or scale-1 figures)",
    )
    args = parser.parse_args(argv)
    if args.retarget:
        result = with_targets(json.loads(args.retarget.read_text(encoding="utf-8")), args.retarget.parent)
        args.retarget.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print_table(result)
        return args.retarget
    args.results.mkdir(parents=True, exist_ok=True)
    measured = measure(args.scale, args.seed, args.work)
    path = result_path(args.results, args.scale, measured["measured_at"])
    path.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")  # kept whatever happens next
    result = with_targets(measured, args.results)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print_table(result)
    print(f"\nwritten {path}")
    return path


if __name__ == "__main__":
    main()
