"""Rules every suite shares and the reference value sets they use."""

from __future__ import annotations

from datetime import date

from expectations.rules import ERROR, WARN, Rule, TableRule, in_set, matches
from sources.common.reference import NAICS_SECTORS, STATE_CODES

EARLIEST_VALID_DATE = date(1980, 1, 1)
# USPS codes beyond states and territories that appear in federal files (freely associated states,
# minor outlying islands, military mail).
EXTRA_POSTAL_CODES = frozenset({"FM", "MH", "PW", "UM", "AA", "AE", "AP"})
POSTAL_STATE_CODES = STATE_CODES | EXTRA_POSTAL_CODES
NAICS_FORMAT = r"^[0-9]{2,6}$"
# A 2-6 digit code whose first two digits are a NAICS sector (the seed ref_naics_sectors).
NAICS_IN_A_SECTOR = r"^(?:" + "|".join(c for s in NAICS_SECTORS for c in s.two_digit_codes) + r")[0-9]{0,4}$"
ZIP_FORMAT = r"^[0-9]{5}(?:-?[0-9]{4})?$"
# The set-wide rule a person may waive for one run (`--accept-row-drop TABLE`), with a recorded reason.
ROW_COUNT_RULE = "row_count_vs_last_load"


def today() -> date:
    return date.today()


def standard_table_rules(key: tuple[str, ...]) -> tuple[TableRule, ...]:
    """Not empty, unique key, and no sudden drop in rows against the last accepted load."""
    return (
        TableRule("not_empty", ERROR, "the load has at least one row", "not_empty"),
        TableRule("key_unique", ERROR, f"the key ({', '.join(key)}) identifies one row", "unique_key", key),
        TableRule(ROW_COUNT_RULE, ERROR, "no sudden drop in rows", "row_count_drop"),
    )


def oflc_place_rules(zip_format: str, zip_description: str) -> tuple[Rule, ...]:
    """The employer/worksite state, NAICS and ZIP rules of the OFLC disclosure files (H-2A, H-2B); their
    ZIP codes lost leading zeros differently, so each program gives its own pattern and wording."""
    return (
        state_known_rule("employer_state_known", "employer_state", "employer"),
        state_known_rule("worksite_state_known", "worksite_state", "worksite"),
        Rule("naics_format", WARN, "NAICS codes have 2-6 digits", matches("naics_code", NAICS_FORMAT)),
        zip_format_rule("employer_postal_code", zip_format, zip_description),
    )


def state_known_rule(name: str, column: str, whose: str) -> Rule:
    """`column` holds US postal codes (in at least 99 % of rows)."""
    return Rule(name, ERROR, f"{whose} states are US postal codes", in_set(column, POSTAL_STATE_CODES), mostly=0.99)


def zip_format_rule(column: str, zip_format: str, description: str) -> Rule:
    """`column`'s ZIP codes match `zip_format` (a warning: a stray ZIP does not stop a load)."""
    return Rule("zip_format", WARN, description, matches(column, zip_format))
