"""Data-quality suite of `raw_qcew__annual_employment` (BLS QCEW annual averages, national and
state levels). Suppressed cells (disclosure code N) carry NULL employment, never 0."""

from __future__ import annotations

from expectations.common import standard_table_rules, today
from expectations.rules import ERROR, Rule, Suite, between, in_set, matches, not_null
from sources.common.reference import STATES
from sources.qcew.contract import ANNUAL_EMPLOYMENT

_STATE_AREAS = {f"{s.fips}000" for s in STATES} | {"US000"}


def build_suites() -> dict[str, Suite]:
    return {ANNUAL_EMPLOYMENT.table_name: annual_employment_suite()}


def annual_employment_suite() -> Suite:
    return Suite(
        table=ANNUAL_EMPLOYMENT.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every row has area, ownership, industry, level, size and year",
                not_null(*ANNUAL_EMPLOYMENT.primary_key),
            ),
            Rule(
                "area_known",
                ERROR,
                "areas are the nation (US000) or a state/territory (SS000)",
                in_set("area_fips", _STATE_AREAS),
            ),
            Rule(
                "area_fips_format",
                ERROR,
                "area FIPS codes are 5 characters, leading zeros kept",
                matches("area_fips", r"^(?:US|[0-9]{2})[0-9]{3}$"),
            ),
            Rule(
                "ownership_known",
                ERROR,
                "ownership codes are 0-5, 8 or 9",
                in_set("own_code", {"0", "1", "2", "3", "4", "5", "8", "9"}),
            ),
            Rule(
                "aggregation_level_kept",
                ERROR,
                "only national (10-18) and state (50-58) levels are kept",
                matches("agglvl_code", r"^(?:1[0-8]|5[0-8])$"),
            ),
            Rule(
                "disclosure_code_known",
                ERROR,
                "disclosure code is N (suppressed) or blank",
                in_set("disclosure_code", {"N"}),
            ),
            Rule(
                "year_plausible",
                ERROR,
                f"years between 1990 and {today().year}",
                between("year", min_value=1990, max_value=today().year),
            ),
            Rule(
                "counts_non_negative",
                ERROR,
                "establishments, employment and wages are never negative",
                between("annual_avg_estabs", "annual_avg_emplvl", "total_annual_wages", "avg_annual_pay", min_value=0),
            ),
            Rule(
                "industry_code_format",
                ERROR,
                "industry codes are 10 (total), NAICS sectors like 31-33, or 3-6 digit NAICS",
                matches("industry_code", r"^(?:[0-9]{2}(?:-[0-9]{2})?|[0-9]{3,6})$"),
            ),
        ),
        table_rules=standard_table_rules(ANNUAL_EMPLOYMENT.primary_key),
    )
