"""Contract of the QCEW annual employment table (`raw_qcew__annual_employment`).

Canonical column names are BLS's own (the open-data CSV layout,
https://data.bls.gov/cew/doc/layouts/csv_annual_layout.htm). One row per area x ownership x
industry x aggregation level x size class x year, national and statewide levels only: the marts
need state x sector denominators, and the county and MSA rows would multiply the table ~60-fold.
Codes stay text so leading zeros survive (``01000`` is Alabama statewide, ``US000`` the nation).
Cells BLS suppressed (``disclosure_code = 'N'``) are published as zeros; they are NULL here.
"""

from __future__ import annotations

from sources.common.contract import Column, TableContract, make_contract

# The 38 columns of the annual CSV slices and singlefiles, in file order.
ANNUAL_CSV_COLUMNS: tuple[str, ...] = (
    "area_fips",
    "own_code",
    "industry_code",
    "agglvl_code",
    "size_code",
    "year",
    "qtr",
    "disclosure_code",
    "annual_avg_estabs",
    "annual_avg_emplvl",
    "total_annual_wages",
    "taxable_annual_wages",
    "annual_contributions",
    "annual_avg_wkly_wage",
    "avg_annual_pay",
    "lq_disclosure_code",
    "lq_annual_avg_estabs",
    "lq_annual_avg_emplvl",
    "lq_total_annual_wages",
    "lq_taxable_annual_wages",
    "lq_annual_contributions",
    "lq_annual_avg_wkly_wage",
    "lq_avg_annual_pay",
    "oty_disclosure_code",
    "oty_annual_avg_estabs_chg",
    "oty_annual_avg_estabs_pct_chg",
    "oty_annual_avg_emplvl_chg",
    "oty_annual_avg_emplvl_pct_chg",
    "oty_total_annual_wages_chg",
    "oty_total_annual_wages_pct_chg",
    "oty_taxable_annual_wages_chg",
    "oty_taxable_annual_wages_pct_chg",
    "oty_annual_contributions_chg",
    "oty_annual_contributions_pct_chg",
    "oty_annual_avg_wkly_wage_chg",
    "oty_annual_avg_wkly_wage_pct_chg",
    "oty_avg_annual_pay_chg",
    "oty_avg_annual_pay_pct_chg",
)
# The by_area / by_industry files (and older bulk files) add these titles after disclosure_code ...
TITLE_COLUMNS = ("area_title", "own_title", "industry_title", "agglvl_title", "size_title")
# ... and name the establishment columns with "_count".
COUNT_NAMES = {
    "annual_avg_estabs": "annual_avg_estabs_count",
    "lq_annual_avg_estabs": "lq_annual_avg_estabs_count",
    "oty_annual_avg_estabs_chg": "oty_annual_avg_estabs_count_chg",
    "oty_annual_avg_estabs_pct_chg": "oty_annual_avg_estabs_count_pct_chg",
}
# Measures BLS publishes as 0 when a cell is suppressed; NULL here (estabs stay published).
SUPPRESSED_MEASURES = ("annual_avg_emplvl", "total_annual_wages", "annual_avg_wkly_wage", "avg_annual_pay")
NATIONAL_AGGLVLS = tuple(str(n) for n in range(10, 19))
STATE_AGGLVLS = tuple(str(n) for n in range(50, 59))

ANNUAL_EMPLOYMENT = make_contract(
    "qcew",
    "annual_employment",
    "BLS QCEW annual averages of establishments, employment and wages covered by unemployment "
    "insurance, national (agglvl 10-18, area US000) and statewide (agglvl 50-58, area SS000) rows only: "
    "one row per area, ownership, industry, aggregation level, size class and year.",
    [
        Column("area_fips", "string", "Area code: US000 = United States, SS000 = statewide (state FIPS + 000).", False),
        Column("own_code", "string", "Ownership: 0 total, 1 federal, 2 state, 3 local government, 5 private.", False),
        Column("industry_code", "string", "As published: 10 = all industries; NAICS sectors 11, 31-33, ...", False),
        Column(
            "agglvl_code",
            "string",
            "Aggregation level: 10 national total ... 14 national sector by ownership; "
            "50 state total ... 54 state sector by ownership.",
            False,
        ),
        Column("size_code", "string", "Establishment size class; 0 = all sizes (annual data).", False),
        Column("year", "int", "Calendar year of the annual average.", False),
        Column("qtr", "string", "Always 'A' (annual)."),
        Column("disclosure_code", "string", "'N' = not disclosed (suppressed); NULL = published."),
        Column("annual_avg_estabs", "int", "Annual average number of establishments (published even when suppressed)."),
        Column("annual_avg_emplvl", "int", "Annual average employment; NULL (never 0) when disclosure_code = 'N'."),
        Column("total_annual_wages", "double", "Total wages paid in the year, dollars; NULL when suppressed."),
        Column("annual_avg_wkly_wage", "int", "Average weekly wage, dollars; NULL when suppressed."),
        Column("avg_annual_pay", "int", "Average annual pay, dollars; NULL when suppressed."),
    ],
    primary_key=("area_fips", "own_code", "industry_code", "agglvl_code", "size_code", "year"),
)

CONTRACTS: tuple[TableContract, ...] = (ANNUAL_EMPLOYMENT,)
