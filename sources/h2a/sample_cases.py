"""The H-2A cases the sample writes, drawn from the shared sample world: who files, in which year,
with which outcome, rows and worksites, and the planted patterns (see `sources.h2a.sample`, which
writes them in the real per-year formats). Every case is recorded in the world's ground truth."""

from __future__ import annotations

import pickle
import tempfile
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np

from sources.common.sample_world import (
    AgentContact,
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
from sources.h2a.sample_vocabulary import (
    COUNTIES,
    FIRST_NAMES,
    JOBS,
    LAST_NAMES,
    LAWFIRMS,
    NATURE,
    OUTCOMES,
    TOWNS,
    WAGES,
)

ROWS_FY2008_AT_SCALE_1 = 8_000


ROWS_FY2025_AT_SCALE_1 = 25_000


MIN_CASES_PER_YEAR = 30


# The planted agent network: one agent (a name the ordinary cases never draw) who files for H-2A
# debarred employers and one employer that is not debarred: each of them must get the lead
# "its agent also files for N employers with WHD violations or debarments".
NETWORK_AGENT = ("Ignatius", "Quartermaine")
NETWORK_AGENT_LAWFIRM = "Quartermaine Visa Law PLLC"
# Its office, whatever spelling a filing gives its name; FY2020+ filings give one e-mail address.
NETWORK_AGENT_CONTACT = AgentContact("Tampa", "FL", "iq@quartermainevisa.example")
# The spellings its filings use besides NETWORK_AGENT, each linked to it by one rule of the agent
# linkage (int_filing_agent_links): (first, last) as the FY2020+ files split them.
NETWORK_AGENT_VARIANTS = (
    ("Ignatius", "Quatermaine"),  # a typo: the same e-mail address (and a similar name in the same state)
    ("Quartermaine", "Ignatius"),  # first and last name swapped: the same words
)
# With 4, splink 5.0.0's EM training at scale 0.01 drove one m probability below its 1e-300 floor and
# raised (a linkage fragility any sample change can trip; see docs/linkage.md).
NETWORK_DEBARRED_CLIENTS = 3
NETWORK_EARLY_FISCAL_YEAR = 2019  # the clean employer files then (one agent name column, FY2019)


XLS_MAX_DATA_ROWS = 65_535  # BIFF8 sheet limit (65,536 rows including the header)


CERTIFIED_OUTCOMES = frozenset({"full", "partial"})


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
    agent_contact: AgentContact | None = None  # set for the planted agent; else agent_contact() of the name

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


_OUTCOME_CUMULATIVE = _cumulative([w for _, w in OUTCOMES])


_JOB_CUMULATIVE = _cumulative([job[0] for job in JOBS])


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
        generator.plant_agent_network(planted)
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


def agent_network_clients(world: World) -> tuple[list[Employer], Employer]:
    """The employers the planted agent files for: (H-2A debarred ones, one not debarred by any program)."""
    debarred = [d.employer for d in _h2a_debarments(world)][:NETWORK_DEBARRED_CLIENTS]
    ever_debarred = {d.employer.entity_id for d in planted_debarments(world)}
    unlicensed = {e.entity_id for e in unlicensed_contractors(world)}
    clean = next(e for e in world.of_kind("ag") if e.entity_id not in ever_debarred and e.entity_id not in unlicensed)
    return debarred, clean


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
            outcome = OUTCOMES[_weighted(rng, _OUTCOME_CUMULATIVE)][0]
            if self._debarred_at(employer, decision.date()):
                outcome = "denied"
        expired = fy >= 2014 and outcome in CERTIFIED_OUTCOMES and rng.random() < 0.15
        _, soc, soc_title, titles, crops, unit = JOBS[_weighted(rng, _JOB_CUMULATIVE)]
        base, per_year, spread = WAGES[unit]
        wage = base + per_year * (fy - 2008) + spread * rng.standard_normal()
        represented = rng.random() < 0.55 or filer == "assoc_agent"
        lawfirm = None
        if filer == "assoc_agent":
            association = self.associations[int(rng.integers(len(self.associations)))]
            lawfirm = name_variant(association, rng, style="upper")
        elif represented and rng.random() < 0.5:
            lawfirm = LAWFIRMS[int(rng.integers(len(LAWFIRMS)))]
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
            nature=NATURE[int(rng.integers(len(NATURE)))],
            agent=self.agent_of(employer) if represented else None,
            lawfirm=lawfirm,
        )
        self.fill_rows(case, employer)
        return case

    def agent_of(self, employer: Employer) -> tuple[str, str]:
        """The employer's agent: the same one every year (employers keep theirs), shared with the employers
        whose ids are a multiple of the number of agents apart. Two draws are still taken (and unused),
        as when the agent was drawn per case, so every later draw and the rest of the sample are unchanged."""
        self.rng.integers(len(FIRST_NAMES)), self.rng.integers(len(LAST_NAMES))
        number = employer.entity_id % (len(FIRST_NAMES) * len(LAST_NAMES))
        return FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number // len(FIRST_NAMES)]

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
            worksite_city=employer.city if rng.random() < 0.75 else TOWNS[int(rng.integers(len(TOWNS)))],
            worksite_state=employer.state,
            worksite_postal_code=employer.zip5,
            worksite_county=COUNTIES[int(rng.integers(len(COUNTIES)))],
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
            city=employer.city if rng.random() < 0.7 else TOWNS[int(rng.integers(len(TOWNS)))],
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

    def plant_agent_network(self, cases: dict[int, list[SampleCase]]) -> None:
        """The planted agent files for `agent_network_clients`: the clean employer in FY2019 (its name
        in capitals, as one column), the debarred ones in the last fiscal year (first and last name)."""
        debarred, clean = agent_network_clients(self.world)
        early = NETWORK_EARLY_FISCAL_YEAR if NETWORK_EARLY_FISCAL_YEAR in cases else max(cases)
        first, last = NETWORK_AGENT
        # The debarred ones after the first under the other spellings, in turn.
        spellings = [(first, f"{last}, Esq."), *NETWORK_AGENT_VARIANTS]
        for fy, employer, agent, lawfirm in [
            (early, clean, (first.upper(), last.upper()), NETWORK_AGENT_LAWFIRM.upper()),
            *((max(cases), e, spellings[i % len(spellings)], NETWORK_AGENT_LAWFIRM) for i, e in enumerate(debarred)),
        ]:
            case = self.case(fy, "flc" if employer.kind == "flc" else "individual", employer)
            case.agent, case.lawfirm, case.agent_contact = agent, lawfirm, NETWORK_AGENT_CONTACT
            case.planted = True
            cases[fy].append(case)
