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

from sources.common.sample_world import (
    World,
    address_variant,
    emerging_plant_cells,
    naics_variant,
    name_variant,
    planted_hidden_work,
    zip_variant,
)
from sources.whd.columns import BULK_SPELLING
from sources.whd.contract import ACTS, LOAD_COLUMN, WHISARD_COLUMNS

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
    "812": "Personal and Laundry Services",
    "315": "Apparel Manufacturing",
    "623": "Nursing and Residential Care Facilities",
    "541": "Professional, Scientific, and Technical Services",
}


def case_count(world: World) -> int:
    return max(400, round(CASES_AT_SCALE_1 * world.config.scale))


def write_sample(world: World, out_dir: Path, *, era: int = 3) -> list[Path]:
    """Write the WHD file of the given era into `out_dir`; return the written paths.

    Cases are written one chunk of CHUNK_ROWS at a time (see `_Cases`), so memory does not grow with
    the number of cases' columns.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = _Cases(world)
    with tempfile.TemporaryDirectory() as tmp:
        chunks = [
            _write_csv(cases.chunk(offset, era=era), Path(tmp) / _chunk_name(number), upper=era == 3)
            for number, offset in enumerate(cases.offsets(), start=1)
        ]
        if era == 3:
            target = out_dir / ERA3_FILE
            _zip(target, chunks)
        else:
            stamp = "20150220" if era == 1 else "20200315"
            target = out_dir / f"whd_whisard_{stamp}.csv.zip"
            _zip(target, [_concatenate_csv(chunks, Path(tmp) / "whd_whisard.csv")])
    return [target]


def generate_cases(world: World) -> pa.Table:
    """One row per WHD case, canonical (lower-case) columns, totals consistent with per-act columns."""
    cases = _Cases(world)
    return pa.concat_tables(cases.chunk(offset) for offset in cases.offsets())


class _Cases:
    """Every draw of the WHD sample, kept compact; `chunk` makes the canonical table of CHUNK_ROWS cases.

    The random draws happen here in the order they always did (whole-sample vectors, then one pass of
    per-case names and addresses, then the repeat flags), so the bytes for a seed do not depend on the
    chunking. What is kept is what those draws produced: per-case vectors, the act findings as sparse
    (row, value) assignments and the names as Arrow text, never the 109 dense columns of every case.
    """

    def __init__(self, world: World):
        rng = world.child_rng("whd")
        employers = world.employers
        self.n = n = case_count(world)
        kinds = np.array([e.kind for e in employers])
        self.picked = _pick_employers(rng, kinds, n)
        self.end = _findings_end_dates(rng, world, n)
        self.start = self.end - rng.integers(14, 730, n).astype("timedelta64[D]")
        self.case_ids = rng.permutation(np.arange(1_000_000, 1_000_000 + n * 3))[:n]
        self.findings = _draw_acts(rng, kinds[self.picked], n)
        self.mw_share, self.ot_share = rng.random(n) * 0.6, rng.random(n) * 0.4
        self.extra_violated = rng.integers(0, 5, n)
        planted_naics = {p.employer.entity_id: p.naics for p in planted_hidden_work(world)}
        self.employer_text = [
            _employer_text(world, rng, self.picked[rows], self.case_ids[rows], planted_naics)
            for rows in self.chunk_rows()
        ]
        self.cases_per_employer = np.bincount(self.picked)
        self.repeat_roll = rng.random(n)
        self.planted_rows = _plant_hidden_work(world, self.picked, self.end, self.findings)
        _plant_emerging_child_labor(world, self.picked, self.end, self.findings)

    def offsets(self) -> range:
        return range(0, self.n, CHUNK_ROWS)

    def chunk_rows(self) -> list[slice]:
        return [slice(offset, min(offset + CHUNK_ROWS, self.n)) for offset in self.offsets()]

    def chunk(self, offset: int, *, era: int = 3) -> pa.Table:
        """Cases offset .. offset + CHUNK_ROWS as the canonical table (era 1 has no load column)."""
        rows = self.chunk_rows()[offset // CHUNK_ROWS]
        size = rows.stop - rows.start
        columns: dict[str, object] = {
            c: np.zeros(size, dtype=np.int64 if not c.endswith("_amt") else np.float64) for c in WHISARD_COLUMNS
        }
        for name, assignments in self.findings.items():
            for at, values in assignments:
                low, high = np.searchsorted(at, [rows.start, rows.stop])
                columns[name][at[low:high] - rows.start] = values[low:high]
        _split_flsa_back_wages(columns, self.mw_share[rows], self.ot_share[rows])
        _fill_totals(columns, self.extra_violated[rows])
        columns["cmp_assd_cnt"] = columns["cmp_assd_cnt"].astype(np.float64)
        columns["case_id"] = self.case_ids[rows]
        columns["findings_start_date"] = self.start[rows]
        columns["findings_end_date"] = self.end[rows]
        columns.update(self.employer_text[offset // CHUNK_ROWS])
        repeat = self.cases_per_employer[self.picked[rows]] >= 3
        columns["flsa_repeat_violator"] = _repeat_flags(repeat, columns["flsa_violtn_cnt"], self.repeat_roll[rows])
        low, high = np.searchsorted(self.planted_rows, [rows.start, rows.stop])
        columns["flsa_repeat_violator"][self.planted_rows[low:high] - rows.start] = "R"
        names = WHISARD_COLUMNS if era == 1 else (*WHISARD_COLUMNS, LOAD_COLUMN)
        columns[LOAD_COLUMN] = np.full(size, "2020-03-15 01:00:06 EST", dtype=object)
        return pa.table({c: columns[c] for c in names})


def _chunk_name(number: int) -> str:
    return f"LOAD00000001-{ERA3_LOAD}_chunk_{number}.csv"


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
    # More recent years have somewhat more concluded cases in the public file: a mixture of 60 % spread
    # evenly and 40 % rising with time (a sum of the two would thin out both ends, faking a fall in the
    # last complete year).
    shape, pick = rng.random(n), rng.random(n)
    offsets = (span * np.where(pick < 0.4, np.sqrt(shape), shape)).astype(np.int64)
    return first + offsets.astype("timedelta64[D]")


Findings = dict[str, list[tuple[np.ndarray, np.ndarray]]]  # column -> (ascending rows, values), applied in order


def _draw_acts(rng: np.random.Generator, case_kinds: np.ndarray, n: int) -> Findings:
    """Which cases have findings under which act, and their counts and amounts, as sparse assignments."""
    findings: Findings = {}

    def assign(column: str, rows: np.ndarray, values: np.ndarray) -> None:
        findings.setdefault(column, []).append((rows, values))

    no_findings = rng.random(n) < 0.22
    for kind, odds in _ACT_ODDS.items():
        rows = np.flatnonzero((case_kinds == kind) & ~no_findings)
        for act, p in odds.items():
            hit = rows[rng.random(len(rows)) < p]
            violations_col, bw_col, ee_col, cmp_col = ACTS[act]
            assign(violations_col, hit, rng.integers(1, 25, len(hit)))
            employees = rng.integers(1, 60, len(hit))
            if ee_col:
                assign(ee_col, hit, employees)
            if bw_col:
                assign(bw_col, hit, np.round(employees * rng.lognormal(6.5, 1.1, len(hit)), 2))
            if cmp_col:
                fined = hit[rng.random(len(hit)) < 0.25]
                assign(cmp_col, fined, np.round(rng.integers(1, 40, len(fined)) * 250.0, 2))
    child_labor = np.sort(np.concatenate([rows for rows, _ in findings["flsa_cl_violtn_cnt"]]))
    assign("flsa_cl_minor_cnt", child_labor, rng.integers(1, 12, len(child_labor)))
    return findings


def _plant_hidden_work(world: World, picked: np.ndarray, end: np.ndarray, findings: Findings) -> np.ndarray:
    """The latest case of each planted hidden-work employer (sample_world.planted_hidden_work)
    finds child labor (3 violations, 2 minors) and is flagged a repeat FLSA violator; returns those rows,
    ascending. Applied after the drawn findings, so it wins over them; no random draw."""
    latest = []
    for planted in planted_hidden_work(world):
        cases = np.flatnonzero(picked == planted.employer.entity_id - 1)
        if len(cases):
            latest.append(cases[np.argmax(end[cases])])
    rows = np.array(sorted(latest), dtype=np.int64)
    findings.setdefault("flsa_cl_violtn_cnt", []).append((rows, np.full(len(rows), 3)))
    findings.setdefault("flsa_cl_minor_cnt", []).append((rows, np.full(len(rows), 2)))
    return rows


def _plant_emerging_child_labor(world: World, picked: np.ndarray, end: np.ndarray, findings: Findings) -> None:
    """The whd plants of sample_world.EMERGING_PLANTS: on the plant employer's latest case of each of the
    fiscal years before the last, `history` child-labor violations (one minor); on every case of the last
    fiscal year, `last` violations (four minors). Applied after the drawn findings; no random draw."""
    last = world.config.last_fiscal_year
    fiscal_years = end.astype("datetime64[M]").astype(int) // 12 + 1970
    fiscal_years = fiscal_years + (end.astype("datetime64[M]").astype(int) % 12 >= 9)
    for cell in emerging_plant_cells(world):
        if cell.plant.source != "whd":
            continue
        cases = np.flatnonzero(picked == cell.employers[0].entity_id - 1)
        rows, violations, minors = [], [], []
        for offset, amount in enumerate(cell.plant.history):
            in_year = cases[fiscal_years[cases] == last - len(cell.plant.history) + offset]
            if len(in_year) and amount:
                rows.append(in_year[np.argmax(end[in_year])])
                violations.append(amount)
                minors.append(1)
        for row in cases[fiscal_years[cases] == last]:
            rows.append(row)
            violations.append(cell.plant.last)
            minors.append(4)
        order = np.argsort(rows)
        at = np.array(rows, dtype=np.int64)[order]
        findings.setdefault("flsa_cl_violtn_cnt", []).append((at, np.array(violations, dtype=np.int64)[order]))
        findings.setdefault("flsa_cl_minor_cnt", []).append((at, np.array(minors, dtype=np.int64)[order]))


def _split_flsa_back_wages(columns: dict, mw_share: np.ndarray, ot_share: np.ndarray) -> None:
    flsa = columns["flsa_bw_atp_amt"]
    columns["flsa_mw_bw_atp_amt"] = np.round(flsa * mw_share, 2)
    columns["flsa_ot_bw_atp_amt"] = np.round(flsa * ot_share, 2)
    columns["flsa_15a3_bw_atp_amt"] = np.round(flsa - columns["flsa_mw_bw_atp_amt"] - columns["flsa_ot_bw_atp_amt"], 2)


def _fill_totals(columns: dict, extra_violated: np.ndarray) -> None:
    acts = ACTS.values()
    columns["case_violtn_cnt"] = sum(columns[v] for v, _, _, _ in acts)
    columns["bw_atp_amt"] = np.round(sum(columns[b] for _, b, _, _ in acts if b), 2)
    columns["cmp_assd_cnt"] = np.round(sum(columns[c] for _, _, _, c in acts if c), 2)
    columns["ee_atp_cnt"] = np.max(np.vstack([columns[e] for _, _, e, _ in acts if e]), axis=0)
    columns["ee_violtd_cnt"] = columns["ee_atp_cnt"] + (columns["ee_atp_cnt"] > 0) * extra_violated


def _employer_text(
    world: World, rng: np.random.Generator, picked: np.ndarray, case_ids: np.ndarray, planted_naics: dict[int, str]
) -> dict:
    """The employer columns of some cases as written (names, address, industry), as Arrow text; a planted
    hidden-work employer's cases carry its planted code (drawn as usual, then written over)."""
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
        code = naics_variant(employer, rng)  # drawn for every case: the random stream stays the same
        code = planted_naics.get(employer.entity_id, code)
        naics.append(code)
        titles.append(_NAICS_TITLES.get(code[:3], "Other"))
        world.truth.add(employer, "whd", str(case_id), written)
    text = dict(
        trade_nm=trade,
        legal_name=legal,
        street_addr_1_txt=street,
        cty_nm=city,
        st_cd=state,
        zip_cd=zips,
        naic_cd=naics,
        naics_code_description=titles,
    )
    return {name: pa.array(values, pa.string()) for name, values in text.items()}


def _repeat_flags(repeat_employer: np.ndarray, flsa_violations: np.ndarray, roll: np.ndarray) -> np.ndarray:
    """'R'/'W'/'RW' on FLSA cases of employers with several cases; mostly blank, as published."""
    repeat = repeat_employer & (flsa_violations > 0)
    flags = np.full(len(roll), "", dtype=object)
    flags[repeat & (roll < 0.5)] = "R"
    flags[repeat & (roll >= 0.5) & (roll < 0.6)] = "RW"
    flags[~repeat & (flsa_violations > 0) & (roll < 0.01)] = "W"
    return flags


def _concatenate_csv(parts: list[Path], target: Path) -> Path:
    """One CSV from CSV parts with the same header (kept once)."""
    with open(target, "wb") as out:
        for number, part in enumerate(parts):
            with open(part, "rb") as src:
                header = src.readline()
                if number == 0:
                    out.write(header)
                while block := src.read(1 << 20):
                    out.write(block)
    return target


def _write_csv(cases: pa.Table, path: Path, *, upper: bool) -> Path:
    names = [BULK_SPELLING[c] if upper else c for c in cases.column_names]
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
