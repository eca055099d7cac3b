"""Reference data shared by parsers, gates and samples: states/territories and NAICS sectors.

The truth lives in the dbt seeds (`dbt_project/seeds/ref_*.csv`) so SQL and Python agree; this
module reads them and adds what only the sample generator needs (ZIP prefixes, weights).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds"

# First three ZIP digits per state (sample addresses only).
_ZIP_PREFIX = {
    "AL": "350",
    "AK": "995",
    "AZ": "850",
    "AR": "716",
    "CA": "932",
    "CO": "800",
    "CT": "060",
    "DE": "197",
    "DC": "200",
    "FL": "338",
    "GA": "317",
    "HI": "967",
    "ID": "833",
    "IL": "600",
    "IN": "460",
    "IA": "500",
    "KS": "660",
    "KY": "400",
    "LA": "700",
    "ME": "040",
    "MD": "206",
    "MA": "010",
    "MI": "490",
    "MN": "550",
    "MS": "386",
    "MO": "630",
    "MT": "590",
    "NE": "680",
    "NV": "889",
    "NH": "030",
    "NJ": "080",
    "NM": "870",
    "NY": "144",
    "NC": "275",
    "ND": "580",
    "OH": "430",
    "OK": "730",
    "OR": "970",
    "PA": "173",
    "RI": "028",
    "SC": "290",
    "SD": "570",
    "TN": "370",
    "TX": "785",
    "UT": "840",
    "VT": "050",
    "VA": "220",
    "WA": "988",
    "WV": "247",
    "WI": "530",
    "WY": "820",
    "AS": "967",
    "GU": "969",
    "MP": "969",
    "PR": "006",
    "VI": "008",
}
# States where H-2A agriculture concentrates get more agricultural sample employers.
_AG_WEIGHT = {
    "CA": 8,
    "FL": 9,
    "WA": 7,
    "GA": 7,
    "NC": 6,
    "TX": 4,
    "LA": 4,
    "MI": 3,
    "NY": 3,
    "AZ": 3,
    "KY": 3,
    "ID": 2,
}
_POPULATION_WEIGHT = {"CA": 12, "TX": 9, "FL": 7, "NY": 6, "PA": 4, "IL": 4, "OH": 4, "GA": 3, "NC": 3, "MI": 3}


@dataclass(frozen=True)
class State:
    code: str
    name: str
    fips: str
    dol_region: str
    whd_region: str
    is_state: bool

    @property
    def zip_prefix(self) -> str:
        return _ZIP_PREFIX[self.code]

    def sample_weight(self, kind: str) -> float:
        if kind in ("ag", "flc"):
            return float(_AG_WEIGHT.get(self.code, 1))
        return float(_POPULATION_WEIGHT.get(self.code, 1.5))


@dataclass(frozen=True)
class NaicsSector:
    code: str  # "11", "31-33", ...
    title: str
    first: int
    last: int

    @property
    def two_digit_codes(self) -> list[str]:
        return [str(n) for n in range(self.first, self.last + 1)]


def _read_seed(name: str) -> list[dict[str, str]]:
    with open(SEEDS / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


STATES: tuple[State, ...] = tuple(
    State(r["state_code"], r["state_name"], r["state_fips"], r["dol_region"], r["whd_region"], r["is_state"] == "true")
    for r in _read_seed("ref_states.csv")
)
STATE_CODES = frozenset(s.code for s in STATES)
STATE_BY_NAME = {s.name.upper(): s for s in STATES}
NAICS_SECTORS: tuple[NaicsSector, ...] = tuple(
    NaicsSector(r["naics_sector"], r["sector_title"], int(r["first_two_digit"]), int(r["last_two_digit"]))
    for r in _read_seed("ref_naics_sectors.csv")
)


def sector_of(naics_code: str) -> str | None:
    """The NAICS sector ("11", "31-33", ...) a 2-6 digit code belongs to, or None."""
    digits = (naics_code or "").strip()[:2]
    for sector in NAICS_SECTORS:
        if digits in sector.two_digit_codes:
            return sector.code
    return None


# Six-digit industries the sample draws from, by kind of employer (real NAICS 2017/2022 codes).
NAICS_SAMPLE_INDUSTRIES: dict[str, list[str]] = {
    "ag": ["111219", "111339", "111334", "111421", "111998", "112120", "111120", "111310", "115114", "112111"],
    "flc": ["115115"],
    "other": [
        "722511",
        "722513",
        "236118",
        "238210",
        "561720",
        "561320",
        "811111",
        "721110",
        "445110",
        "561730",
        "561612",
        "621610",
        "484121",
        "311811",
        "238160",
        "238320",
        "315210",
        "623110",
        "541211",
        "238220",
    ],
}
