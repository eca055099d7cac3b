"""A hand-made `marts.mart_emerging_patterns` of the agreed schema (issue 29), for the tests of `warehouse
emerging` and of the report's emerging patterns: flagged and unflagged cells, the latest year of two sources
(WHD FY2025, H-2A FY2024) and an older year."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb

# The agreed columns, in order, with their types (briefs: emerging_schema.md).
SCHEMA = """fiscal_year INTEGER, is_latest_year BOOLEAN, scope_kind VARCHAR, state_code VARCHAR, region VARCHAR,
    naics_sector VARCHAR, hidden_work_code VARCHAR, agent_id VARCHAR, scope_label VARCHAR, measure VARCHAR,
    source VARCHAR, observed DOUBLE, expected DOUBLE, baseline_years INTEGER, baseline_first_year INTEGER,
    baseline_last_year INTEGER, baseline_min DOUBLE, baseline_max DOUBLE, change DOUBLE, change_ratio DOUBLE,
    p_value DOUBLE, q_value DOUBLE, is_emerging BOOLEAN, emerging_rank INTEGER, related_measure VARCHAR,
    sentence VARCHAR"""


@dataclass(frozen=True)
class Cell:
    fiscal_year: int
    is_latest_year: bool
    scope_kind: str
    state_code: str | None
    scope_label: str
    measure: str
    source: str
    observed: float
    expected: float
    baseline_min: float
    baseline_max: float
    q_value: float
    emerging_rank: int | None = None  # flagged when set
    sentence: str | None = None
    region: str | None = None
    naics_sector: str | None = None
    hidden_work_code: str | None = None
    agent_id: str | None = None
    related_measure: str | None = None

    @property
    def is_emerging(self) -> bool:
        return self.emerging_rank is not None

    def row(self) -> tuple:
        """The cell as a row of the agreed schema."""
        first, last = self.fiscal_year - 5, self.fiscal_year - 1
        return (
            self.fiscal_year,
            self.is_latest_year,
            self.scope_kind,
            self.state_code,
            self.region,
            self.naics_sector,
            self.hidden_work_code,
            self.agent_id,
            self.scope_label,
            self.measure,
            self.source,
            self.observed,
            self.expected,
            5,
            first,
            last,
            self.baseline_min,
            self.baseline_max,
            self.observed - self.expected,
            self.observed / self.expected if self.expected else None,
            self.q_value / 10,
            self.q_value,
            self.is_emerging,
            self.emerging_rank,
            self.related_measure,
            self.sentence,
        )


TX_CHILD_LABOR = Cell(
    2025,
    True,
    "state_sector",
    "TX",
    "Texas, Construction",
    "child_labor_violations",
    "whd",
    19,
    4.2,
    2,
    6,
    0.001,
    emerging_rank=1,
    naics_sector="23",
    related_measure="whd_cases",
    sentence="Child-labor violations in Texas, Construction rose from about 4 a year to 19 in FY2025, above its "
    "FY2020–FY2024 range (2–6), while WHD cases stayed flat.",
)
CA_CASES = Cell(
    2025,
    True,
    "state",
    "CA",
    "California",
    "whd_cases",
    "whd",
    1250,
    610.4,
    540,
    700,
    0.004,
    emerging_rank=2,
    sentence="WHD cases in California rose from about 610 a year to 1,250 in FY2025, above its FY2020–FY2024 "
    "range (540–700).",
)
AGENT_EMPLOYERS = Cell(
    2025,
    True,
    "filing_agent",
    None,
    "filing agent ACME LABOR SERVICES",
    "agent_employers_with_violations",
    "whd",
    9,
    1.5,
    0,
    3,
    0.02,
    emerging_rank=3,
    agent_id="A0123456789AB",
    sentence="Employers with violations of filing agent ACME LABOR SERVICES rose from about 2 a year to 9 in "
    "FY2025, above its FY2020–FY2024 range (0–3).",
)
TX_DEBARMENTS = Cell(
    2025,
    True,
    "state",
    "TX",
    "Texas",
    "debarments_started",
    "debarment",
    14,
    5.0,
    2,
    9,
    0.03,
    emerging_rank=4,
    sentence="Debarments started in Texas rose from about 5 a year to 14 in FY2025, above its FY2020–FY2024 "
    "range (2–9).",
)
GA_H2A = Cell(
    2024,
    True,
    "state",
    "GA",
    "Georgia",
    "h2a_workers_certified",
    "h2a",
    30500,
    12000,
    10000,
    14000,
    0.0005,  # rank 1 of its year as TX_CHILD_LABOR is of its own: the smaller q-value comes first
    emerging_rank=1,
    sentence="H-2A workers certified in Georgia rose from about 12,000 a year to 30,500 in FY2024, above its "
    "FY2019–FY2023 range (10,000–14,000).",
)
UNFLAGGED_LATEST = (
    Cell(2025, True, "state", "TX", "Texas", "whd_cases", "whd", 410, 400, 380, 420, 0.41),
    Cell(2025, True, "state", "CA", "California", "child_labor_violations", "whd", 30, 27, 22, 31, 0.2),
    Cell(2025, True, "national", None, "the nation", "whd_cases", "whd", 8100, 8000, 7600, 8300, 0.5),
    Cell(2024, True, "state", "NC", "North Carolina", "h2a_workers_certified", "h2a", 21000, 20500, 19000, 22000, 0.3),
)
OLDER = (
    # Flagged in its own year, which is not the latest: shown only with --year 2024.
    replace(TX_CHILD_LABOR, fiscal_year=2024, is_latest_year=False, observed=11, q_value=0.008, sentence="Older."),
    Cell(2024, False, "state", "TX", "Texas", "whd_cases", "whd", 390, 395, 370, 410, 0.6),
    Cell(2023, False, "state", "GA", "Georgia", "h2a_workers_certified", "h2a", 12500, 12000, 10000, 14000, 0.45),
)
CELLS = (AGENT_EMPLOYERS, TX_DEBARMENTS, UNFLAGGED_LATEST[0], CA_CASES, GA_H2A, TX_CHILD_LABOR, *UNFLAGGED_LATEST[1:])
CELLS += OLDER


def create_emerging_mart(con: duckdb.DuckDBPyConnection, cells=CELLS) -> None:
    """marts.mart_emerging_patterns holding `cells` (the schema marts must exist)."""
    con.execute(f"CREATE TABLE marts.mart_emerging_patterns ({SCHEMA})")
    if cells:
        marks = ", ".join("?" * len(cells[0].row()))
        con.executemany(f"INSERT INTO marts.mart_emerging_patterns VALUES ({marks})", [c.row() for c in cells])


def strongest_first(cells) -> list[Cell]:
    """Flagged before unflagged, then by rank, the smallest q-value, the later year (independent of the SQL)."""
    return sorted(
        cells,
        key=lambda c: (
            not c.is_emerging,
            c.emerging_rank if c.is_emerging else 10**9,
            c.q_value,
            -c.fiscal_year,
            c.scope_label,
            c.measure,
        ),
    )
