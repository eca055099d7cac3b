"""Write H-2B disclosure sample files in real layouts, drawn from the shared sample world.

Every fiscal year of the sample (a dozen cases each), under its published name (`sources.h2b.fetch`),
with the header of a real file of its era verbatim (`sources.h2b.headers`; `SAMPLE_LAYOUTS` says
which, and marks the years that borrow the nearest era's header). Values follow the real files of each
era: case numbers ``C-YYDDD-NNNNN`` to FY2013 and ``H-400-YYDDD-NNNNNN`` later; statuses
``CERTIFIED`` / ``PARTIAL CERTIFIED`` / ``DENIED`` (FY2008-2012), ``Certified`` / ``Partial Certified``
/ ``Denied`` / ``Withdrawn`` (FY2013), ``Certification`` / ``Partial Certification`` / ``Certification
Expired`` / ``Denied`` / ``Withdrawn`` (FY2014-2019, the values of the real FY2014-2015 files) and, in
the FLAG era, the H-2A FLAG-era wording (no real H-2B value seen); ZIP codes as numbers to FY2012;
units ``HR`` to FY2013, ``Hour`` later.

Planted patterns: the employers are non-farm ("other") employers of the world in landscaping (5617),
hotels (7211), restaurants (7225) and construction (23), so many also appear in the WHD sample; most
file in several years under varying spellings; partial certifications, denials, withdrawals and
expired certifications; in FY2013 one case published on two rows (as the FY2014 Q4 file does), its
workers not to be summed. Two employers on the current H-2B debarment list are certified for H-2B
while debarred (`certified_while_debarred`): a lead the marts must surface. The h2b plants of
sample_world.EMERGING_PLANTS add applications in the last fiscal years (`emerging_cases`): rises the
emerging-pattern detector must flag and noise it must not. Every case is recorded in the world's
ground truth (dataset ``h2b``, the case number).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from sources.common.sample_world import (
    Employer,
    World,
    address_variant,
    agent_contact,
    emerging_plant_cells,
    naics_variant,
    name_variant,
    planted_debarments,
    zip_variant,
)
from sources.h2a.sample import write_xls, write_xlsx
from sources.h2b.columns import AGENT_NAME_PARTS, MAPPED
from sources.h2b.fetch import DISCLOSURE_FILES
from sources.h2b.headers import REAL_HEADERS

# fiscal year -> (the real file whose header it writes, its sheet name). The years marked ASSUMED have no
# real file of their own here: they take the header of the nearest real file of the same era.
SAMPLE_LAYOUTS: dict[int, tuple[str, str]] = {
    2008: ("H-2B_FY2008.xlsx (FY2008)", "H-2B_Case_Data_FY2008"),
    2009: ("H-2B_FY2009.xlsx (FY2009)", "H-2B_Case_Data_FY2009"),
    2010: ("H-2B_FY2010.xlsx (FY2010)", "H-2B_Case_Data_FY2010"),
    2011: ("H-2B_FY2011.xlsx (FY2011)", "H-2B_FY2011_Q4"),
    2012: ("H-2B_FY2012.xlsx (FY2012)", "H-2B_FY2012_Q4"),
    2013: ("H-2B_FY2013.xls (FY2013)", "H2B_FY2013"),
    2014: ("H-2B_FY14_Q4.xlsx (FY2014 Q4)", "H-2B_FY2014"),
    2015: ("H-2B_FY15_Q3.xlsx (FY2015 Q3)", "H-2B_FY15"),  # ASSUMED for the FY2015 Q4 file
    2016: ("H-2B_Disclosure_Data_FY16.xlsx (FY2016)", "H-2B_FY2016"),
    2017: ("H-2B_Disclosure_Data_FY17.xlsx (FY2017)", "H2B_FY2017"),
    2018: ("H-2B_Disclosure_Data_FY2018_Q4_EOY.xlsx (FY2018 Q4/EOY)", "H2B_FY2018"),
    2019: ("H-2B_Disclosure_Data_FY2019.xlsx (FY2019 Q4/annual)", "H-2B_FY2019Q4"),
    2020: ("H2B_Disclosure_Data_FY2021_Q1.xlsx (FY2021 Q1, FLAG era)", "H-2B_FY2020"),  # ASSUMED
    2021: ("H2B_Disclosure_Data_FY2021_Q1.xlsx (FY2021 Q1, FLAG era)", "H-2B_FY2021_Q1"),
    2022: ("H-2B_Disclosure_Data_FY2022_Q1.xlsx (FY2022 Q1, FLAG era)", "H-2B_Disclosure_Data_FY2022_Q1"),
}
LATEST_LAYOUT = SAMPLE_LAYOUTS[2022]  # ASSUMED for FY2023 on: no later real H-2B header seen


def sample_layout(fiscal_year: int) -> tuple[str, str]:
    """(real file whose header the year's file gets, sheet name) for a sampled fiscal year."""
    if fiscal_year in SAMPLE_LAYOUTS:
        return SAMPLE_LAYOUTS[fiscal_year]
    if fiscal_year > 2022:
        return LATEST_LAYOUT[0], f"H-2B_Disclosure_Data_FY{fiscal_year}_Q4"
    return SAMPLE_LAYOUTS[2008][0], f"H-2B_Case_Data_FY{fiscal_year}"


# NAICS prefixes of the H-2B employers: landscaping, hotels, restaurants, construction.
H2B_INDUSTRIES = ("5617", "7211", "7225", "23")
NUMERIC_ZIP_YEARS = frozenset(range(2008, 2013))  # ZIP codes written as numbers, as in the real files

_STATUS = {
    "old": {"full": "CERTIFIED", "partial": "PARTIAL CERTIFIED", "denied": "DENIED"},
    "fy2013": {"full": "Certified", "partial": "Partial Certified", "denied": "Denied", "withdrawn": "Withdrawn"},
    "icert": {
        "full": "Certification",
        "partial": "Partial Certification",
        "denied": "Denied",
        "withdrawn": "Withdrawn",
        "expired": "Certification Expired",
    },
    "flag": {
        "full": "Determination Issued - Certification",
        "partial": "Determination Issued - Partial Certification",
        "denied": "Determination Issued - Denied",
        "withdrawn": "Determination Issued - Withdrawn",
        "expired": "Determination Issued - Certification (Expired)",
    },
}
_JOBS = {
    "5617": ("Landscape Laborer", "37-3011", "Landscaping and Groundskeeping Workers"),
    "7211": ("Housekeeper", "37-2012", "Maids and Housekeeping Cleaners"),
    "7225": ("Line Cook", "35-2014", "Cooks, Restaurant"),
    "23": ("Construction Laborer", "47-2061", "Construction Laborers"),
}


@dataclass(frozen=True)
class H2bCase:
    """One sample application and the row(s) it is published on."""

    fiscal_year: int
    case_number: str
    employer: Employer
    name: str
    outcome: str  # full, partial, denied, withdrawn, expired
    requested: int
    certified: int | None
    received: date
    decision: date
    begin: date
    end: date
    wage: float
    rows: int = 1
    naics: str | None = None  # planted: the NAICS code published (else a variant of the employer's)
    agent: str | None = None  # planted: the agent named (else the sample's usual rule)


PLANTED_WHILE_DEBARRED = 2
_USUAL_AGENT = "Maria Lopez"  # the agent of every third drawn application


def h2b_employers(world: World) -> list[Employer]:
    """The world's non-farm employers in H-2B industries, in a stable order."""
    return [e for e in world.of_kind("other") if e.naics.startswith(H2B_INDUSTRIES)]


def case_count(world: World) -> int:
    return max(12, round(1_200 * world.config.scale))


def iter_cases(world: World) -> Iterator[H2bCase]:
    """Every sample case of every sampled fiscal year, oldest year first."""
    rng = world.child_rng("h2b")
    pool = h2b_employers(world)
    filers = [pool[i] for i in rng.choice(len(pool), size=min(len(pool), case_count(world)), replace=False)]
    for fy in world.config.fiscal_years:
        for n in range(case_count(world)):
            # Most cases come from the repeat filers; a few from a first-time filer.
            employer = filers[n % len(filers)] if rng.random() < 0.8 else pool[rng.integers(len(pool))]
            yield _case(rng, world, fy, n, employer)


def sample_cases(world: World) -> list[H2bCase]:
    """Every case the sample writes: the drawn ones, then the planted ones."""
    return [*iter_cases(world), *certified_while_debarred(world), *emerging_cases(world)]


def emerging_cases(world: World) -> list[H2bCase]:
    """The h2b plants of sample_world.EMERGING_PLANTS: `history` then `last` certified applications a year
    in the sample's last fiscal years, of the plant's NAICS code, agent and workers, its employers taken in
    turn."""
    rng = world.child_rng("h2b-emerging")  # its own stream: the other cases keep their draws
    last = world.config.last_fiscal_year
    cases: list[H2bCase] = []
    for cell in emerging_plant_cells(world):
        plant = cell.plant
        if plant.source != "h2b":
            continue
        counts = [*plant.history, plant.last]
        for offset, count in enumerate(counts):
            fiscal_year = last - len(counts) + 1 + offset
            for _ in range(count):
                employer = cell.employers[len(cases) % len(cell.employers)]
                n = case_count(world) + PLANTED_WHILE_DEBARRED + len(cases)
                case = _case(rng, world, fiscal_year, n, employer, outcome="full")
                workers = plant.workers
                cases.append(replace(case, requested=workers, certified=workers, naics=plant.naics, agent=plant.agent))
    return cases


def certified_while_debarred(world: World) -> list[H2bCase]:
    """Planted: the first PLANTED_WHILE_DEBARRED employers in H-2B industries on the current H-2B debarment
    list that the sample's years can show are certified for H-2B again 60 days after their debarment
    started."""
    rng = world.child_rng("h2b-planted")  # its own stream: the other cases keep their draws
    planted = []
    for debarment in planted_debarments(world):
        decision = debarment.start + timedelta(days=60)
        fiscal_year = decision.year + (1 if decision.month >= 10 else 0)
        if debarment.program != "H-2B" or debarment.is_expired_on(world.config.today):
            continue
        if not debarment.employer.naics.startswith(H2B_INDUSTRIES):
            continue
        if fiscal_year not in world.config.fiscal_years or len(planted) == PLANTED_WHILE_DEBARRED:
            continue
        n = case_count(world) + len(planted)
        planted.append(_case(rng, world, fiscal_year, n, debarment.employer, decision=decision, outcome="full"))
    return planted


def _case(
    rng: np.random.Generator,
    world: World,
    fy: int,
    n: int,
    employer: Employer,
    *,
    decision: date | None = None,
    outcome: str | None = None,
) -> H2bCase:
    decision = decision or date(fy - 1, 10, 1) + timedelta(days=int(rng.integers(0, 364)))
    received = decision - timedelta(days=int(rng.integers(20, 90)))
    outcomes = ["full"] * 12 + ["partial"] * 3 + ["denied"] * 2 + ["withdrawn"] + (["expired"] if fy >= 2014 else [])
    outcome = outcome or outcomes[rng.integers(len(outcomes))]
    if fy <= 2012 and outcome == "withdrawn":  # the FY2009-FY2012 files publish no withdrawals
        outcome = "denied"
    requested = int(rng.integers(2, 60))
    certified = {"full": requested, "expired": requested, "partial": max(1, requested * 2 // 3)}.get(outcome, 0)
    begin = decision + timedelta(days=int(rng.integers(10, 60)))
    stamp = received.strftime("%y") + f"{received.timetuple().tm_yday:03d}"
    number = f"C-{stamp}-{50000 + n:05d}" if fy <= 2013 else f"H-400-{stamp}-{400000 + n:06d}"
    return H2bCase(
        fiscal_year=fy,
        case_number=number,
        employer=employer,
        name=name_variant(employer, rng),
        outcome=outcome,
        requested=requested,
        certified=None if fy >= 2021 and certified == 0 else certified,
        received=received,
        decision=decision,
        begin=begin,
        end=begin + timedelta(days=int(rng.integers(120, 300))),
        wage=round(float(rng.uniform(9, 22)), 2),
        rows=2 if fy == 2013 and n == 3 else 1,
    )


def _status(case: H2bCase) -> str:
    fy = case.fiscal_year
    era = "old" if fy <= 2012 else "fy2013" if fy == 2013 else "icert" if fy <= 2019 else "flag"
    return _STATUS[era].get(case.outcome, _STATUS[era]["full"])


def _job(employer: Employer) -> tuple[str, str, str]:
    return next(job for prefix, job in _JOBS.items() if employer.naics.startswith(prefix))


def published_values(case: H2bCase, rng: np.random.Generator) -> dict[str, object]:
    """Published column -> cell value (every era's spelling; the writer keeps its header's)."""
    fy, employer = case.fiscal_year, case.employer
    title, soc, soc_title = _job(employer)
    zip_code = zip_variant(employer, rng)
    certified_period = case.outcome in ("full", "partial", "expired")
    canonical: dict[str, object] = {
        "case_number": case.case_number,
        "case_status": _status(case),
        "decision_date": case.decision,
        "received_date": case.received,
        "visa_class": "H-2B",
        "employer_name": case.name,
        "trade_name_dba": employer.trade_name,
        "employer_address1": address_variant(employer, rng),
        "employer_city": employer.city,
        "employer_state": employer.state,
        "employer_postal_code": float(zip_code[:5]) if fy in NUMERIC_ZIP_YEARS else zip_code,
        "employer_country": "UNITED STATES OF AMERICA",
        **_agent_columns(case.agent or (_USUAL_AGENT if case.requested % 3 == 0 and case.naics is None else None)),
        "job_title": title.upper() if fy <= 2013 else title,
        "soc_code": float(soc.replace("-", "")) if fy == 2013 else soc,
        "soc_title": soc_title,
        "naics_code": case.naics or naics_variant(employer, rng),
        "workers_requested": float(case.requested),
        "workers_certified": None if case.certified is None else float(case.certified),
        "certification_begin_date": case.begin if certified_period else None,
        "certification_end_date": case.end if certified_period else None,
        "requested_begin_date": case.begin,
        "requested_end_date": case.end,
        "employment_begin_date": case.begin,
        "employment_end_date": case.end,
        "wage_rate": case.wage,
        "wage_unit": "HR" if fy <= 2013 else "Hour",
        "prevailing_wage": case.wage,
        "prevailing_wage_unit": "HR" if fy <= 2013 else "Hour",
        "worksite_city": employer.city,
        "worksite_state": employer.state,
        "worksite_postal_code": zip_code,
        "nature_of_temporary_need": "Seasonal" if case.requested % 4 else "Peakload",
    }
    values = {published: canonical[name] for published, name in MAPPED.items() if name in canonical}
    if canonical["agent_attorney_name"]:
        first, _middle, last = AGENT_NAME_PARTS[1]
        given, family = str(canonical["agent_attorney_name"]).split(" ", 1)
        values.update({first: given, last: family})
    return values


def _agent_columns(agent: str | None) -> dict:
    """The agent's name and what a filing publishes beside it (city, state, e-mail); none without an agent."""
    if agent is None:
        return {"agent_attorney_name": None}
    contact = agent_contact(*agent.split(" ", 1))
    return {
        "agent_attorney_name": agent,
        "agent_city": contact.city,
        "agent_state": contact.state,
        "agent_email": contact.email,
    }


def write_sample(world: World, out_dir: Path) -> list[Path]:
    """Write each sampled fiscal year's disclosure file; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = world.child_rng("h2b-values")
    by_year: dict[int, list[dict[str, object]]] = {fy: [] for fy in world.config.fiscal_years}
    for case in sample_cases(world):
        by_year[case.fiscal_year] += [published_values(case, rng) for _ in range(case.rows)]
        world.truth.add(case.employer, "h2b", case.case_number, case.name)
    written = []
    for fy, rows in by_year.items():
        real_file, sheet = sample_layout(fy)
        path = out_dir / DISCLOSURE_FILES.get(fy, f"H-2B_Disclosure_Data_FY{fy}_Q4.xlsx")
        write = write_xls if path.suffix.lower() == ".xls" else write_xlsx
        written.append(write(path, sheet, REAL_HEADERS[real_file], iter(rows)))
    return written
