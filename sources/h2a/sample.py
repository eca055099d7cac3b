"""Write H-2A disclosure sample files in the real per-year formats, drawn from the shared sample world.

One main workbook per fiscal year under its real file name (FY2013 as an old .xls via xlwt, the rest
.xlsx via xlsxwriter in constant-memory mode), header in row 1 of the only sheet, with that year's
exact header (real order for FY2012/FY2016/FY2021, the documented derived order otherwise), plus an
Addendum B Employment workbook per year from FY2020. Value conventions follow the era:

- case numbers ``C-YYDDD-NNNNN`` to FY2012, ``H-300-YYDDD-NNNNNN`` from FY2013 (YYDDD = received date);
- CASE_STATUS title case (to FY2013), ``DETERMINATION ISSUED - ...`` (FY2014-19, with EXPIRED),
  ``Determination Issued - ...`` with ``(Expired)`` (FY2020+);
- ORGANIZATION_FLAG codes S/J/A to FY2014, labels FY2015-19; TYPE_OF_EMPLOYER_APPLICATION and
  H2A_LABOR_CONTRACTOR Y/N from FY2020; PRIMARY/SUB PRI/SUB in FY2016-19;
- pay units HR/WK/MTH to FY2014, Hour/Week/Month later; ZIP codes as numbers to FY2013;
- date cells in most years, raw Excel serial numbers (time fraction on decision dates) in
  `SERIAL_DATE_YEARS`; denied/withdrawn certified counts blank (to FY2013, FY2020+) or 0 (FY2014-19).

Planted patterns: employers that file every year under varying spellings; association and joint
filings with a master row whose certified count already includes its member rows (the master is
not always first); labor contractors with grower sub-rows or Addendum B worksites; partial
certifications, denials, withdrawals, expired certifications; debarred employers denied during
their debarment, and the `certified_again` ones certified after its start; the
`unlicensed_contractors` certified in the last fiscal year (the MSPA registry lacks them). Every written row is
recorded in the world's ground truth (datasets ``h2a`` and ``h2a_addendum_b``).

What the format details rest on (verified vs assumed) is in docs/research/h2a_columns.md.
"""

from __future__ import annotations

import pickle
import tempfile
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from sources.common.sample_world import (
    Employer,
    PlantedDebarment,
    World,
    address_variant,
    fein_variant,
    naics_variant,
    name_variant,
    planted_debarments,
    unlicensed_contractors,
    zip_variant,
)
from sources.h2a.columns import MAPPED
from sources.h2a.fetch import ADDENDUM_B_FILES, DISCLOSURE_FILES
from sources.h2a.headers import ADDENDUM_B_SAMPLE_HEADER, era_for_year

ROWS_FY2008_AT_SCALE_1 = 8_000
ROWS_FY2025_AT_SCALE_1 = 25_000
MIN_CASES_PER_YEAR = 30
XLS_MAX_DATA_ROWS = 65_535  # BIFF8 sheet limit (65,536 rows including the header)
SERIAL_DATE_YEARS = frozenset({2017, 2022})  # dates written as raw Excel serial numbers
NUMERIC_ZIP_YEARS = frozenset(range(2008, 2014))  # ZIP codes written as numbers (leading zeros lost)
# Before FY2015 a labor contractor's filing is coded "S" like any single employer: files cannot tell.
FIRST_YEAR_NAMING_LABOR_CONTRACTORS = 2015
_EXCEL_EPOCH = datetime(1899, 12, 30)
_CREATED = datetime(2026, 1, 1)  # fixed workbook property: the same world always gives the same bytes

CERTIFIED_OUTCOMES = frozenset({"full", "partial"})

_STATUS_TITLE = {
    "full": "Certified - Full",
    "partial": "Certified - Partial",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
}
_STATUS_UPPER = {
    "full": "DETERMINATION ISSUED - CERTIFICATION",
    "partial": "DETERMINATION ISSUED - PARTIAL CERTIFICATION",
    "denied": "DETERMINATION ISSUED - DENIED",
    "withdrawn": "DETERMINATION ISSUED - WITHDRAWN",
}
_STATUS_FLAG = {
    "full": "Determination Issued - Certification",
    "partial": "Determination Issued - Partial Certification",
    "denied": "Determination Issued - Denied",
    "withdrawn": "Determination Issued - Withdrawn",
}
# ORGANIZATION_FLAG codes (verified for FY2012: S, J, A, blank on member rows) and labels (FY2016).
_FILER_CODE = {"individual": "S", "flc": "S", "assoc_agent": "S", "assoc_joint": "A", "assoc_sole": "A", "joint": "J"}
_FILER_LABEL = {
    "individual": "Individual Employer",
    "flc": "H-2A Labor Contractor or Job Contractor",
    "assoc_agent": "Association - Filing as Agent (H-2A Only)",
    "assoc_joint": "Association - Joint Employer (H-2A Only)",
    "assoc_sole": "Association - Sole Employer (H-2A Only)",
    "joint": "Association - Joint Employer (H-2A Only)",
}
# FY2020+ TYPE_OF_EMPLOYER_APPLICATION (labels seen in public loaders, not in a real file here) and
# AG_ASSN_OR_AGENCY_STATUS (FY2024+; values ASSUMED).
_FILER_FLAG = {
    "individual": "Individual Employer",
    "flc": "Individual Employer",
    "assoc_agent": "Association - Agent",
    "assoc_joint": "Association - Joint Employer",
    "assoc_sole": "Association - Sole Employer",
    "joint": "Association - Joint Employer",
}
_AG_ASSN_STATUS = {"assoc_agent": "Agent", "assoc_joint": "Joint Employer", "assoc_sole": "Sole Employer"}
# Hourly / weekly / monthly offers: (FY2008 level, yearly rise, spread), roughly the AEWR and range wages.
_WAGES = {"hour": (9.0, 0.45, 0.8), "week": (420.0, 15.0, 30.0), "month": (750.0, 70.0, 40.0)}
_UNIT_CODE = {"hour": "HR", "week": "WK", "month": "MTH"}
_UNIT_WORD = {"hour": "Hour", "week": "Week", "month": "Month"}

# (weight, SOC code, SOC title as published (truncated), job titles, crops, pay unit)
_JOBS = [
    (
        0.80,
        "45-2092",
        "Farmworkers and Laborers, Crop, Nursery, and",
        ["FARMWORKER", "Farm Worker", "FARMWORKERS AND LABORERS, CROP", "General Farm Laborer", "Crop Harvester"],
        [
            "Tobacco",
            "Apples",
            "Strawberries",
            "Blueberries",
            "Vegetables",
            "Citrus",
            "Sweet Potatoes",
            "Onions",
            "Watermelons",
            "Nursery",
            "General Farm Labor",
            "Cherries",
            "Peaches",
            "Grapes",
        ],
        "hour",
    ),
    (
        0.08,
        "45-2093",
        "Farmworkers, Farm, Ranch, and Aquacultural Animals",
        ["Sheepherder", "Range Livestock Worker", "FARMWORKERS, FARM AND RANCH ANIMALS"],
        ["Sheepherder", "Range Cattle", "Goatherder"],
        "month",
    ),
    (
        0.07,
        "45-2091",
        "Agricultural Equipment Operators",
        ["Custom Combine Operator", "Agricultural Equipment Operator", "Tractor Driver"],
        ["Grain", "Hay", "Custom Combine", "Corn"],
        "hour",
    ),
    (
        0.05,
        "45-2093",
        "Farmworkers, Farm, Ranch, and Aquacultural Animals",
        ["Dairy Worker", "Livestock Worker", "Crawfish Laborer"],
        ["Dairy", "Crawfish", "Cattle", "Hogs"],
        "week",
    ),
]
_OUTCOMES = (("full", 0.86), ("partial", 0.06), ("denied", 0.03), ("withdrawn", 0.05))
_NATURE = ["Seasonal"] * 14 + ["Peakload", "One-Time Occurrence", "Intermittent or Other Temporary Need"]
_FIRST_NAMES = (
    "Maria",
    "Jose",
    "Juan",
    "Ana",
    "Luis",
    "Carmen",
    "John",
    "Mary",
    "Robert",
    "Linda",
    "David",
    "Susan",
    "James",
    "Karen",
    "Betsy",
    "Kelly",
)
_LAST_NAMES = (
    "Rowe",
    "Parkin",
    "Broussard",
    "Alvarez",
    "Tran",
    "Keller",
    "Ortiz",
    "Brennan",
    "Hughes",
    "Santos",
    "Meyer",
    "Castillo",
)
_LAWFIRMS = [
    "Snake River Farmers Association Inc",
    "Farm Labor Services LLC",
    "Agri Visa Consultants",
    "Harvest Law Group PC",
    "MAS Labor H2A LLC",
    "Growers Legal Services",
    "Valley Immigration Law",
]
_COUNTIES = (
    "Kern",
    "Fresno",
    "Yakima",
    "Grant",
    "Collier",
    "Lee",
    "Hidalgo",
    "Tulare",
    "Monterey",
    "Sampson",
    "Wake",
    "Okanogan",
    "Chelan",
    "Bladen",
)
_TOWNS = (
    "Dietrich",
    "Rayne",
    "Palmetto",
    "Buhl",
    "Chowchilla",
    "Wenatchee",
    "Immokalee",
    "Vidalia",
    "Salinas",
    "Othello",
    "Tifton",
    "Plant City",
)


@dataclass
class SampleRow:
    """One published row: the filer's (master) row or a member / grower row of the same case."""

    employer: Employer
    name: str  # as written
    is_master: bool
    requested: int
    certified: int | None  # as written; None = blank cell
    address1: str
    address2: str | None
    city: str
    postal_code: str  # text form; written as a number in NUMERIC_ZIP_YEARS
    worksite_city: str
    worksite_state: str
    worksite_postal_code: str
    worksite_county: str
    trade_name: str | None
    naics: str  # as coded on this row (now and then another code of the same sector)
    fein: str  # as keyed (a few swapped digits)


@dataclass
class SampleWorksite:
    """One Addendum B Employment row (FY2020+)."""

    employer: Employer
    name: str
    address1: str
    address2: str | None
    city: str
    state: str
    postal_code: str
    total_workers: int
    additional_info: str | None


@dataclass
class SampleCase:
    """One application: its rows as published and what the generator intends them to say."""

    fiscal_year: int
    case_number: str
    filer: str  # individual, flc, assoc_agent, assoc_joint, assoc_sole, joint
    outcome: str  # full, partial, denied, withdrawn
    expired: bool
    decision: datetime
    received: date
    begin: date
    end: date
    wage: float
    unit: str  # hour, week, month
    job_title: str
    soc_code: str
    soc_title: str
    crop: str
    nature: str
    agent: tuple[str, str] | None  # (first, last)
    lawfirm: str | None
    rows: list[SampleRow] = field(default_factory=list)
    worksites: list[SampleWorksite] = field(default_factory=list)
    workers_certified: int | None = None  # intended per case: the master row's count (blank -> None)
    planted: bool = False  # a planted lead (never dropped to fit a sheet)

    @property
    def is_certified(self) -> bool:
        return self.outcome in CERTIFIED_OUTCOMES

    @property
    def filer_employer(self) -> Employer:
        return next(r.employer for r in self.rows if r.is_master)


def _cumulative(weights: Sequence[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        total += weight
        out.append(total)
    return out


_OUTCOME_CUMULATIVE = _cumulative([w for _, w in _OUTCOMES])
_JOB_CUMULATIVE = _cumulative([job[0] for job in _JOBS])


def _weighted(rng: np.random.Generator, cumulative: list[float]) -> int:
    """Index drawn with the given cumulative weights (one uniform draw; cheaper than rng.choice)."""
    return min(bisect(cumulative, rng.random() * cumulative[-1]), len(cumulative) - 1)


def _clipped(value: float, high: int) -> int:
    return min(max(round(value), 1), high)


def rows_target(fiscal_year: int, scale: float) -> float:
    """Published rows expected for a fiscal year: ~8k in FY2008 growing linearly to ~25k in FY2025, x scale."""
    share = (fiscal_year - 2008) / (2025 - 2008)
    rows = ROWS_FY2008_AT_SCALE_1 + share * (ROWS_FY2025_AT_SCALE_1 - ROWS_FY2008_AT_SCALE_1)
    return max(ROWS_FY2008_AT_SCALE_1, rows) * scale


def disclosure_file_name(fiscal_year: int) -> str:
    return DISCLOSURE_FILES.get(fiscal_year, f"H-2A_Disclosure_Data_FY{fiscal_year}_Q4.xlsx")


def addendum_b_file_name(fiscal_year: int) -> str:
    return ADDENDUM_B_FILES.get(fiscal_year, f"H-2A_Addendum_B_Employment_Record_FY{fiscal_year}_Q4.xlsx")


def sheet_name(fiscal_year: int) -> str:
    # Real: H-2A_FY2012_Q4 (FY2012) and H-2A_FY2016 (FY2016); other years follow these two (assumed).
    return f"H-2A_FY{fiscal_year}_Q4" if fiscal_year <= 2014 else f"H-2A_FY{fiscal_year}"


# ------------------------------------------------------------------------------------------------
# Generation
# ------------------------------------------------------------------------------------------------


def generate_cases(world: World) -> dict[int, list[SampleCase]]:
    """Every fiscal year's cases, deterministic from `world.child_rng("h2a")`; records the ground truth."""
    return dict(iter_years(world))


def iter_years(world: World) -> Iterator[tuple[int, list[SampleCase]]]:
    """(fiscal year, its final cases) in year order, one year in memory at a time; records the ground truth.

    The planted leads are drawn after every year's ordinary cases and land in earlier years, so the
    ordinary cases wait on disk (pickled, one file a year) until then: the same draws in the same
    order, so the same bytes, as when every year was held in memory.
    """
    generator = _Generator(world)
    years = world.config.fiscal_years
    with tempfile.TemporaryDirectory(prefix="h2a-sample-") as spill:
        for fy in years:
            _spill(Path(spill) / str(fy), generator.year(fy))
        planted: dict[int, list[SampleCase]] = {fy: [] for fy in years}
        generator.plant_certified_again(planted)
        generator.plant_unlicensed_contractors(planted)
        for fy in years:
            year_cases = _unspill(Path(spill) / str(fy)) + planted.pop(fy)
            year_cases.sort(key=lambda c: c.case_number)
            if fy == 2013:  # old .xls: keep within the sheet's row limit at large scales
                _fit_rows(year_cases, XLS_MAX_DATA_ROWS)
            _record_truth(world, year_cases)
            yield fy, year_cases


def _spill(path: Path, cases: list[SampleCase]) -> None:
    with open(path, "wb") as handle:
        pickle.dump(cases, handle, protocol=pickle.HIGHEST_PROTOCOL)


def _unspill(path: Path) -> list[SampleCase]:
    with open(path, "rb") as handle:
        return pickle.load(handle)


def _record_truth(world: World, cases: list[SampleCase]) -> None:
    for case in cases:
        for number, row in enumerate(case.rows, start=1):
            world.truth.add(row.employer, "h2a", f"{case.case_number}#{number}", row.name)
        for number, site in enumerate(case.worksites, start=1):
            world.truth.add(site.employer, "h2a_addendum_b", f"{case.case_number}#{number}", site.name)


def unplaceable_certified_again(world: World) -> list[PlantedDebarment]:
    """`certified_again` H-2A debarments starting too late for any sampled fiscal year (none get a case)."""
    last = _fy_end(world.config.fiscal_years[-1])
    return [d for d in _h2a_debarments(world) if d.certified_again and d.start >= last]


def _fit_rows(cases: list[SampleCase], limit: int) -> None:
    """Drop the last ordinary cases so the rows fit `limit` (planted leads are always kept)."""
    budget = limit - sum(len(c.rows) for c in cases if c.planted)
    kept = []
    for case in cases:
        if not case.planted:
            if len(case.rows) > budget:
                continue
            budget -= len(case.rows)
        kept.append(case)
    cases[:] = kept


def _fy_start(fy: int) -> date:
    return date(fy - 1, 10, 1)


def _fy_end(fy: int) -> date:
    return date(fy, 9, 30)


def _h2a_debarments(world: World) -> list[PlantedDebarment]:
    return [d for d in planted_debarments(world) if d.program == "H-2A"]


class _Generator:
    def __init__(self, world: World):
        self.world = world
        self.rng = world.child_rng("h2a")
        self.scale = world.config.scale
        self.used_numbers: set[str] = set()
        rng = self.rng
        ag = world.of_kind("ag")
        flc = world.of_kind("flc")
        # A few agricultural employers act as associations (master rows of association filings).
        n_assoc = max(2, round(len(ag) * 0.02))
        picks = set(rng.choice(len(ag), size=n_assoc, replace=False).tolist())
        self.associations = [e for i, e in enumerate(ag) if i in picks]
        self.growers = [e for i, e in enumerate(ag) if i not in picks]
        self.filers = self.growers + flc
        # Persistence: about a third file every year; the rest enter over time and some leave.
        self.first_year: dict[int, int] = {}
        self.last_year: dict[int, int] = {}
        self.persistent: set[int] = set()
        last_fy = max(world.config.fiscal_years)
        for employer in self.filers:
            key = employer.entity_id
            if rng.random() < 0.35:
                self.persistent.add(key)
                self.first_year[key], self.last_year[key] = 2008, last_fy
            else:
                first = 2008 if rng.random() < 0.25 else int(rng.integers(2009, 2026))
                self.first_year[key] = first
                self.last_year[key] = min(last_fy, first + int(rng.geometric(0.12)))
        ranks = rng.permutation(len(self.filers)) + 1
        self.weight = {e.entity_id: 1.0 / float(r) ** 0.8 for e, r in zip(self.filers, ranks, strict=True)}
        self.debarments: dict[int, list[PlantedDebarment]] = {}
        for debarment in _h2a_debarments(world):
            self.debarments.setdefault(debarment.employer.entity_id, []).append(debarment)

    # --- one fiscal year -----------------------------------------------------------------------

    def year(self, fy: int) -> list[SampleCase]:
        rng = self.rng
        per_case = 1.0 if fy >= 2020 else 1.35
        n = max(MIN_CASES_PER_YEAR, round(rows_target(fy, self.scale) / per_case))
        n_assoc = max(1, round(n * 0.04))
        active = [e for e in self.filers if self.first_year[e.entity_id] <= fy <= self.last_year[e.entity_id]]
        if not active:
            active = self.filers
        regular: list[Employer] = [e for e in active if e.entity_id in self.persistent]
        order = rng.permutation(len(regular)).tolist()
        regular = [regular[i] for i in order][: n - n_assoc]
        if len(regular) < n - n_assoc:
            weights = np.array([self.weight[e.entity_id] for e in active])
            extra = rng.choice(len(active), size=n - n_assoc - len(regular), p=weights / weights.sum())
            regular += [active[i] for i in extra.tolist()]
        cases = []
        for employer in regular:
            if employer.kind == "flc":
                filer = "flc"
            else:
                roll = rng.random()
                filer = "assoc_agent" if roll < 0.15 else ("joint" if roll < 0.18 and fy <= 2014 else "individual")
            cases.append(self.case(fy, filer, employer))
        for _ in range(n_assoc):
            association = self.associations[int(rng.integers(len(self.associations)))]
            filer = "assoc_sole" if rng.random() < 0.1 else "assoc_joint"
            cases.append(self.case(fy, filer, association))
        return cases

    def decision_in(self, low: date, high: date, fy: int) -> datetime:
        day = low + timedelta(days=int(self.rng.integers(0, (high - low).days + 1)))
        if fy < 2015:  # iCERT-era files publish dates without a time
            return datetime.combine(day, time())
        seconds = int(self.rng.integers(7 * 3600, 19 * 3600))
        return datetime.combine(day, time()) + timedelta(seconds=seconds)

    def case(
        self, fy: int, filer: str, employer: Employer, *, decision: datetime | None = None, outcome: str | None = None
    ) -> SampleCase:
        rng = self.rng
        decision = decision or self.decision_in(_fy_start(fy), _fy_end(fy), fy)
        received = decision.date() - timedelta(days=int(rng.integers(12, 75)))
        begin = received + timedelta(days=int(rng.integers(30, 76)))
        end = begin + timedelta(days=int(rng.integers(60, 331)))
        if outcome is None:
            outcome = _OUTCOMES[_weighted(rng, _OUTCOME_CUMULATIVE)][0]
            if self._debarred_at(employer, decision.date()):
                outcome = "denied"
        expired = fy >= 2014 and outcome in CERTIFIED_OUTCOMES and rng.random() < 0.15
        _, soc, soc_title, titles, crops, unit = _JOBS[_weighted(rng, _JOB_CUMULATIVE)]
        base, per_year, spread = _WAGES[unit]
        wage = base + per_year * (fy - 2008) + spread * rng.standard_normal()
        represented = rng.random() < 0.55 or filer == "assoc_agent"
        lawfirm = None
        if filer == "assoc_agent":
            association = self.associations[int(rng.integers(len(self.associations)))]
            lawfirm = name_variant(association, rng, style="upper")
        elif represented and rng.random() < 0.5:
            lawfirm = _LAWFIRMS[int(rng.integers(len(_LAWFIRMS)))]
        case = SampleCase(
            fiscal_year=fy,
            case_number=self.case_number(fy, received),
            filer=filer,
            outcome=outcome,
            expired=expired,
            decision=decision,
            received=received,
            begin=begin,
            end=end,
            wage=round(max(wage, 5.0), 2),
            unit=unit,
            job_title=titles[int(rng.integers(len(titles)))],
            soc_code=soc,
            soc_title=soc_title,
            crop=crops[int(rng.integers(len(crops)))],
            nature=_NATURE[int(rng.integers(len(_NATURE)))],
            agent=(_FIRST_NAMES[int(rng.integers(len(_FIRST_NAMES)))], _LAST_NAMES[int(rng.integers(len(_LAST_NAMES)))])
            if represented
            else None,
            lawfirm=lawfirm,
        )
        self.fill_rows(case, employer)
        return case

    def case_number(self, fy: int, received: date) -> str:
        stem = f"{received.year % 100:02d}{received.timetuple().tm_yday:03d}"
        while True:
            if fy <= 2012:
                number = f"C-{stem}-{int(self.rng.integers(10_000, 100_000)):05d}"
            else:
                number = f"H-300-{stem}-{int(self.rng.integers(100_000, 1_000_000)):06d}"
            if number not in self.used_numbers:
                self.used_numbers.add(number)
                return number

    def _debarred_at(self, employer: Employer, day: date) -> bool:
        debarments = self.debarments.get(employer.entity_id, [])
        return any(d.start <= day <= d.end and not d.certified_again for d in debarments)

    # --- rows and worksites --------------------------------------------------------------------

    def fill_rows(self, case: SampleCase, employer: Employer) -> None:
        rng = self.rng
        fy = case.fiscal_year
        members: list[Employer] = []
        if case.filer in ("assoc_joint", "assoc_sole"):
            members = self.pick_growers(2 + min(int(rng.geometric(0.22)), 24), exclude=employer)
        elif case.filer == "joint":
            members = self.pick_growers(1 + int(rng.integers(1, 4)), exclude=employer)
        elif case.filer == "flc" and rng.random() < 0.4:
            members = self.pick_growers(int(rng.integers(1, 4)), exclude=employer)
        member_requested = [_clipped(rng.lognormal(1.3, 0.8), 80) for _ in members]
        own_requested = 0 if case.filer in ("assoc_joint", "assoc_sole") else _clipped(rng.lognormal(2.2, 1.0), 1500)
        if case.outcome == "partial":
            own_requested = max(own_requested, 2) if own_requested else 0
            member_requested = [max(r, 2) for r in member_requested]
        member_certified = [self.certified(case, r) for r in member_requested]
        own_certified = self.certified(case, own_requested) if own_requested else (0 if case.is_certified else None)
        total_requested = own_requested + sum(member_requested)
        if case.is_certified:
            total_certified: int | None = (own_certified or 0) + sum(c or 0 for c in member_certified)
        else:
            total_certified = self.certified(case, total_requested)
        case.workers_certified = total_certified
        master = self.row(case, employer, is_master=True, requested=total_requested, certified=total_certified)
        if fy >= 2020:  # one row per case; members and growers are Addendum B worksites
            case.rows = [master]
            for member, requested in zip(members, member_requested, strict=True):
                case.worksites.append(self.worksite(member, requested))
            if case.filer == "individual" and rng.random() < 0.15:
                for _ in range(int(rng.integers(1, 3))):
                    case.worksites.append(self.worksite(employer, int(rng.integers(1, max(2, total_requested) + 1))))
            return
        member_rows = [
            self.row(case, member, is_master=False, requested=r, certified=c)
            for member, r, c in zip(members, member_requested, member_certified, strict=True)
        ]
        case.rows = [*member_rows, master] if member_rows and rng.random() < 0.15 else [master, *member_rows]

    def certified(self, case: SampleCase, requested: int) -> int | None:
        if case.outcome == "full":
            return requested
        if case.outcome == "partial":
            return int(self.rng.integers(1, requested)) if requested >= 2 else requested
        # Denied / withdrawn: blank in the iCERT and FLAG eras, 0 in FY2014-FY2019 (as in FY2012/FY2016).
        return 0 if 2014 <= case.fiscal_year <= 2019 else None

    def pick_growers(self, count: int, *, exclude: Employer) -> list[Employer]:
        count = min(count, len(self.growers) - 1)
        picks = self.rng.choice(len(self.growers), size=count + 1, replace=False).tolist()
        return [g for g in (self.growers[i] for i in picks) if g.entity_id != exclude.entity_id][:count]

    def row(
        self, case: SampleCase, employer: Employer, *, is_master: bool, requested: int, certified: int | None
    ) -> SampleRow:
        rng = self.rng
        name = name_variant(employer, rng)
        if case.fiscal_year <= 2014 and rng.random() < 0.6:  # iCERT-era records are mostly upper case
            name = name.upper()
        city = employer.city.upper() if rng.random() < 0.3 else employer.city
        return SampleRow(
            employer=employer,
            name=name,
            is_master=is_master,
            requested=requested,
            certified=certified,
            address1=address_variant(employer, rng),
            address2=f"PO Box {int(rng.integers(1, 9999))}" if rng.random() < 0.08 else None,
            city=city,
            postal_code=zip_variant(employer, rng),
            worksite_city=employer.city if rng.random() < 0.75 else _TOWNS[int(rng.integers(len(_TOWNS)))],
            worksite_state=employer.state,
            worksite_postal_code=employer.zip5,
            worksite_county=_COUNTIES[int(rng.integers(len(_COUNTIES)))],
            trade_name=employer.trade_name if employer.trade_name != employer.name and rng.random() < 0.4 else None,
            naics=naics_variant(employer, rng),
            fein=fein_variant(employer, rng),
        )

    def worksite(self, employer: Employer, workers: int) -> SampleWorksite:
        rng = self.rng
        return SampleWorksite(
            employer=employer,
            name=name_variant(employer, rng),
            address1=address_variant(employer, rng),
            address2=None if rng.random() < 0.9 else f"Field {int(rng.integers(1, 40))}",
            city=employer.city if rng.random() < 0.7 else _TOWNS[int(rng.integers(len(_TOWNS)))],
            state=employer.state,
            postal_code=employer.zip5,
            total_workers=workers,
            additional_info=None if rng.random() < 0.8 else "Directions available from the employer",
        )

    # --- planted leads -------------------------------------------------------------------------

    def plant_certified_again(self, cases: dict[int, list[SampleCase]]) -> None:
        """Each `certified_again` H-2A debarred employer gets a certified case decided after the start."""
        years = sorted(cases)
        for debarment in _h2a_debarments(self.world):
            if not debarment.certified_again:
                continue
            for fy in years:
                low = max(_fy_start(fy), debarment.start + timedelta(days=1))
                if low <= _fy_end(fy):
                    employer = debarment.employer
                    decision = self.decision_in(low, _fy_end(fy), fy)
                    filer = "flc" if employer.kind == "flc" else "individual"
                    case = self.case(fy, filer, employer, decision=decision, outcome="full")
                    case.planted = True
                    cases[fy].append(case)
                    break

    def plant_unlicensed_contractors(self, cases: dict[int, list[SampleCase]]) -> None:
        """Each unlicensed contractor gets a certified labor-contractor case in the last fiscal year."""
        fy = max(cases)
        for employer in unlicensed_contractors(self.world):
            case = self.case(fy, "flc", employer, outcome="full")
            case.planted = True
            cases[fy].append(case)


# ------------------------------------------------------------------------------------------------
# Rendering one row in its era's conventions
# ------------------------------------------------------------------------------------------------


def _serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return (moment - _EXCEL_EPOCH) / timedelta(days=1)


def _date_value(value: date | datetime | None, fy: int) -> object:
    if value is None:
        return None
    return _serial(value) if fy in SERIAL_DATE_YEARS else value


def status_text(case: SampleCase) -> str:
    fy = case.fiscal_year
    if fy <= 2013:
        return _STATUS_TITLE[case.outcome]
    if fy <= 2019:
        return _STATUS_UPPER[case.outcome] + (" EXPIRED" if case.expired else "")
    return _STATUS_FLAG[case.outcome] + (" (Expired)" if case.expired else "")


def filer_text(case: SampleCase, row: SampleRow) -> str | None:
    fy = case.fiscal_year
    if fy >= 2020:
        return _FILER_FLAG[case.filer]
    if not row.is_master:
        return None  # member rows carry no organization flag
    return _FILER_CODE[case.filer] if fy < FIRST_YEAR_NAMING_LABOR_CONTRACTORS else _FILER_LABEL[case.filer]


def published_values(case: SampleCase, row: SampleRow) -> dict[str, object]:
    """Published column -> cell value for one row (every era's spelling; the writer keeps its header's)."""
    fy = case.fiscal_year
    certified_dates = case.is_certified
    canonical: dict[str, object] = {
        "case_number": case.case_number,
        "case_status": status_text(case),
        "decision_date": _date_value(case.decision if fy >= 2015 else case.decision.date(), fy),
        "received_date": _date_value(case.received, fy),
        "visa_class": "H-2A",
        "employer_name": row.name,
        "trade_name_dba": row.trade_name,
        "employer_address1": row.address1,
        "employer_address2": row.address2,
        "employer_city": row.city,
        "employer_state": row.employer.state,
        "employer_postal_code": float(row.postal_code[:5]) if fy in NUMERIC_ZIP_YEARS else row.postal_code,
        "employer_country": "UNITED STATES OF AMERICA",
        # One number per employer (ids below 8 million), as each employer has its own line.
        "employer_phone": f"{200 + (row.employer.entity_id // 10_000) % 800}-555-{row.employer.entity_id % 10_000:04d}",
        "employer_fein": row.fein,
        "agent_attorney_name": " ".join(case.agent) if case.agent else None,
        "lawfirm_name": case.lawfirm,
        "job_title": case.job_title,
        "soc_code": case.soc_code,
        "soc_title": case.soc_title,
        "naics_code": row.naics if (fy >= 2017 or row.is_master) else None,
        "primary_crop": case.crop,
        "workers_requested": float(row.requested),
        "workers_certified": None if row.certified is None else float(row.certified),
        "total_workers_needed": float(row.requested + (row.requested // 10)),
        "requested_begin_date": _date_value(case.begin, fy),
        "requested_end_date": _date_value(case.end, fy),
        "certification_begin_date": _date_value(case.begin if certified_dates else None, fy),
        "certification_end_date": _date_value(case.end if certified_dates else None, fy),
        "employment_begin_date": _date_value(case.begin - timedelta(days=1), fy),
        "employment_end_date": _date_value(case.end, fy),
        "wage_rate": case.wage,
        "wage_unit": (_UNIT_CODE if fy <= 2014 else _UNIT_WORD)[case.unit],
        "worksite_city": row.worksite_city,
        "worksite_state": row.worksite_state,
        "worksite_postal_code": row.worksite_postal_code,
        "worksite_county": row.worksite_county,
        "filer_type": filer_text(case, row),
        "primary_sub": "PRI" if row.is_master else "SUB",
        "is_labor_contractor": "Y" if case.filer == "flc" else "N",
        "ag_association_status": _AG_ASSN_STATUS.get(case.filer),
        "nature_of_temporary_need": case.nature,
    }
    values = {published: canonical[name] for published, name in MAPPED.items() if name in canonical}
    # A few of the dropped columns, filled as published, so the files look like the real ones.
    values.update(
        {
            "BASIC_NUMBER_OF_HOURS": 40.0 if case.unit != "month" else 48.0,
            "ANTICIPATED_NUMBER_OF_HOURS": 40.0 if case.unit != "month" else 48.0,
            "FULL_TIME_POSITION": "Y",
            "FULL_TIME": "Y",
            "EMERGENCY_FILING": "N",
            "JOB_ORDER_NUMBER": f"{case.case_number[-6:]}",
            "JOB_IDNUMBER": f"{case.case_number[-6:]}",
            "TYPE_OF_REPRESENTATION": "Agent" if case.agent else "None",
        }
    )
    if case.agent:
        values["ATTORNEY_AGENT_FIRST_NAME"], values["ATTORNEY_AGENT_LAST_NAME"] = case.agent
    return values


def worksite_values(case: SampleCase, site: SampleWorksite) -> dict[str, object]:
    return {
        "CASE_NUMBER": case.case_number,
        "NAME_OF_AGRICULTURAL_BUSINESS": site.name,
        "PLACE_OF_EMPLOYMENT_ADDRESS1": site.address1,
        "PLACE_OF_EMPLOYMENT_ADDRESS2": site.address2,
        "PLACE_OF_EMPLOYMENT_CITY": site.city,
        "PLACE_OF_EMPLOYMENT_STATE": site.state,
        "PLACE_OF_EMPLOYMENT_POSTAL_CODE": site.postal_code,
        "TOTAL_WORKERS": float(site.total_workers),
        "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO": site.additional_info,
    }


# ------------------------------------------------------------------------------------------------
# Writing
# ------------------------------------------------------------------------------------------------


def write_sample(world: World, out_dir: Path) -> list[Path]:
    """Write every fiscal year's disclosure file and (FY2020+) Addendum B file; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fy, cases in iter_years(world):
        header = era_for_year(fy).header
        rows = (published_values(case, row) for case in cases for row in case.rows)
        path = out_dir / disclosure_file_name(fy)
        if path.suffix.lower() == ".xls":
            write_xls(path, sheet_name(fy), header, rows)
        else:
            write_xlsx(path, sheet_name(fy), header, rows)
        written.append(path)
        if fy >= 2020:
            sites = (worksite_values(case, site) for case in cases for site in case.worksites)
            path = out_dir / addendum_b_file_name(fy)
            write_xlsx(path, f"Addendum_B_FY{fy}", ADDENDUM_B_SAMPLE_HEADER, sites)
            written.append(path)
    return written


def write_xlsx(path: Path, sheet: str, header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Path:
    """One-sheet workbook: header in row 1, then the rows (only header columns; blanks left empty)."""
    import xlsxwriter

    tmp = path.with_name(path.name + ".partial")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    workbook.set_properties({"created": _CREATED})
    date_format = workbook.add_format({"num_format": "m/d/yyyy"})
    datetime_format = workbook.add_format({"num_format": "m/d/yyyy h:mm:ss"})
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, header)
    for r, (c, value) in _cells(header, rows):
        if isinstance(value, str):
            worksheet.write_string(r, c, value)
        elif isinstance(value, datetime):
            worksheet.write_datetime(r, c, value, datetime_format if value.time() != time() else date_format)
        elif isinstance(value, date):
            worksheet.write_datetime(r, c, datetime.combine(value, time()), date_format)
        else:
            worksheet.write_number(r, c, value)
    workbook.close()
    tmp.replace(path)
    return path


def write_xls(path: Path, sheet: str, header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Path:
    """The same as `write_xlsx` in the old BIFF .xls format (FY2013)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="M/D/YYYY")
    for c, name in enumerate(header):
        worksheet.write(0, c, name)
    for r, (c, value) in _cells(header, rows):
        if r > XLS_MAX_DATA_ROWS:
            raise ValueError(f"{path.name}: more rows than an .xls sheet holds")
        if isinstance(value, date):
            worksheet.write(r, c, value, date_style)
        else:
            worksheet.write(r, c, value)
    tmp = path.with_name(path.name + ".partial")
    workbook.save(str(tmp))
    tmp.replace(path)
    return path


def _cells(header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Iterator[tuple[int, tuple[int, object]]]:
    """(row number, (column number, value)) for every non-blank header cell, rows from 1, in order."""
    index = {name: c for c, name in enumerate(header)}
    for r, values in enumerate(rows, start=1):
        for name, value in values.items():
            c = index.get(name)
            if c is not None and value is not None and value != "":
                yield r, (c, value)
