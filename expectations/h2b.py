"""Data-quality suite of the H-2B table (`raw_h2b__disclosure`).

A case number can repeat within a file (FY2000-FY2005, FY2014 Q4): uniqueness is on the contract
key (file FY, case number, row within case). Statuses are the values of the real files
(ref_h2b_case_statuses, any case and spacing).
"""

from __future__ import annotations

import csv
from datetime import date

from expectations.common import oflc_place_rules, standard_table_rules, today
from expectations.rules import ERROR, WARN, Rule, Suite, between, dates_between, matches, not_null, ordered
from sources.common.reference import SEEDS
from sources.h2a.contract import case_status_pattern
from sources.h2b.contract import DISCLOSURE

EARLIEST_DECISION = date(1999, 10, 1)  # the oldest disclosure file is FY2000
# Raw ZIPs keep the published form: FY2008-FY2012 stored them as numbers, dropping leading zeros.
RAW_ZIP_FORMAT = r"^[0-9]{1,5}(?:-?[0-9]{4})?$"


def known_case_statuses() -> set[str]:
    with open(SEEDS / "ref_h2b_case_statuses.csv", encoding="utf-8", newline="") as handle:
        return {row["case_status"] for row in csv.DictReader(handle)}


def build_suites() -> dict[str, Suite]:
    return {DISCLOSURE.table_name: disclosure_suite()}


def disclosure_suite() -> Suite:
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
                "case statuses are ones OFLC publishes (see ref_h2b_case_statuses; any case and spacing)",
                matches("case_status", case_status_pattern(known_case_statuses())),
            ),
            Rule(
                "worker_counts_non_negative",
                ERROR,
                "worker counts are never negative",
                between("workers_requested", "workers_certified", min_value=0),
            ),
            Rule(
                "wages_non_negative",
                ERROR,
                "offered and prevailing wages are never negative",
                between("wage_rate", "prevailing_wage", min_value=0),
            ),
            Rule(
                "decision_dates_plausible",
                ERROR,
                f"decisions are dated between {EARLIEST_DECISION} and today",
                dates_between("decision_date", earliest=EARLIEST_DECISION, latest=today()),
                mostly=0.999,
            ),
            Rule(
                "employment_begins_before_it_ends",
                WARN,
                "employment begins on or before it ends",
                ordered("employment_begin_date", "employment_end_date"),
            ),
            Rule(
                "certified_period_ordered",
                WARN,
                "the certified period begins on or before it ends",
                ordered("certification_begin_date", "certification_end_date"),
            ),
            *oflc_place_rules(
                RAW_ZIP_FORMAT, "employer ZIP codes are 5 or 9 digits (fewer where leading zeros were lost)"
            ),
        ),
        table_rules=standard_table_rules(DISCLOSURE.primary_key),
    )
