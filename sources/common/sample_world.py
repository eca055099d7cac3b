"""The shared, seeded universe of employers that every source's sample is drawn from.

Each source's ``sample`` module writes files in its real publication format; this module decides
*who* appears in them, so the same employer shows up across WHD, H-2A, debarment and registry
files under differently written names (suffixes, DBA, typos, abbreviations, address variants).
It also plants what the marts and leads must find: repeat violators, H-2A employers with H-2A
violations, debarred employers certified again, farm labor contractors (a few of them filing for
H-2A workers without an MSPA certificate). Which records are the same employer is written to a
ground-truth file.

Everything is drawn from one `numpy` generator seeded by `SampleConfig.seed`: the same config
always gives the same bytes.
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from pathlib import Path

import numpy as np
import pyarrow as pa

from sources.common.reference import NAICS_SAMPLE_INDUSTRIES, STATES, sector_of

GROUND_TRUTH_FILE = "ground_truth_employers.csv"

_SURNAMES = """Garcia Smith Johnson Martinez Rodriguez Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor
Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen
King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter
Roberts Gomez Phillips Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy
Cook Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers
Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno West Cole
Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall Owens Harrison
Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford
Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer Wagner
Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols
Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters
Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado
Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence
Sandoval""".split()
_PLACES = """Valley Ridge River Mesa Sunrise Golden Pine Oak Cedar Prairie Harvest Lakeside Hillside Meadow
Eagle Blue Green Red Willow Maple Desert Coastal Summit Canyon Orchard Sunset Twin Creek Highland""".split()
_AG_WORDS = "Farms Farm Orchards Ranch Produce Harvesting Dairy Nursery Greenhouses Vineyards Growers Packing".split()
_FLC_WORDS = ["Farm Labor Contractor", "Harvesting Services", "Labor Services", "Field Services", "Ag Services"]
_OTHER_WORDS = """Restaurant Construction Cleaning Staffing Auto Hotel Market Landscaping Security Healthcare
Logistics Bakery Roofing Painting Trucking Apparel Services Builders Plumbing Electric""".split()
_SUFFIXES = ["Inc", "LLC", "Co", "Corp", "LP", "", ""]
_STREETS = "Main Oak Pine Maple Cedar Elm Washington Lake Hill Park River Church Mill Center Ranch Farm".split()
_TOWN_WORDS = ["City", "Springs", "Falls", "Park", "Town", "Grove"]
_STREET_TYPES = ["Road", "Street", "Avenue", "Highway", "Lane", "Drive"]
# Accented names are written as cp1252 bytes by some publications (a real WHD gotcha).
_ACCENTED = ["Panadería", "Lechería", "Jardinería", "Peña", "Muñoz", "Núñez", "Ibáñez", "Cantú"]

_SUFFIX_VARIANTS = {
    "Inc": ["Inc.", "Incorporated", ", Inc.", "INC"],
    "LLC": ["L.L.C.", ", LLC", "Llc"],
    "Co": ["Co.", "Company"],
    "Corp": ["Corp.", "Corporation"],
    "LP": ["L.P.", "Limited Partnership"],
}
_ABBREVIATIONS = {
    "Brothers": "Bros",
    "Farms": "Fms",
    "Company": "Co",
    "Harvesting": "Harv",
    "Services": "Svcs",
    "Labor Contractor": "Labor Contr",
    " and ": " & ",
}
# Share of employers that moved to another street of their town, and that have a same-name twin elsewhere.
MOVER_SHARE = {"ag": 0.12, "flc": 0.12, "other": 0.04}
TWIN_SHARE = {"ag": 0.03, "flc": 0.03, "other": 0.01}
MAX_NAME_DRAWS = 20  # draws of a new employer's name before a taken one is qualified (see _unique_base_name)
_ADDRESS_ABBREVIATIONS = {"Road": "Rd", "Street": "St", "Avenue": "Ave", "Highway": "Hwy", "Lane": "Ln", "Drive": "Dr"}


@dataclass(frozen=True)
class SampleConfig:
    """What to generate: `scale` 1 is about real size (~350k WHD cases, ~20-25k H-2A rows a year)."""

    scale: float = 0.01
    seed: int = 20261125
    first_fiscal_year: int = 2008
    last_fiscal_year: int = 2025
    today: date = date(2026, 11, 1)

    @property
    def fiscal_years(self) -> list[int]:
        return list(range(self.first_fiscal_year, self.last_fiscal_year + 1))


@dataclass
class Employer:
    """One real-world employer of the sample universe."""

    entity_id: int
    name: str
    suffix: str
    trade_name: str
    street: str
    city: str
    state: str
    zip5: str
    naics: str
    kind: str  # "ag", "flc" or "other"
    fein: str
    # A second street in the same town: the employer moved, and later records carry it.
    moved_street: str | None = None


class GroundTruth:
    """Collects (entity, dataset, record) triples: which published records are the same employer.

    Rows are kept as Arrow batches (a few dozen bytes a row rather than a Python tuple's few hundred),
    so the truth of a scale-10 sample fits in memory next to the writers.
    """

    _BATCH_ROWS = 20_000
    _SCHEMA = pa.schema(
        [
            ("entity_id", pa.int64()),
            ("dataset", pa.string()),
            ("record_id", pa.string()),
            ("name_as_written", pa.string()),
        ]
    )

    def __init__(self) -> None:
        self._batches: list[pa.RecordBatch] = []
        self._pending: list[tuple[int, str, str, str]] = []

    def add(self, employer: Employer, dataset: str, record_id: str, name_as_written: str) -> None:
        self._pending.append((employer.entity_id, dataset, record_id, name_as_written))
        if len(self._pending) >= self._BATCH_ROWS:
            self._flush()

    @property
    def rows(self) -> list[tuple[int, str, str, str]]:
        """Every recorded triple, in the order recorded."""
        return [tuple(row.values()) for row in self._table().to_pylist()]

    def write(self, out_dir: Path) -> Path:
        path = Path(out_dir) / GROUND_TRUTH_FILE
        ordered = self._table().sort_by([("dataset", "ascending"), ("record_id", "ascending")])  # a stable sort
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(self._SCHEMA.names)
            for batch in ordered.to_batches(self._BATCH_ROWS):
                writer.writerows(zip(*(column.to_pylist() for column in batch.columns), strict=True))
        return path

    def _flush(self) -> None:
        columns = list(zip(*self._pending, strict=True))
        self._batches.append(pa.RecordBatch.from_arrays([pa.array(c) for c in columns], schema=self._SCHEMA))
        self._pending = []

    def _table(self) -> pa.Table:
        if self._pending:
            self._flush()
        return pa.Table.from_batches(self._batches, schema=self._SCHEMA)


class World:
    """The employers and the random state every sample writer draws from."""

    def __init__(self, config: SampleConfig):
        self.config = config
        self.rng = np.random.default_rng(config.seed)
        self.truth = GroundTruth()

    def child_rng(self, name: str) -> np.random.Generator:
        """An independent, reproducible generator per source, so adding one source keeps others' bytes."""
        return np.random.default_rng([self.config.seed, sum(name.encode())])

    @cached_property
    def employers(self) -> list[Employer]:
        rng = self.child_rng("employers")
        scale = self.config.scale
        counts = {
            "ag": max(60, round(14_000 * scale)),
            "flc": max(15, round(2_500 * scale)),
            "other": max(150, round(200_000 * scale)),
        }
        employers: list[Employer] = []
        seen: set[str] = set()
        for kind, count in counts.items():
            for _ in range(count):
                employers.append(self._new_employer(rng, len(employers) + 1, kind, seen))
        twins = [self._twin(rng, e, len(employers) + i + 1) for i, e in enumerate(self._twinned(rng, employers))]
        return employers + twins

    @staticmethod
    def _twinned(rng: np.random.Generator, employers: list[Employer]) -> list[Employer]:
        """Employers that get a twin: another employer of the same name elsewhere (a hard negative)."""
        return [e for e in employers if rng.random() < TWIN_SHARE[e.kind]]

    def _twin(self, rng: np.random.Generator, original: Employer, entity_id: int) -> Employer:
        """Same name, trade name and kind; another state (or, now and then, another town of the same state)."""
        twin = self._new_employer(rng, entity_id, original.kind, set())
        state = original.state if rng.random() < 0.2 else twin.state
        zip5 = twin.zip5 if state == twin.state else f"{STATES_BY_CODE[state].zip_prefix}{rng.integers(0, 100):02d}"
        city = twin.city if twin.city != original.city else f"{twin.city} Heights"
        return Employer(
            entity_id,
            original.name,
            original.suffix,
            original.trade_name,
            twin.street,
            city,
            state,
            zip5,
            twin.naics,
            original.kind,
            twin.fein,
        )

    def of_kind(self, *kinds: str) -> list[Employer]:
        return [e for e in self.employers if e.kind in kinds]

    def _new_employer(self, rng: np.random.Generator, entity_id: int, kind: str, seen: set[str]) -> Employer:
        state_codes = [s.code for s in STATES if s.is_state]
        weights = np.array([s.sample_weight(kind) for s in STATES if s.is_state], dtype=float)
        state = state_codes[rng.choice(len(state_codes), p=weights / weights.sum())]
        industries = NAICS_SAMPLE_INDUSTRIES[kind]
        naics = industries[rng.integers(len(industries))]
        base = self._unique_base_name(rng, kind, seen)
        suffix = _SUFFIXES[rng.integers(len(_SUFFIXES))]
        name = f"{base} {suffix}".strip()
        trade = base if rng.random() < 0.6 else f"{_PLACES[rng.integers(len(_PLACES))]} {base.split()[-1]}"
        street_name, street_type = (
            _STREETS[rng.integers(len(_STREETS))],
            _STREET_TYPES[rng.integers(len(_STREET_TYPES))],
        )
        street = f"{rng.integers(10, 99999)} {street_name} {street_type}"
        city = f"{_PLACES[rng.integers(len(_PLACES))]} {_TOWN_WORDS[rng.integers(len(_TOWN_WORDS))]}"
        zip5 = f"{STATES_BY_CODE[state].zip_prefix}{rng.integers(0, 100):02d}"
        fein = f"{rng.integers(10, 99)}-{rng.integers(1000000, 9999999)}"
        moved = None
        if rng.random() < MOVER_SHARE[kind]:
            moved_name, moved_type = (
                _STREETS[rng.integers(len(_STREETS))],
                _STREET_TYPES[rng.integers(len(_STREET_TYPES))],
            )
            moved = f"{rng.integers(10, 99999)} {moved_name} {moved_type}"
        return Employer(entity_id, name, suffix, trade, street, city, state, zip5, naics, kind, fein, moved)

    def _unique_base_name(self, rng: np.random.Generator, kind: str, seen: set[str]) -> str:
        """A base name no other employer has. Names are drawn; when draws keep colliding (past scale ~2 the
        common names are all taken, and at scale 10 there are more employers than names), the last draw
        is qualified with a place, then a number, as real firms of one name are told apart."""
        for _ in range(MAX_NAME_DRAWS):
            base = self._base_name(rng, kind)
            if base not in seen:
                break
        else:
            places = (f"{base} of {place}" for place in _PLACES)
            qualified = itertools.chain(places, (f"{base} {n}" for n in itertools.count(2)))
            base = next(name for name in qualified if name not in seen)
        seen.add(base)
        return base

    @staticmethod
    def _base_name(rng: np.random.Generator, kind: str) -> str:
        surname = _SURNAMES[rng.integers(len(_SURNAMES))]
        roll = rng.random()
        if roll < 0.02:
            surname = _ACCENTED[rng.integers(len(_ACCENTED))]
        elif roll < 0.12:
            surname = f"{surname} Brothers"
        elif roll < 0.2:
            surname = f"{surname} and {_SURNAMES[rng.integers(len(_SURNAMES))]}"
        elif roll < 0.3:
            surname = f"{_PLACES[rng.integers(len(_PLACES))]} {surname}"
        words = {"ag": _AG_WORDS, "flc": _FLC_WORDS, "other": _OTHER_WORDS}[kind]
        return f"{surname} {words[rng.integers(len(words))]}"


STATES_BY_CODE = {s.code: s for s in STATES}


# ------------------------------------------------------------------------------------------------
# How one employer's name and address get written differently in different files
# ------------------------------------------------------------------------------------------------


def name_variant(employer: Employer, rng: np.random.Generator, *, style: str | None = None) -> str:
    """The employer's name as some clerk wrote it: exact, or with a suffix, case, DBA (either way round),
    word order, typo or abbreviation change."""
    styles = ["exact", "exact", "suffix", "upper", "dba", "dba_swap", "order", "typo", "abbrev", "nosuffix"]
    style = style or styles[rng.integers(len(styles))]
    base = employer.name[: len(employer.name) - len(employer.suffix)].strip() if employer.suffix else employer.name
    if style == "suffix" and employer.suffix in _SUFFIX_VARIANTS:
        options = _SUFFIX_VARIANTS[employer.suffix]
        written = options[rng.integers(len(options))]
        return f"{base}{written}" if written.startswith(",") else f"{base} {written}"
    if style == "upper":
        return employer.name.upper()
    if style == "dba" and employer.trade_name != employer.name:
        return f"{employer.name} dba {employer.trade_name}"
    if style == "dba_swap" and employer.trade_name != employer.name:
        return f"{employer.trade_name} dba {employer.name}"
    if style == "order" and " and " in base:
        # "Smith and Jones Farms" -> "Jones and Smith Farms", as in the real "Dionisio Farms and Produce" /
        # "Dionisio Produce and Farms".
        first, rest = base.split(" and ", 1)
        second, *tail = rest.split(" ", 1)
        return " ".join([second, "and", first, *tail, employer.suffix]).strip()
    if style == "typo":
        return typo(employer.name, rng)
    if style == "abbrev":
        for long, short in _ABBREVIATIONS.items():
            if long in employer.name:
                return employer.name.replace(long, short, 1)
    if style == "nosuffix" and employer.suffix:
        return base
    return employer.name


def typo(text: str, rng: np.random.Generator) -> str:
    """Swap, drop or double one letter (never the first), as in a hand-keyed record."""
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    if len(letters) < 3:
        return text
    i = letters[rng.integers(len(letters) - 1)]
    kind = rng.integers(3)
    if kind == 0 and i + 1 < len(text):
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if kind == 1:
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]


def address_variant(employer: Employer, rng: np.random.Generator) -> str:
    """The street as written on one record: the employer's street (or, after a move, its new one),
    abbreviated, with a suite, or upper case."""
    street = employer.moved_street if employer.moved_street and rng.random() < 0.45 else employer.street
    roll = rng.random()
    if roll < 0.4:
        for long, short in _ADDRESS_ABBREVIATIONS.items():
            street = street.replace(long, short)
    elif roll < 0.5:
        street = f"{street}, Suite {rng.integers(1, 400)}"
    elif roll < 0.6:
        street = street.upper()
    return street


def naics_variant(employer: Employer, rng: np.random.Generator) -> str:
    """The NAICS code one record gives: now and then another industry of the same sector (agencies code
    one employer differently, e.g. 111339 in one file and 115115 in another)."""
    if rng.random() >= 0.15:
        return employer.naics
    same_sector = [c for c in NAICS_SAMPLE_INDUSTRIES[employer.kind] if c[:2] == employer.naics[:2]]
    return same_sector[rng.integers(len(same_sector))]


def fein_variant(employer: Employer, rng: np.random.Generator) -> str:
    """The FEIN as keyed: in a few filings two neighbouring digits are swapped."""
    if rng.random() >= 0.03:
        return employer.fein
    digits = list(employer.fein.replace("-", ""))
    i = int(rng.integers(len(digits) - 1))
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    return f"{''.join(digits[:2])}-{''.join(digits[2:])}"


def zip_variant(employer: Employer, rng: np.random.Generator) -> str:
    return employer.zip5 if rng.random() < 0.85 else f"{employer.zip5}-{rng.integers(0, 10000):04d}"


@dataclass(frozen=True)
class PlantedDebarment:
    """An employer the sample debars; `certified_again` ones get H-2A certifications after `start`."""

    employer: Employer
    program: str  # "H-2A" or "H-2B"
    start: date
    end: date
    violation: str
    is_whd_debarment: bool
    certified_again: bool

    def is_expired_on(self, day: date) -> bool:
        return self.end < day


_DEBARMENT_VIOLATIONS = [
    "WHD Debarment",
    "Failure to respond to audit (no response)",
    "Failure to respond to audit (partial response)",
    "Non-payment",
    "Failure to comply with the employer's obligations",
    "Impeding the Audit Process - Non-Response",
]


def planted_debarments(world: World) -> list[PlantedDebarment]:
    """The sample's debarment list: ~110 H-2A and ~30 H-2B entries, current and expired.

    Sizes follow the real lists (they do not grow with scale). About a third of the H-2A
    debarred employers are certified again after their debarment started: a lead the marts
    must surface.
    """
    rng = world.child_rng("debarments")
    agricultural = world.of_kind("ag", "flc")
    others = world.of_kind("other")
    h2a_count, h2b_count = min(110, len(agricultural) // 3), min(30, len(others) // 5)
    chosen_ag = rng.choice(len(agricultural), size=h2a_count, replace=False)
    chosen_other = rng.choice(len(others), size=h2b_count, replace=False)
    # Debarments start early enough that an employer certified again can show up in a later FY file.
    first_start = date(2011, 1, 1)
    start_span_days = (date(world.config.last_fiscal_year, 9, 30) - timedelta(days=240) - first_start).days
    debarments = []
    for program, pool, picks in (("H-2A", agricultural, chosen_ag), ("H-2B", others, chosen_other)):
        for index in picks.tolist():
            # Like the real lists: most H-2A entries on the current list started in the last few years.
            recent = rng.random() < 0.55
            offset = (
                start_span_days - int(rng.integers(0, 3 * 365)) if recent else int(rng.integers(0, start_span_days))
            )
            start = first_start + timedelta(days=offset)
            years = int(rng.choice([1, 2, 3, 5]))
            end = start + timedelta(days=365 * years - 1)
            violation = _DEBARMENT_VIOLATIONS[rng.integers(len(_DEBARMENT_VIOLATIONS))]
            debarments.append(
                PlantedDebarment(
                    employer=pool[index],
                    program=program,
                    start=start,
                    end=end,
                    violation=violation,
                    is_whd_debarment=violation == "WHD Debarment",
                    certified_again=program == "H-2A" and rng.random() < 0.35,
                )
            )
    return debarments


# The hidden-work employers the sample plants: the WHD records of these "other" employers (places in their
# list: frequent WHD employers, so each has several cases) carry a nail-salon and a seafood-processing NAICS
# code, industries no sample employer is drawn in. The codes are written over the drawn ones, so every
# random draw (and the rest of the sample) stays as it was.
HIDDEN_WORK_PLANTS = ((2, "812113"), (3, "311710"))


@dataclass(frozen=True)
class PlantedHiddenWork:
    employer: Employer
    naics: str


def planted_hidden_work(world: World) -> list[PlantedHiddenWork]:
    """Employers in a hidden-work industry with child labor and repeat FLSA findings (the WHD sample codes
    their cases with `naics`, finds child labor on the latest and flags that case R): a lead the marts must
    surface in the hidden-work scope."""
    others = world.of_kind("other")
    return [PlantedHiddenWork(others[place], naics) for place, naics in HIDDEN_WORK_PLANTS]


def unlicensed_contractors(world: World) -> list[Employer]:
    """Farm labor contractors missing from the MSPA registry that still file for H-2A workers in the
    last fiscal year: a lead the marts must surface (about 3%, at least two)."""
    rng = world.child_rng("unlicensed contractors")
    contractors = world.of_kind("flc")
    count = min(len(contractors), max(2, round(len(contractors) * 0.03)))
    picks = sorted(rng.choice(len(contractors), size=count, replace=False).tolist())
    return [contractors[i] for i in picks]


# Where the sample's agents practise: (city, state), one per agent name (see agent_contact).
AGENT_OFFICES = (
    ("Tallahassee", "FL"),
    ("Lexington", "KY"),
    ("Raleigh", "NC"),
    ("Yakima", "WA"),
    ("Fresno", "CA"),
    ("San Antonio", "TX"),
    ("Boise", "ID"),
    ("Albany", "GA"),
)


@dataclass(frozen=True)
class AgentContact:
    """What a filing publishes about its agent besides the name: city, state and (FY2020+) e-mail."""

    city: str
    state: str
    email: str


def agent_contact(first: str, last: str) -> AgentContact:
    """An agent's office and e-mail, the same on every filing of that name (a function of the name, so
    drawing it takes nothing from any generator and leaves the rest of the sample unchanged)."""
    office = AGENT_OFFICES[sum(map(ord, f"{first} {last}")) % len(AGENT_OFFICES)]
    return AgentContact(*office, f"{first}.{last}@example.com".lower())


# ------------------------------------------------------------------------------------------------
# Emerging patterns (marts.mart_emerging_patterns, issue 29): what the sample plants for the detector
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmergingPlant:
    """A pattern planted for the emerging-pattern detector: a rise it must flag from the fiscal year it
    starts, or noise it must never flag. `history` is what the plant adds in each of the fiscal years
    before the sample's last (oldest first), `last` what it adds in the last; the unit is the plant's
    (whd: child-labor violations on each case of the year, h2b: applications). The sample writers
    (sources/whd/sample.py, sources/h2b/sample.py) apply them; tests and the backtest
    (warehouse/quality/emerging_backtest.py) read them here, with their cells (emerging_plant_cells)."""

    name: str
    source: str
    measure: str  # the measure of marts.mart_emerging_patterns it moves
    scope_kind: str  # the kind of cell it is planted in
    is_rise: bool
    history: tuple[int, ...]
    last: int
    naics: str | None = None  # h2b: the NAICS code of the planted applications
    agent: str | None = None  # h2b: the agent named on them
    workers: int = 3  # h2b: workers requested and certified per application
    one_state: bool = True  # h2b: the employers are of one state (else one in each of SPREAD_EMPLOYERS states)

    def start_fiscal_year(self, config: SampleConfig) -> int | None:
        """The fiscal year the rise begins (the sample's last: every rise is new there); None for noise."""
        return config.last_fiscal_year if self.is_rise else None


SPREAD_EMPLOYERS = 6

EMERGING_PLANTS = (
    # A staffing employer's WHD cases find 2 child-labor violations a year (on its latest case of the
    # year), then 20 on every case of the last year.
    EmergingPlant(
        "child labor at one employer",
        "whd",
        "child_labor_violations",
        "state_sector",
        is_rise=True,
        history=(2,) * 5,
        last=20,
    ),
    # Six H-2B landscaping applications of 40 workers each in the last year, from employers of one state.
    EmergingPlant(
        "H-2B landscaping workers",
        "h2b",
        "h2b_workers_certified",
        "hidden_work_industry",
        is_rise=True,
        history=(),
        last=6,
        naics="561730",
        workers=40,
    ),
    # An agent filing one H-2B application a year files twelve in the last.
    EmergingPlant(
        "a filing agent's applications",
        "h2b",
        "h2b_agent_filings",
        "filing_agent",
        is_rise=True,
        history=(1,) * 5,
        last=12,
        naics="236118",
        agent="Harold Vance",
    ),
    # Noise: a small agent swinging from one application a year to three (below the minimum count).
    EmergingPlant(
        "a small agent's swing",
        "h2b",
        "h2b_agent_filings",
        "filing_agent",
        is_rise=False,
        history=(1,) * 5,
        last=3,
        naics="236118",
        agent="Nora Quist",
        one_state=False,
    ),
    # Noise: an agent whose filings have swung widely every year since FY2016 without ever topping the
    # years before, a little above its range in the last.
    EmergingPlant(
        "a volatile agent",
        "h2b",
        "h2b_agent_filings",
        "filing_agent",
        is_rise=False,
        history=(10, 2, 11, 3, 9, 1, 11, 2, 10),
        last=12,
        naics="236118",
        agent="Victor Ambrose",
        one_state=False,
    ),
)


@dataclass(frozen=True)
class EmergingPlantCell:
    """Where a plant lands: its employers and the cell of marts.mart_emerging_patterns it moves."""

    plant: EmergingPlant
    employers: tuple[Employer, ...]
    state_code: str | None
    naics_sector: str | None
    hidden_work_code: str | None
    agent_name: str | None


def emerging_plant_cells(world: World) -> list[EmergingPlantCell]:
    """Each plant of EMERGING_PLANTS with its employers: the whd plant's is the most frequent WHD employer
    of the world (the first 'other' one, so it has cases every year); an h2b plant's are the non-debarred
    'other' employers with its NAICS code, of the first one's state when `one_state`, else one employer in each of
    a few states."""
    debarred = {d.employer.entity_id for d in planted_debarments(world)}
    cells = []
    for plant in EMERGING_PLANTS:
        if plant.source == "whd":
            employers = (world.of_kind("other")[0],)
        else:
            pool = [e for e in world.of_kind("other") if e.naics == plant.naics and e.entity_id not in debarred]
            if plant.one_state:
                employers = tuple(e for e in pool if e.state == pool[0].state)
            else:  # one employer in each of a few states
                employers = tuple({e.state: e for e in reversed(pool)}.values())[:SPREAD_EMPLOYERS]
        state = employers[0].state if plant.source == "whd" or plant.one_state else None
        cells.append(
            EmergingPlantCell(
                plant=plant,
                employers=employers,
                state_code=state,
                naics_sector=sector_of(employers[0].naics) if state else None,
                hidden_work_code=plant.naics if plant.scope_kind == "hidden_work_industry" else None,
                agent_name=plant.agent,
            )
        )
    return cells
