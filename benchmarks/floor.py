"""The floor: plain DuckDB doing the minimum on the same files, then the project's model SQL once.

Load: unzip the WHD chunks and `read_csv` them, read each H-2A workbook's first sheet with calamine
(fastexcel) into Arrow, `read_csv` the QCEW slices and the MSPA list (the debarment PDFs are not
read: no plain reader exists for them). No contract, no casting, no gate, no archive.

Transform: every dbt model's SQL as compiled by our build (the run's `manifest.json` under
`dbt_project/target/`), executed once in dependency order as `CREATE OR REPLACE TABLE/VIEW`, on a
copy of our build database. The model SQL reads the contract-shaped raw tables (our column names),
not the publisher-named tables the floor's load makes, so it runs on our loaded raw tables (same
rows); the seeds and the linkage table are taken as built. No dbt (parse, tests, docs), no linkage.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import duckdb

from benchmarks.measure import Timer

DBT_TARGET = Path(__file__).resolve().parents[1] / "dbt_project" / "target"
DBT_RUNS = ("dbt_models-", "dbt_marts-")  # the two dbt invocations of a build (before and after linkage)


def load_files(sample: Path, db_path: Path) -> dict[str, float]:
    """Load the sample's files into `db_path` the plain way; seconds per source."""
    seconds = {}
    with duckdb.connect(str(db_path)) as con:
        for source, loader in (("whd", _load_whd), ("h2a", _load_h2a), ("qcew", _load_qcew), ("mspa", _load_mspa)):
            with Timer() as timer:
                loader(con, sample)
            seconds[source] = timer.seconds
    return seconds


def _load_whd(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(sample / "WHD_enforcement.zip") as archive:
            archive.extractall(tmp)
        chunks = sorted(str(p) for p in Path(tmp).glob("*.csv"))
        # A few rows hold cp1252 bytes (accented names) in the UTF-8 file, as published: the floor skips
        # them (DuckDB reads one encoding per file) where our parser transcodes them.
        con.execute("CREATE TABLE whd AS SELECT * FROM read_csv(?, ignore_errors = true)", [chunks])


def _load_h2a(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    import fastexcel

    for number, path in enumerate(sorted(sample.glob("*.xls*"))):
        sheet = fastexcel.read_excel(str(path)).load_sheet(0).to_arrow()  # noqa: F841 (read by DuckDB below)
        con.execute(f"CREATE TABLE h2a_{number} AS SELECT * FROM sheet")


def _load_qcew(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    slices = sorted(str(p) for p in sample.glob("qcew_*.csv"))
    con.execute("CREATE TABLE qcew AS SELECT * FROM read_csv(?)", [slices])


def _load_mspa(con: duckdb.DuckDBPyConnection, sample: Path) -> None:
    con.execute("CREATE TABLE mspa AS SELECT * FROM read_csv(?, all_varchar = true)", [str(sample / "FLCWksht.csv")])


def run_models(build_db: Path, work: Path) -> tuple[float, int]:
    """Run every model's compiled SQL once on a copy of `build_db`; (seconds, models run)."""
    models = _compiled_models()
    copy = work / "floor-transform" / "warehouse.duckdb"  # the file name is the catalog the SQL names
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(build_db, copy)
    with duckdb.connect(str(copy)) as con, Timer() as timer:
        for model in models:
            kind = "VIEW" if model["config"]["materialized"] == "view" else "TABLE"
            con.execute(f"CREATE SCHEMA IF NOT EXISTS {model['schema']}")
            con.execute(f"CREATE OR REPLACE {kind} {model['relation_name']} AS {model['compiled_code']}")
    copy.unlink()
    return timer.seconds, len(models)


def _newest_run_manifest(prefix: str) -> dict:
    runs = sorted(DBT_TARGET.glob(f"{prefix}*/manifest.json"), key=lambda p: p.stat().st_mtime)
    if not runs:
        raise FileNotFoundError(f"no dbt run {prefix}* under {DBT_TARGET}: run our build first")
    return json.loads(runs[-1].read_text(encoding="utf-8"))


def _compiled_models() -> list[dict]:
    """The models the build's two dbt runs compiled, in dependency order."""
    nodes = {}
    for prefix in DBT_RUNS:
        for unique_id, node in _newest_run_manifest(prefix)["nodes"].items():
            if node["resource_type"] == "model" and node.get("compiled_code"):
                nodes[unique_id] = node
    ordered, done = [], set()

    def visit(unique_id: str) -> None:
        if unique_id in done or unique_id not in nodes:
            return
        done.add(unique_id)
        for parent in nodes[unique_id]["depends_on"]["nodes"]:
            visit(parent)
        ordered.append(nodes[unique_id])

    for unique_id in sorted(nodes):
        visit(unique_id)
    return ordered


def run(sample: Path, build_db: Path, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    db = work / "floor.duckdb"
    db.unlink(missing_ok=True)
    load = load_files(sample, db)
    transform, models = run_models(build_db, work)
    db.unlink()
    return {
        "seconds": sum(load.values()) + transform,
        "load_seconds": load,
        "transform_seconds": transform,
        "models": models,
    }


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
