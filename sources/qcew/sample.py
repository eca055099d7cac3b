"""Write QCEW annual industry slices byte-for-byte in the open-data CSV format.

One file per year and industry (industry 10 and every NAICS sector) under the archive name
``qcew_<year>_a_industry_<code>.csv``, for the years the download covers (2005 .. last_fiscal_year).
Each file holds the national row(s), every state/territory QCEW covers (50 states, DC, Puerto Rico,
the Virgin Islands; QCEW publishes nothing for American Samoa, Guam or the Northern Marianas), a few
MSA rows and county rows (which the parser drops; their number scales with ``world.config.scale``,
as the real ~3,200 counties would). Quoting is as published: codes, year and qtr quoted, numbers
bare, a blank disclosure code written ``""``. About 3% of state x sector cells are suppressed
(``"N"``, employment and wages written as 0, establishments still published).

Employment is plausible, not real: 2019 state totals and national sector sizes close to the
published ones, spread over states with noise, moved by a macro index (2009 and 2020 dips) and
slow sector trends. National rows are the sums over states, as in the real data.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sources.common.reference import STATES
from sources.common.sample_world import World
from sources.qcew.contract import ANNUAL_CSV_COLUMNS
from sources.qcew.fetch import FIRST_YEAR, INDUSTRY_CODES, slice_filename

COUNTIES_AT_SCALE_1 = 3_200
NATIONAL = "US000"
HEADER = ",".join(f'"{c}"' for c in ANNUAL_CSV_COLUMNS)
# QCEW covers the 50 states, DC, Puerto Rico and the U.S. Virgin Islands only.
NOT_COVERED = frozenset({"AS", "GU", "MP"})

# Annual average covered employment, thousands, about 2019.
_STATE_EMPLOYMENT = {
    "AL": 2000,
    "AK": 320,
    "AZ": 2900,
    "AR": 1250,
    "CA": 17500,
    "CO": 2700,
    "CT": 1650,
    "DE": 450,
    "DC": 790,
    "FL": 8900,
    "GA": 4600,
    "HI": 650,
    "ID": 760,
    "IL": 6000,
    "IN": 3100,
    "IA": 1560,
    "KS": 1400,
    "KY": 1900,
    "LA": 1950,
    "ME": 620,
    "MD": 2700,
    "MA": 3600,
    "MI": 4350,
    "MN": 2900,
    "MS": 1150,
    "MO": 2850,
    "MT": 470,
    "NE": 1000,
    "NV": 1400,
    "NH": 660,
    "NJ": 4100,
    "NM": 820,
    "NY": 9500,
    "NC": 4500,
    "ND": 420,
    "OH": 5450,
    "OK": 1650,
    "OR": 1950,
    "PA": 5900,
    "RI": 490,
    "SC": 2100,
    "SD": 430,
    "TN": 3050,
    "TX": 12800,
    "UT": 1550,
    "VT": 310,
    "VA": 3900,
    "WA": 3400,
    "WV": 700,
    "WI": 2900,
    "WY": 280,
    "PR": 850,
    "VI": 37,
}
_WAGE_LEVEL = {
    "DC": 1.45,
    "CA": 1.2,
    "NY": 1.25,
    "MA": 1.25,
    "WA": 1.2,
    "CT": 1.15,
    "NJ": 1.15,
    "MS": 0.78,
    "AR": 0.8,
    "WV": 0.82,
    "PR": 0.5,
    "VI": 0.7,
}
_MINING = {"TX": 4, "ND": 6, "WY": 8, "AK": 6, "OK": 4, "WV": 4, "NM": 4, "LA": 2.5, "CO": 2}

# Private sectors: national employment (thousands, ~2019), average annual pay ($, 2019),
# average establishment size, yearly trend.
_SECTORS: dict[str, tuple[float, float, float, float]] = {
    "11": (1250, 38000, 9, 0.003),
    "21": (690, 105000, 21, -0.01),
    "22": (550, 112000, 31, 0.0),
    "23": (7500, 67000, 9, 0.015),
    "31-33": (12800, 68000, 37, -0.004),
    "42": (5900, 80000, 9.5, 0.004),
    "44-45": (15700, 33000, 15, 0.002),
    "48-49": (5400, 55000, 22, 0.025),
    "51": (2850, 125000, 17, 0.005),
    "52": (5900, 115000, 12, 0.008),
    "53": (2200, 62000, 5.5, 0.01),
    "54": (9400, 98000, 6.5, 0.02),
    "55": (2400, 130000, 37, 0.012),
    "56": (9200, 45000, 14, 0.012),
    "61": (2800, 52000, 27, 0.01),
    "62": (20400, 54000, 14, 0.02),
    "71": (2500, 42000, 18, 0.012),
    "72": (14000, 22000, 20, 0.012),
    "81": (4200, 40000, 5.5, 0.004),
    "99": (40, 50000, 1.5, 0.0),
}
# Government owners (1 federal, 2 state, 3 local): employment (thousands), pay, establishment size.
_GOVERNMENT = {"1": (2800, 88000, 60), "2": (4600, 60000, 70), "3": (14300, 52000, 45)}
# Sectors published with government owners, as shares of each owner's total.
_GOVERNMENT_SECTORS = {
    "61": {"1": 0.005, "2": 0.43, "3": 0.55},
    "62": {"1": 0.14, "2": 0.17, "3": 0.06},
    "92": {"1": 0.62, "2": 0.25, "3": 0.23},
}
# Employment relative to 2019 (the 2009 recession and the 2020 pandemic dip).
_MACRO = {
    2005: 0.905,
    2006: 0.92,
    2007: 0.935,
    2008: 0.93,
    2009: 0.885,
    2010: 0.878,
    2011: 0.888,
    2012: 0.903,
    2013: 0.918,
    2014: 0.936,
    2015: 0.955,
    2016: 0.971,
    2017: 0.985,
    2018: 0.996,
    2019: 1.0,
    2020: 0.94,
    2021: 0.965,
    2022: 1.0,
    2023: 1.02,
    2024: 1.032,
    2025: 1.04,
}


@dataclass
class Cell:
    """True (unsuppressed) values of one published row."""

    estabs: int
    emplvl: int
    wages: float
    taxable: float
    contributions: float
    suppressed: bool = False

    @property
    def weekly(self) -> int:
        return round(self.wages / self.emplvl / 52) if self.emplvl else 0

    @property
    def pay(self) -> int:
        return round(self.wages / self.emplvl) if self.emplvl else 0


Key = tuple[str, str, str, str]  # area_fips, own_code, industry_code, agglvl_code


def sample_years(world: World) -> list[int]:
    # The years the live download covers (WHD findings reach back to FY2005).
    return list(range(FIRST_YEAR, world.config.last_fiscal_year + 1))


def write_sample(world: World, out_dir: Path) -> list[Path]:
    """Write one annual slice per year and industry into `out_dir`; return the written paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for year, code, lines in generate_slices(world):
        path = out_dir / slice_filename(year, code)
        path.write_bytes(("\n".join([HEADER, *lines]) + "\n").encode("utf-8"))
        paths.append(path)
    return paths


def write_annual_singlefile(slices: list[Path], target: Path) -> Path:
    """Stack slices of one year into ``<YYYY>_annual_singlefile.zip`` (member ``<YYYY>.annual.singlefile.csv``)."""
    year = target.name[:4]
    lines = [HEADER]
    for path in slices:
        lines += path.read_text(encoding="utf-8").splitlines()[1:]
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        info = zipfile.ZipInfo(f"{year}.annual.singlefile.csv", date_time=(2026, 9, 3, 8, 30, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, "\n".join(lines) + "\n")
    return target


def generate_slices(world: World):
    """Yield (year, industry code, data lines) for every slice of the sample, in a fixed order."""
    economy = _Economy(world)
    years = sample_years(world)
    previous = economy.year_cells(years[0] - 1)
    for year in years:
        cells = economy.year_cells(year)
        for code in INDUSTRY_CODES:
            yield year, code, economy.slice_lines(year, code, cells, previous)
        previous = cells


class _Economy:
    """Plausible employment by state, sector and ownership, drawn once and moved year by year."""

    def __init__(self, world: World):
        self.rng = rng = world.child_rng("qcew")
        self.states = [s for s in STATES if s.code not in NOT_COVERED]
        n = len(self.states)
        share = np.array([_STATE_EMPLOYMENT[s.code] for s in self.states], dtype=float)
        self.share = share / share.sum()
        self.sectors = list(_SECTORS)
        # Sector trends relative to the economy-wide index (employment-weighted mean zero).
        sizes = np.array([_SECTORS[c][0] for c in self.sectors])
        trends = np.array([_SECTORS[c][3] for c in self.sectors])
        self.sector_trend = dict(zip(self.sectors, trends - (sizes * trends).sum() / sizes.sum(), strict=True))
        multiplier = rng.lognormal(0.0, 0.3, (n, len(self.sectors)))
        for i, state in enumerate(self.states):
            multiplier[i, self.sectors.index("11")] *= state.sample_weight("ag") ** 0.8
            multiplier[i, self.sectors.index("21")] *= _MINING.get(state.code, 1.0)
        allocation = self.share[:, None] * multiplier
        self.allocation = allocation / allocation.sum(axis=0)
        gov = self.share[:, None] * rng.lognormal(0.0, 0.15, (n, len(_GOVERNMENT)))
        self.gov_allocation = gov / gov.sum(axis=0)
        self.gov_sector_noise = rng.lognormal(0.0, 0.1, (n, len(_GOVERNMENT_SECTORS), len(_GOVERNMENT)))
        self.state_growth = rng.normal(0.0, 0.005, n)  # around the macro index, which carries the level
        self.wage_level = np.array([_WAGE_LEVEL.get(s.code, 1.0) for s in self.states]) * rng.lognormal(0, 0.06, n)
        self.taxable_share = rng.uniform(0.14, 0.26, n)
        self.contribution_rate = rng.uniform(0.008, 0.03, n)
        # Some cells are suppressed every year (a dominant employer), small ones whenever they are small.
        self.always_suppressed = rng.random((n, len(self.sectors) + len(_GOVERNMENT_SECTORS) * 3)) < 0.028
        county_count = max(3, round(COUNTIES_AT_SCALE_1 * world.config.scale))
        state_of_county = rng.choice(n, size=county_count, p=self.share)
        numbers = rng.choice(np.arange(1, 400, 2), size=county_count)
        pairs = zip(state_of_county.tolist(), numbers.tolist(), strict=True)
        self.counties = sorted({(s, f"{self.states[s].fips}{c:03d}") for s, c in pairs})
        self.county_share = {fips: float(rng.uniform(0.002, 0.12)) for _, fips in self.counties}
        self.county_suppressed = {fips: bool(rng.random() < 0.15) for _, fips in self.counties}
        self.msas = [(int(rng.choice(n, p=self.share)), f"C{int(rng.integers(1000, 4999))}") for _ in range(2)]

    # ------------------------------------------------------------------ true values by year

    def year_cells(self, year: int) -> dict[Key, Cell]:
        """Every national and state cell of `year`, drawn in a fixed order from the source's generator."""
        rng = self.rng
        t = year - 2019
        macro = _macro(year)
        n, k = len(self.states), len(self.sectors)
        state_trend = (1 + self.state_growth) ** t
        wage_growth = 1.03**t
        noise = rng.normal(1.0, 0.015, (n, k))
        gov_noise = rng.normal(1.0, 0.01, (n, len(_GOVERNMENT)))
        wage_noise = rng.normal(1.0, 0.02, (n, k + len(_GOVERNMENT)))
        cells: dict[Key, Cell] = {}
        for j, code in enumerate(self.sectors):
            national, pay, size, _ = _SECTORS[code]
            trend = (1 + self.sector_trend[code]) ** t
            employment = national * 1000 * self.allocation[:, j] * macro * trend * state_trend * noise[:, j]
            for i, state in enumerate(self.states):
                emp = max(3, round(employment[i]))
                wages = emp * pay * self.wage_level[i] * wage_growth * wage_noise[i, j]
                cells[(state.fips + "000", "5", code, "54")] = self._cell(i, emp, wages, size, private=True)
        for o, (owner, (national, pay, size)) in enumerate(_GOVERNMENT.items()):
            employment = national * 1000 * self.gov_allocation[:, o] * macro * state_trend * gov_noise[:, o]
            for i, state in enumerate(self.states):
                emp = max(10, round(employment[i]))
                wages = emp * pay * self.wage_level[i] * wage_growth * wage_noise[i, k + o]
                cells[(state.fips + "000", owner, "10", "51")] = self._cell(i, emp, wages, size, private=owner != "1")
                for s, (code, shares) in enumerate(_GOVERNMENT_SECTORS.items()):
                    part = shares[owner] * self.gov_sector_noise[i, s, o]
                    cells[(state.fips + "000", owner, code, "54")] = self._cell(
                        i, max(3, round(emp * part)), wages * part, size, private=owner != "1"
                    )
        self._suppress(cells)
        self._add_totals(cells)
        return cells

    def _cell(self, i: int, emp: int, wages: float, size: float, *, private: bool) -> Cell:
        taxable = wages * self.taxable_share[i] if private else 0.0  # federal wages are not UI-taxable
        contributions = round(taxable * self.contribution_rate[i])
        return Cell(max(1, round(emp / size)), emp, round(wages), round(taxable), contributions)

    def _suppress(self, cells: dict[Key, Cell]) -> None:
        columns = [(c, "5") for c in self.sectors] + [(c, o) for c in _GOVERNMENT_SECTORS for o in _GOVERNMENT]
        for i, state in enumerate(self.states):
            for j, (code, owner) in enumerate(columns):
                cell = cells.get((state.fips + "000", owner, code, "54"))
                if cell and (self.always_suppressed[i, j] or cell.emplvl < 40):
                    cell.suppressed = True

    def _add_totals(self, cells: dict[Key, Cell]) -> None:
        """State private and total rows, then national rows as sums over states."""
        for state in self.states:
            area = state.fips + "000"
            private = [cells[(area, "5", code, "54")] for code in self.sectors]
            cells[(area, "5", "10", "51")] = _sum(private)
            cells[(area, "0", "10", "50")] = _sum(private + [cells[(area, o, "10", "51")] for o in _GOVERNMENT])
        national: dict[Key, list[Cell]] = {}
        for (_area, owner, code, level), cell in cells.items():
            national_level = {"50": "10", "51": "11", "54": "14"}[level]
            national.setdefault((NATIONAL, owner, code, national_level), []).append(cell)
        for key, parts in national.items():
            cells[key] = _sum(parts)

    # ------------------------------------------------------------------ published lines

    def slice_lines(self, year: int, code: str, cells: dict[Key, Cell], previous: dict[Key, Cell]) -> list[str]:
        rows = [(key, cell) for key, cell in cells.items() if key[2] == code]
        rows.sort(key=lambda item: (item[0][0] != NATIONAL, item[0][0], item[0][1]))
        lines = []
        for key, cell in rows:
            area, owner, _, _ = key
            total_key = (area, "0", "10", "50" if area != NATIONAL else "10")
            national_key = (NATIONAL, owner, code, {"50": "10", "51": "11", "54": "14"}.get(key[3], key[3]))
            lq = _location_quotients(cell, cells[total_key], cells[national_key], cells[(NATIONAL, "0", "10", "10")])
            lines.append(_line(key, year, cell, previous.get(key), lq))
        lines += self._sub_state_lines(year, code, cells)
        return lines

    def _sub_state_lines(self, year: int, code: str, cells: dict[Key, Cell]) -> list[str]:
        """County and MSA rows: present in every real slice, dropped by the parser."""
        owner, county_level, msa_level = ("0", "70", "40") if code == "10" else ("5", "74", "44")
        if code not in _SECTORS and code != "10":
            owner = "3"  # public administration has no private rows: show local government
        level = "50" if code == "10" else "54"
        lines = []
        places = [(i, f, county_level, self.county_share[f], self.county_suppressed[f]) for i, f in self.counties]
        places += [(i, fips, msa_level, 0.3, False) for i, fips in self.msas]
        for i, fips, agglvl, share, suppressed in places:
            state_cell = cells.get((self.states[i].fips + "000", owner, code, level))
            if state_cell is None:
                continue
            emp = max(1, round(state_cell.emplvl * share))
            part = Cell(
                max(1, round(state_cell.estabs * share)),
                emp,
                round(state_cell.wages * share),
                round(state_cell.taxable * share),
                round(state_cell.contributions * share),
                suppressed,
            )
            lines.append(_line((fips, owner, code, agglvl), year, part, None, (1.0,) * 7))
        return lines


def _macro(year: int) -> float:
    if year in _MACRO:
        return _MACRO[year]
    edge = min(_MACRO) if year < min(_MACRO) else max(_MACRO)
    return _MACRO[edge] * 1.01 ** (year - edge)


def _sum(parts: list[Cell]) -> Cell:
    return Cell(
        sum(p.estabs for p in parts),
        sum(p.emplvl for p in parts),
        sum(p.wages for p in parts),
        sum(p.taxable for p in parts),
        sum(p.contributions for p in parts),
    )


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def _location_quotients(cell: Cell, area_total: Cell, national: Cell, national_total: Cell) -> tuple[float, ...]:
    def lq(get) -> float:
        return _ratio(_ratio(get(cell), get(area_total)), _ratio(get(national), get(national_total)))

    return tuple(
        lq(get)
        for get in (
            lambda c: c.estabs,
            lambda c: c.emplvl,
            lambda c: c.wages,
            lambda c: c.taxable,
            lambda c: c.contributions,
            lambda c: c.weekly,
            lambda c: c.pay,
        )
    )


def _line(key: Key, year: int, cell: Cell, before: Cell | None, lq: tuple[float, ...]) -> str:
    """One data line exactly as BLS writes it: codes quoted, numbers bare, suppressed measures as 0."""
    area, owner, code, level = key
    hidden = cell.suppressed
    codes = f'"{area}","{owner}","{code}","{level}","0","{year}","A","{"N" if hidden else ""}"'
    measures = [cell.estabs] + (
        [0] * 6
        if hidden
        else [cell.emplvl, round(cell.wages), round(cell.taxable), round(cell.contributions), cell.weekly, cell.pay]
    )
    quotients = [f"{lq[0]:.2f}"] + (["0"] * 6 if hidden else [f"{q:.2f}" for q in lq[1:]])
    changes = _over_the_year(cell, before)
    lq_flag = '"N"' if hidden else '""'
    oty_flag = '"N"' if hidden or (before is not None and before.suppressed) else '""'
    if oty_flag == '"N"':
        changes = changes[:2] + ["0"] * 12
    return ",".join([codes, *map(str, measures), lq_flag, *quotients, oty_flag, *changes])


def _over_the_year(cell: Cell, before: Cell | None) -> list[str]:
    out: list[str] = []
    pairs = [
        (cell.estabs, before.estabs if before else None),
        (cell.emplvl, before.emplvl if before else None),
        (round(cell.wages), round(before.wages) if before else None),
        (round(cell.taxable), round(before.taxable) if before else None),
        (round(cell.contributions), round(before.contributions) if before else None),
        (cell.weekly, before.weekly if before else None),
        (cell.pay, before.pay if before else None),
    ]
    for now, then in pairs:
        if then is None:
            out += ["0", "0.0"]
            continue
        change = now - then
        out += [str(change), f"{(100.0 * change / then if then else 0.0) + 0.0:.1f}"]
    return out
