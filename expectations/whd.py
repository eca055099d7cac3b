"""Data-quality suite of `raw_whd__compliance_actions` (WHD compliance actions, one row per case).

Tolerances (`mostly`) exist where the real file has known stray values -- a few findings dates
like 3021-05-01 or 1900-01-09 among ~360k cases -- so those are shown as warnings and only a real
breakage (many bad rows) blocks the load.
"""

from __future__ import annotations

from expectations.common import (
    EARLIEST_VALID_DATE,
    NAICS_FORMAT,
    NAICS_IN_A_SECTOR,
    POSTAL_STATE_CODES,
    ZIP_FORMAT,
    standard_table_rules,
    today,
    zip_format_rule,
)
from expectations.rules import ERROR, WARN, Rule, Suite, between, dates_between, in_set, matches, not_null, ordered
from sources.whd.contract import COMPLIANCE_ACTIONS, DATE_COLUMNS

_MONEY = tuple(c.name for c in COMPLIANCE_ACTIONS.columns if c.type == "double")
_COUNTS = tuple(
    c.name for c in COMPLIANCE_ACTIONS.columns if c.type == "int" and c.name not in ("case_id", "source_row")
)
_DATES = tuple(sorted(DATE_COLUMNS))


def build_suites() -> dict[str, Suite]:
    return {COMPLIANCE_ACTIONS.table_name: compliance_actions_suite()}


def compliance_actions_suite() -> Suite:
    latest = today()
    return Suite(
        table=COMPLIANCE_ACTIONS.table_name,
        rules=(
            Rule("key_not_null", ERROR, "every case has a case_id", not_null("case_id")),
            Rule(
                "money_non_negative",
                ERROR,
                "back wages and penalties are never negative",
                between(*_MONEY, min_value=0),
            ),
            Rule(
                "counts_non_negative",
                ERROR,
                "violation and employee counts are never negative",
                between(*_COUNTS, min_value=0),
            ),
            Rule(
                "findings_dates_plausible",
                ERROR,
                f"findings dates lie between {EARLIEST_VALID_DATE} and today",
                dates_between(*_DATES, earliest=EARLIEST_VALID_DATE, latest=latest),
                mostly=0.999,
            ),
            Rule(
                "findings_dates_strictly_plausible",
                WARN,
                "no findings date before 1980 or in the future (stray values)",
                dates_between(*_DATES, earliest=EARLIEST_VALID_DATE, latest=latest),
            ),
            Rule(
                "findings_start_not_after_end",
                ERROR,
                "findings start on or before they end",
                ordered("findings_start_date", "findings_end_date"),
                mostly=0.995,
            ),
            Rule(
                "state_codes_known",
                ERROR,
                "employer states are US state/territory postal codes",
                in_set("st_cd", POSTAL_STATE_CODES),
                mostly=0.999,
            ),
            Rule("naics_format", ERROR, "NAICS codes have 2-6 digits", matches("naic_cd", NAICS_FORMAT), mostly=0.999),
            Rule(
                "naics_codes_in_a_sector",
                WARN,
                "NAICS codes begin with a NAICS sector; odd codes (9690, 09310) are kept as published and "
                "counted in no sector (fct_whd_case.has_naics_sector = false)",
                matches("naic_cd", NAICS_IN_A_SECTOR),
            ),
            zip_format_rule("zip_cd", ZIP_FORMAT, "ZIP codes have 5 or 9 digits"),
            Rule(
                "repeat_violator_codes",
                WARN,
                "FLSA repeat/willful flag is R, W, RW or N/A",
                in_set("flsa_repeat_violator", {"R", "W", "RW", "N/A"}),
            ),
        ),
        table_rules=standard_table_rules(COMPLIANCE_ACTIONS.primary_key),
    )
