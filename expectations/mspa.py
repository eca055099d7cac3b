"""Data-quality suite of `raw_mspa__farm_labor_contractors` (WHD's certificated FLC registry)."""

from __future__ import annotations

from datetime import date

from expectations.common import POSTAL_STATE_CODES, ZIP_FORMAT, standard_table_rules
from expectations.rules import ERROR, WARN, Rule, Suite, dates_between, in_set, matches, not_null, ordered
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
            Rule(
                "state_known",
                ERROR,
                "contractor states are US postal codes",
                in_set("flc_state", POSTAL_STATE_CODES),
                mostly=0.99,
            ),
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
            Rule("zip_format", WARN, "ZIP codes have 5 or 9 digits", matches("flc_zip", ZIP_FORMAT)),
        ),
        table_rules=standard_table_rules(FARM_LABOR_CONTRACTORS.primary_key),
    )
