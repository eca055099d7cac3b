"""Data-quality suite of `raw_mspa__farm_labor_contractors` (WHD's certificated FLC registry)."""

from __future__ import annotations

from datetime import date

from expectations.common import ZIP_FORMAT, standard_table_rules, state_known_rule, zip_format_rule
from expectations.rules import ERROR, Rule, Suite, dates_between, not_null, ordered
from sources.mspa.contract import FARM_LABOR_CONTRACTORS


def build_suites() -> dict[str, Suite]:
    return {FARM_LABOR_CONTRACTORS.table_name: farm_labor_contractors_suite()}


def farm_labor_contractors_suite() -> Suite:
    return Suite(
        table=FARM_LABOR_CONTRACTORS.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every certificate has a number and a contractor name",
                not_null("cert_num", "flc_name"),
            ),
            state_known_rule("state_known", "flc_state", "contractor"),
            Rule(
                "certificate_period_ordered",
                ERROR,
                "a certificate starts before it expires",
                ordered("certificate_start_date", "certificate_valid_until_date"),
                mostly=0.995,
            ),
            Rule(
                "certificate_dates_plausible",
                ERROR,
                "certificates start after 1983 (MSPA enacted) and before 2100",
                dates_between("certificate_start_date", earliest=date(1983, 1, 1), latest=date(2100, 1, 1)),
            ),
            zip_format_rule("flc_zip", ZIP_FORMAT, "ZIP codes have 5 or 9 digits"),
        ),
        table_rules=standard_table_rules(FARM_LABOR_CONTRACTORS.primary_key),
    )
