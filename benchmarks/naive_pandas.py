"""A naive pandas pipeline for the main marts: read every file into pandas, merge, group by.

It computes the cells the marts sum (state x NAICS sector x fiscal year: WHD cases, violations, back
wages; H-2A workers certified; QCEW private employment) and from them the industry-year,
region-year, trend and enforcement-gap tables. Naive on purpose: no contract, no gate, no
deduplication of association member rows, no linkage; the same grain and measures, not the same
rules. Run as `python -m benchmarks.naive_pandas SAMPLE_DIR`: prints seconds and output rows as JSON.
"""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd

from sources.common.reference import STATES, sector_of
from sources.h2a.columns import MAPPED
from sources.h2a.parse import fiscal_year_from_name, is_disclosure_file

CELL = ["state", "sector", "fiscal_year"]


def _fiscal_year(dates: pd.Series) -> pd.Series:
    return dates.dt.year + (dates.dt.month >= 10).astype(int)


def _sector(naics: pd.Series) -> pd.Series:
    return naics.astype("string").str[:6].map(lambda code: sector_of(code) if isinstance(code, str) else None)


def whd_cells(sample: Path) -> pd.DataFrame:
    with zipfile.ZipFile(sample / "WHD_enforcement.zip") as archive:
        frames = [
            pd.read_csv(archive.open(name), encoding="latin-1", dtype={"NAIC_CD": str}) for name in archive.namelist()
        ]
    whd = pd.concat(frames, ignore_index=True)
    whd["state"] = whd["ST_CD"]
    whd["sector"] = _sector(whd["NAIC_CD"])
    whd["fiscal_year"] = _fiscal_year(pd.to_datetime(whd["FINDINGS_END_DATE"].str[:10]))
    return whd.groupby(CELL, dropna=False).agg(
        whd_cases=("CASE_ID", "count"), violations=("CASE_VIOLTN_CNT", "sum"), back_wages=("BW_ATP_AMT", "sum")
    )


def h2a_cells(sample: Path) -> pd.DataFrame:
    frames = []
    for path in sorted(p for p in sample.glob("*.xls*") if is_disclosure_file(p)):
        sheet = pd.read_excel(path, engine="calamine")
        sheet = sheet.rename(columns={k: v for k, v in MAPPED.items() if k in sheet.columns})
        # Some eras publish no NAICS code: those rows fall in the unknown sector.
        wanted = sheet.reindex(columns=["employer_state", "naics_code", "workers_certified"])
        frames.append(wanted.assign(fiscal_year=fiscal_year_from_name(path.name)))
    h2a = pd.concat(frames, ignore_index=True)
    h2a["state"] = h2a["employer_state"]
    h2a["sector"] = _sector(h2a["naics_code"].astype("string").str.replace(r"\.0$", "", regex=True))
    h2a["workers_certified"] = pd.to_numeric(h2a["workers_certified"], errors="coerce")
    return h2a.groupby(CELL, dropna=False).agg(h2a_workers_certified=("workers_certified", "sum"))


def qcew_cells(sample: Path) -> pd.DataFrame:
    frames = [
        pd.read_csv(p, dtype={"area_fips": str, "own_code": str, "industry_code": str, "agglvl_code": str})
        for p in sorted(sample.glob("qcew_*.csv"))
    ]
    qcew = pd.concat(frames, ignore_index=True)
    qcew = qcew[(qcew["agglvl_code"] == "54") & (qcew["own_code"] == "5")]
    by_fips = {s.fips: s.code for s in STATES}
    qcew = qcew.assign(
        state=qcew["area_fips"].str[:2].map(by_fips), sector=qcew["industry_code"], fiscal_year=qcew["year"]
    )
    return qcew.groupby(CELL, dropna=False).agg(employment=("annual_avg_emplvl", "sum"))


def marts(cells: pd.DataFrame) -> dict[str, pd.DataFrame]:
    def rates(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.assign(violations_per_10k=frame["violations"] / frame["employment"] * 10_000)

    gap = cells[cells["h2a_workers_certified"] > 0]
    return {
        "industry_year": rates(cells.groupby(["sector", "fiscal_year"]).sum(numeric_only=True)),
        "region_year": rates(cells.groupby(["state", "fiscal_year"]).sum(numeric_only=True)),
        "trends": cells.groupby("fiscal_year").sum(numeric_only=True),
        "enforcement_gap": gap.assign(cases_per_1k_workers=gap["whd_cases"] / gap["h2a_workers_certified"] * 1_000),
    }


def run(sample: Path) -> dict:
    started = time.perf_counter()
    cells = whd_cells(sample).join(h2a_cells(sample), how="outer").join(qcew_cells(sample), how="left").fillna(0)
    read_and_cells = time.perf_counter() - started
    tables = marts(cells.reset_index().set_index(CELL))
    return {
        "seconds": time.perf_counter() - started,
        "read_and_cells_seconds": read_and_cells,
        "rows": {name: len(frame) for name, frame in tables.items()},
    }


if __name__ == "__main__":
    print(json.dumps(run(Path(sys.argv[1]))))
