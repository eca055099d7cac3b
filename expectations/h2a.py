"""Data-quality suites of the H-2A tables (`raw_h2a__disclosure`, `raw_h2a__addendum_b_worksites`).

Duplicate case numbers are expected (association master + member rows); uniqueness is on the
contract key (file FY, case number, row within case). Certified counts are blank or 0 on denials.
"""

from __future__ import annotations

import csv
from datetime import date

from expectations.common import oflc_place_rules, standard_table_rules, state_known_rule, today, zip_format_rule
from expectations.rules import ERROR, WARN, Rule, Suite, between, dates_between, matches, not_null, ordered
from sources.common.reference import SEEDS
from sources.h2a.contract import ADDENDUM_B_WORKSITES, DISCLOSURE, case_status_pattern

EARLIEST_DECISION = date(2006, 10, 1)  # the oldest disclosure files are FY2007
# Raw ZIPs keep the published form: old files stored them as numbers, dropping leading zeros.
RAW_ZIP_FORMAT = r"^[0-9]{3,5}(?:-?[0-9]{4})?$"


def known_case_statuses() -> set[str]:
    with open(SEEDS / "ref_h2a_case_statuses.csv", encoding="utf-8", newline="") as handle:
        return {row["case_status"] for row in csv.DictReader(handle)}


def build_suites() -> dict[str, Suite]:
    return {DISCLOSURE.table_name: disclosure_suite(), ADDENDUM_B_WORKSITES.table_name: worksites_suite()}


def disclosure_suite() -> Suite:
    latest = today()
    return Suite(
        table=DISCLOSURE.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every row has a fiscal year, case number and row number",
                not_null("file_fiscal_year", "case_number", "case_row"),
            ),
            Rule(
                "case_status_known",
                ERROR,
                "case statuses are ones OFLC publishes (see ref_h2a_case_statuses; any case and spacing)",
                matches("case_status", case_status_pattern(known_case_statuses())),
            ),
            Rule(
                "worker_counts_non_negative",
                ERROR,
                "worker counts are never negative",
                between("workers_requested", "workers_certified", "total_workers_needed", min_value=0),
            ),
            Rule("wage_non_negative", ERROR, "the offered wage is never negative", between("wage_rate", min_value=0)),
            Rule(
                "decision_dates_plausible",
                ERROR,
                f"decisions are dated between {EARLIEST_DECISION} and today",
                dates_between("decision_date", earliest=EARLIEST_DECISION, latest=latest),
                mostly=0.999,
            ),
            Rule(
                "employment_begins_before_it_ends",
                ERROR,
                "employment begins on or before it ends",
                ordered("employment_begin_date", "employment_end_date"),
                mostly=0.995,
            ),
            Rule(
                "requested_period_ordered",
                WARN,
                "the requested period begins on or before it ends",
                ordered("requested_begin_date", "requested_end_date"),
            ),
            *oflc_place_rules(
                RAW_ZIP_FORMAT, "employer ZIP codes are 5 or 9 digits (3-4 where leading zeros were lost)"
            ),
        ),
        table_rules=standard_table_rules(DISCLOSURE.primary_key),
    )


def worksites_suite() -> Suite:
    return Suite(
        table=ADDENDUM_B_WORKSITES.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every worksite has a fiscal year, case number and row number",
                not_null("file_fiscal_year", "case_number", "worksite_row"),
            ),
            Rule(
                "worker_counts_non_negative",
                ERROR,
                "worker counts are never negative (real FY2022-2023 files hold a few negative counts)",
                between("total_workers", min_value=0),
                mostly=0.999,
            ),
            Rule(
                "worker_counts_strictly_non_negative",
                WARN,
                "no negative worker count at all (stray values are reported, the file loads)",
                between("total_workers", min_value=0),
            ),
            state_known_rule("worksite_state_known", "state", "worksite"),
            zip_format_rule("postal_code", RAW_ZIP_FORMAT, "worksite ZIP codes are 5 or 9 digits"),
        ),
        table_rules=standard_table_rules(ADDENDUM_B_WORKSITES.primary_key),
    )
