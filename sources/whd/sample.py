"""Write WHD compliance-action sample files byte-for-byte in the real publication formats.

``era=3`` (default, what a download gets today) writes ``WHD_enforcement.zip`` holding chunk CSVs
with UPPER-case headers; ``era=1``/``era=2`` write ``whd_whisard_YYYYMMDD.csv.zip`` holding
``whd_whisard.csv`` (lower-case, without/with ``ld_dt``). Quoting is minimal (only fields with
commas or quotes), dates are ``YYYY-MM-DD``, and accented employer names are written as cp1252
bytes as in the real file. Cases are drawn from the shared sample world.
"""

from __future__ import annotations

import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from sources.common.sample_world import World, address_variant, naics_variant, name_variant, zip_variant
from sources.whd.contract import ACTS, LOAD_COLUMN, WHISARD_COLUMNS
from sources.whd.parse import _era3_published

CASES_AT_SCALE_1 = 350_000
CHUNK_ROWS = 50_000
ERA3_FILE = "WHD_enforcement.zip"
ERA3_LOAD = "2026-09-27-22-14-03"  # chunk names: LOAD00000001-2026-09-21-05-19-19_chunk_1.csv (real)
ERA3_LOAD_DT = "2026-09-27 22:14:03+00:00"
_ACCENTED_WORDS = ["Panadería", "Lechería", "Jardinería", "Peña", "Muñoz", "Núñez", "Ibáñez", "Cantú"]

# Probability that a case of each kind of employer has findings under each act.
_ACT_ODDS = {
    "ag": {"flsa": 0.75, "mspa": 0.5, "h2a": 0.35, "osha": 0.12, "flsa_cl": 0.05},
    "flc": {"flsa": 0.7, "mspa": 0.85, "h2a": 0.3, "osha": 0.1},
    "other": {
        "flsa": 0.85,
        "fmla": 0.07,
        "sca": 0.05,
        "dbra": 0.05,
        "flsa_cl": 0.04,
        "h1b": 0.02,
        "h2b": 0.03,
        "ccpa": 0.01,
        "eppa": 0.01,
        "cwhssa": 0.02,
    },
}
_NAICS_TITLES = {
    "111": "Crop Production",
    "112": "Animal Production and Aquaculture",
    "115": "Support Activities for Agriculture and Forestry",
    "722": "Food Services and Drinking Places",
    "236": "Construction of Buildings",
    "238": "Specialty Trade Contractors",
    "561": "Administrative and Support Services",
    "811": "Repair and Maintenance",
    "721": "Accommodation",
    "445": "Food and Beverage Retailers",
    "621": "Ambulatory Health Care Services",
    "484": "Truck Transportation",
    "311": "Food Manufacturing",
    "315": "Apparel Manufacturing",
    "623": "Nursing and Residential Care Facilities",
    "541": "Professional, Scientific, and Technical Services",
}


def case_count(world: World) -> int:
    return max(400, round(CASES_AT_SCALE_1 * world.config.scale))


def write_sample(world: World, out_dir: Path, *, era: int = 3) -> list[Path]:
    """Write the WHD file of the given era into `out_dir`; return the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = generate_cases(world)
    with tempfile.TemporaryDirectory() as tmp:
        if era == 3:
            chunks = _write_chunks(cases, Path(tmp), upper=True)
            target = out_dir / ERA3_FILE
            _zip(target, chunks)
        else:
            stamp = "20150220" if era == 1 else "20200315"
            if era == 1:
                cases = cases.drop_columns([LOAD_COLUMN])
            csv_path = _write_csv(cases, Path(tmp) / "whd_whisard.csv", upper=False)
            target = out_dir / f"whd_whisard_{stamp}.csv.zip"
            _zip(target, [csv_path])
    return [target]


def generate_cases(world: World) -> pa.Table:
    """One row per WHD case, canonical (lower-case) columns, totals consistent with per-act columns."""
    rng = world.child_rng("whd")
    employers = world.employers
    n = case_count(world)
    kinds = np.array([e.kind for e in employers])
    picked = _pick_employers(rng, kinds, n)
    end = _findings_end_dates(rng, world, n)
    start = end - rng.integers(14, 730, n).astype("timedelta64[D]")
    columns: dict[str, object] = {
        c: np.zeros(n, dtype=np.int64 if not c.endswith("_amt") else np.float64) for c in WHISARD_COLUMNS
    }
    case_ids = rng.permutation(np.arange(1_000_000, 1_000_000 + n * 3))[:n]
    columns["case_id"] = case_ids
    _fill_acts(rng, columns, kinds[picked], n)
    _fill_totals(rng, columns, n)
    columns["cmp_assd_cnt"] = columns["cmp_assd_cnt"].astype(np.float64)
    columns["findings_start_date"] = start
    columns["findings_end_date"] = end
    _fill_employers(world, rng, columns, picked, case_ids)
    columns["flsa_repeat_violator"] = _repeat_flags(rng, picked, columns["flsa_violtn_cnt"])
    columns[LOAD_COLUMN] = np.full(n, "2020-03-15 01:00:06 EST", dtype=object)
    return pa.table({c: columns[c] for c in (*WHISARD_COLUMNS, LOAD_COLUMN)})


def _pick_employers(rng: np.random.Generator, kinds: np.ndarray, n: int) -> np.ndarray:
    """Employer index per case; a long tail of repeat violators (Zipf-like weights within each kind)."""
    share = {"ag": 0.09, "flc": 0.04, "other": 0.87}
    kind_of_case = rng.choice(list(share), size=n, p=list(share.values()))
    picked = np.empty(n, dtype=np.int64)
    for kind in share:
        pool = np.flatnonzero(kinds == kind)
        weights = 1.0 / np.arange(1, len(pool) + 1) ** 0.9
        mask = kind_of_case == kind
        picked[mask] = pool[rng.choice(len(pool), size=mask.sum(), p=weights / weights.sum())]
    return picked


def _findings_end_dates(rng: np.random.Generator, world: World, n: int) -> np.ndarray:
    first = np.datetime64(date(world.config.first_fiscal_year - 3, 10, 1))
    last = np.datetime64(world.config.today - timedelta(days=60))
    span = int((last - first).astype(int))
    # More recent years have somewhat more concluded cases in the public file.
    offsets = (span * np.sqrt(rng.random(n)) * 0.4 + span * rng.random(n) * 0.6).astype(np.int64)
    return first + offsets.astype("timedelta64[D]")


def _fill_acts(rng: np.random.Generator, columns: dict, case_kinds: np.ndarray, n: int) -> None:
    no_findings = rng.random(n) < 0.22
    for kind, odds in _ACT_ODDS.items():
        rows = np.flatnonzero((case_kinds == kind) & ~no_findings)
        for act, p in odds.items():
            hit = rows[rng.random(len(rows)) < p]
            violations_col, bw_col, ee_col, cmp_col = ACTS[act]
            columns[violations_col][hit] = rng.integers(1, 25, len(hit))
            employees = rng.integers(1, 60, len(hit))
            if ee_col:
                columns[ee_col][hit] = employees
            if bw_col:
                columns[bw_col][hit] = np.round(employees * rng.lognormal(6.5, 1.1, len(hit)), 2)
            if cmp_col:
                fined = hit[rng.random(len(hit)) < 0.25]
                columns[cmp_col][fined] = np.round(rng.integers(1, 40, len(fined)) * 250.0, 2)
    if "flsa_cl_violtn_cnt" in columns:
        cl = columns["flsa_cl_violtn_cnt"] > 0
        columns["flsa_cl_minor_cnt"][cl] = rng.integers(1, 12, int(cl.sum()))
    flsa = columns["flsa_bw_atp_amt"]
    mw_share, ot_share = rng.random(n) * 0.6, rng.random(n) * 0.4
    columns["flsa_mw_bw_atp_amt"] = np.round(flsa * mw_share, 2)
    columns["flsa_ot_bw_atp_amt"] = np.round(flsa * ot_share, 2)
    columns["flsa_15a3_bw_atp_amt"] = np.round(flsa - columns["flsa_mw_bw_atp_amt"] - columns["flsa_ot_bw_atp_amt"], 2)


def _fill_totals(rng: np.random.Generator, columns: dict, n: int) -> None:
    acts = ACTS.values()
    columns["case_violtn_cnt"] = sum(columns[v] for v, _, _, _ in acts)
    columns["bw_atp_amt"] = np.round(sum(columns[b] for _, b, _, _ in acts if b), 2)
    columns["cmp_assd_cnt"] = np.round(sum(columns[c] for _, _, _, c in acts if c), 2)
    columns["ee_atp_cnt"] = np.max(np.vstack([columns[e] for _, _, e, _ in acts if e]), axis=0)
    columns["ee_violtd_cnt"] = columns["ee_atp_cnt"] + (columns["ee_atp_cnt"] > 0) * rng.integers(0, 5, n)


def _fill_employers(
    world: World, rng: np.random.Generator, columns: dict, picked: np.ndarray, case_ids: np.ndarray
) -> None:
    employers = world.employers
    trade, legal, street, city, state, zips, naics, titles = ([] for _ in range(8))
    for index, case_id in zip(picked.tolist(), case_ids.tolist(), strict=True):
        employer = employers[index]
        written = name_variant(employer, rng)
        trade.append(written)
        legal.append("" if rng.random() < 0.3 else name_variant(employer, rng, style="exact"))
        street.append(address_variant(employer, rng))
        city.append(employer.city.upper() if rng.random() < 0.3 else employer.city)
        state.append(employer.state)
        zips.append(zip_variant(employer, rng).replace("-", ""))
        code = naics_variant(employer, rng)
        naics.append(code)
        titles.append(_NAICS_TITLES.get(code[:3], "Other"))
        world.truth.add(employer, "whd", str(case_id), written)
    columns.update(
        trade_nm=trade,
        legal_name=legal,
        street_addr_1_txt=street,
        cty_nm=city,
        st_cd=state,
        zip_cd=zips,
        naic_cd=naics,
        naics_code_description=titles,
    )


def _repeat_flags(rng: np.random.Generator, picked: np.ndarray, flsa_violations: np.ndarray) -> np.ndarray:
    """'R'/'W'/'RW' on FLSA cases of employers with several cases; mostly blank, as published."""
    counts = np.bincount(picked)
    repeat = (counts[picked] >= 3) & (flsa_violations > 0)
    flags = np.full(len(picked), "", dtype=object)
    roll = rng.random(len(picked))
    flags[repeat & (roll < 0.5)] = "R"
    flags[repeat & (roll >= 0.5) & (roll < 0.6)] = "RW"
    flags[~repeat & (flsa_violations > 0) & (roll < 0.01)] = "W"
    return flags


def _write_chunks(cases: pa.Table, folder: Path, *, upper: bool) -> list[Path]:
    paths = []
    for number, offset in enumerate(range(0, cases.num_rows, CHUNK_ROWS), start=1):
        name = f"LOAD00000001-{ERA3_LOAD}_chunk_{number}.csv"
        paths.append(_write_csv(cases.slice(offset, CHUNK_ROWS), folder / name, upper=upper))
    return paths


def _write_csv(cases: pa.Table, path: Path, *, upper: bool) -> Path:
    names = [_era3_published(c) if upper else c for c in cases.column_names]
    if upper:
        cases = cases.set_column(
            cases.column_names.index(LOAD_COLUMN),
            LOAD_COLUMN,
            pa.array([ERA3_LOAD_DT] * cases.num_rows),
        )
    with duckdb.connect() as con:
        con.register("cases", cases.rename_columns(names))
        select = ", ".join(_published_text(f, utc_stamped=upper) for f in cases.rename_columns(names).schema)
        # Blank text unquoted, whole amounts without ".0", dates as YYYY-MM-DD (the bulk zip: a UTC
        # midnight timestamp, "2019-08-24 00:00:00+00:00"): as published.
        con.execute(f"COPY (SELECT {select} FROM cases) TO '{path}' (HEADER, DELIMITER ',', QUOTE '\"', NULL '')")
    _plant_cp1252(path)
    return path


def _published_text(field: pa.Field, *, utc_stamped: bool = False) -> str:
    name = f'"{field.name}"'
    if utc_stamped and pa.types.is_date(field.type):
        return f"strftime({name}, '%Y-%m-%d') || ' 00:00:00+00:00' AS {name}"
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return f"nullif({name}, '') AS {name}"
    if pa.types.is_floating(field.type):
        whole = f"CAST(CAST({name} AS BIGINT) AS VARCHAR)"
        return f"CASE WHEN {name} = trunc({name}) THEN {whole} ELSE CAST({name} AS VARCHAR) END AS {name}"
    return name


def _plant_cp1252(path: Path) -> None:
    data = path.read_bytes()
    for word in _ACCENTED_WORDS:
        data = data.replace(word.encode("utf-8"), word.encode("cp1252"))
    path.write_bytes(data)


def _zip(target: Path, members: list[Path]) -> None:
    tmp = target.with_suffix(".partial")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for member in members:
            info = zipfile.ZipInfo(member.name, date_time=(2026, 9, 27, 22, 14, 3))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(member, "rb") as src, archive.open(info, "w") as out:
                while block := src.read(1 << 20):
                    out.write(block)
    tmp.replace(target)
