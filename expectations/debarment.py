"""Data-quality suites of the OFLC debarment lists (current program list, expired H-2A list)."""

from __future__ import annotations

from datetime import date

from expectations.common import POSTAL_STATE_CODES, standard_table_rules, today
from expectations.rules import ERROR, WARN, Rule, Suite, between, dates_between, in_set, not_null, ordered
from sources.debarment.contract import EXPIRED_H2A_DEBARMENTS, PROGRAM_DEBARMENTS

EARLIEST_DEBARMENT = date(2000, 1, 1)


def build_suites() -> dict[str, Suite]:
    return {
        PROGRAM_DEBARMENTS.table_name: program_debarments_suite(),
        EXPIRED_H2A_DEBARMENTS.table_name: expired_suite(),
    }


def _shared_rules(name_column: str) -> tuple[Rule, ...]:
    return (
        Rule(
            "start_dates_plausible",
            ERROR,
            f"debarments start between {EARLIEST_DEBARMENT} and today",
            dates_between("start_date", earliest=EARLIEST_DEBARMENT, latest=today()),
        ),
        Rule(
            "debarment_ends_after_it_starts",
            ERROR,
            "a debarment ends on or after it starts, except in rows the parser flagged as published "
            "inconsistently (has_inconsistent_dates, named in the parse notes)",
            ordered("start_date", "end_date", unless="has_inconsistent_dates"),
        ),
        Rule("state_known", WARN, "locations resolve to a US state", in_set("state_code", POSTAL_STATE_CODES)),
        Rule("name_present", ERROR, "every entry names the debarred entity", not_null(name_column)),
    )


def program_debarments_suite() -> Suite:
    return Suite(
        table=PROGRAM_DEBARMENTS.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every entry has a program, entity and start date",
                not_null(*PROGRAM_DEBARMENTS.primary_key),
            ),
            Rule(
                "program_known", ERROR, "programs are PERM, H-2A or H-2B", in_set("program", {"PERM", "H-2A", "H-2B"})
            ),
            *_shared_rules("entity_name"),
        ),
        table_rules=standard_table_rules(PROGRAM_DEBARMENTS.primary_key),
    )


def expired_suite() -> Suite:
    return Suite(
        table=EXPIRED_H2A_DEBARMENTS.table_name,
        rules=(
            Rule(
                "key_not_null",
                ERROR,
                "every entry has a name, start date and violation",
                not_null(*EXPIRED_H2A_DEBARMENTS.primary_key[:2]),
            ),
            Rule(
                "duration_positive",
                ERROR,
                "durations are between 1 and 120 months",
                between("duration_months", min_value=1, max_value=120),
            ),
            *_shared_rules("entity_name"),
        ),
        table_rules=standard_table_rules(EXPIRED_H2A_DEBARMENTS.primary_key),
    )
