"""Contracts of the OFLC debarment tables.

`raw_debarment__program_debarments`: the current "Program Debarments" PDF, one row per entry of
its PERM, H-2A and H-2B lists. `raw_debarment__expired_h2a_debarments`: the separate PDF of
expired H-2A debarments. Text is kept as published (whitespace collapsed); the trailing ``*`` DOL
prints after some names is stripped from the name and kept as a flag, because the PDF does not say
what it means in every edition (WHD-originated debarments, per DOL's page).

Sample ground truth (`ground_truth_employers.csv`, dataset ``debarment``) names records by their
key joined with ``|``: ``<program>|<entity_name>|<start_date>`` for the current list and
``expired|<entity_name>|<start_date>|<violation>|<duration_text>`` for the expired one (ISO dates).
"""

from __future__ import annotations

from datetime import date

from sources.common.contract import Column, TableContract, make_contract

_CORRECTIONS = (
    "Every value the parser read tolerantly or corrected, as a JSON list of {column, published, corrected, "
    "reason} (a stray comma in a date, a misspelt state, an erratum from sources/debarment/errata.csv); "
    "NULL when the row was read as published."
)
_INCONSISTENT_DATES = (
    "True when the publisher printed an end date before the start date (e.g. the expired H-2A list's "
    "'2/9/2018' to '2/8/2018'): the row is loaded as published, flagged here and named in the parse notes, "
    "never corrected or dropped; the gate's end-after-start rule exempts it. Filter it out where a "
    "debarment's length or whether it is in force matters."
)

PROGRAM_DEBARMENTS = make_contract(
    "debarment",
    "program_debarments",
    "OFLC program debarments currently in force, as published in the Program Debarments PDF: one row per "
    "entry of the PERM, H-2A and H-2B lists (program, entity, start date).",
    [
        Column("program", "string", "List the entry is on: PERM, H-2A or H-2B (from the list heading).", False),
        Column(
            "entity_name",
            "string",
            "Entity as published, footnote marker ('*', '**', a digit glued to the name as in 'Global1') "
            "stripped, whitespace collapsed.",
            False,
        ),
        Column("is_marked_asterisk", "bool", "True when the name carried DOL's trailing '*' (WHD debarment).", False),
        Column("footnote_marker", "string", "The footnote marker stripped from the name ('*', '**', '1'), if any."),
        Column(
            "entity_type",
            "string",
            "Entity Type: Employer, Agent, Attorney or Labor Contractor; a truncated published value "
            "('Labor Contracto') is completed (see corrections), an unknown one kept as published; NULL for "
            "the 2012-2015 editions, which have no Entity Type column.",
        ),
        Column("employer_location", "string", "Employer Location as published ('City, State')."),
        Column("city", "string", "City part of employer_location (text before the last comma)."),
        Column("state_code", "string", "Two-letter state: state names mapped, abbreviations kept; NULL if neither."),
        Column("start_date", "date", "Start of Debarment.", False),
        Column("end_date", "date", "End of Debarment; NULL for a permanent debarment (is_permanent)."),
        Column("is_permanent", "bool", "True when the End of Debarment cell reads 'Permanent'.", False),
        Column("violation", "string", "Violation as published; NULL for the 2012-2015 editions (no such column)."),
        Column("cfr_citation", "string", "CFR Citation (PERM list only; NULL where the list has no such column)."),
        Column("source_page", "int", "PDF page (1-based) the row was read from.", False),
        Column("corrections", "string", _CORRECTIONS),
        Column("has_inconsistent_dates", "bool", _INCONSISTENT_DATES, False),
    ],
    primary_key=("program", "entity_name", "start_date"),
)

EXPIRED_H2A_DEBARMENTS = make_contract(
    "debarment",
    "expired_h2a_debarments",
    "Expired OFLC H-2A debarments, as published in the expired-debarments PDF: one row per entry. The "
    "list repeats some entries with a corrected duration (same name, start and violation), so the duration "
    "text is part of the key.",
    [
        Column("entity_name", "string", "Name as published, trailing '*' stripped, whitespace collapsed.", False),
        Column("is_marked_asterisk", "bool", "True when the name carried DOL's trailing '*'.", False),
        Column("city", "string", "City part of the 'City, State' column."),
        Column("state_code", "string", "Two-letter state: state names mapped, abbreviations kept; NULL if neither."),
        Column("location_as_published", "string", "The 'City, State' cell as published."),
        Column("violation", "string", "Violation as published.", False),
        Column("duration_text", "string", "Duration as published ('2 years', '18 months').", False),
        Column("duration_months", "int", "Duration in months, from duration_text."),
        Column("start_date", "date", "Start date (published M/D/YYYY, sometimes M/D/YY).", False),
        Column("end_date", "date", "End date (published M/D/YYYY, sometimes M/D/YY)."),
        Column("source_page", "int", "PDF page (1-based) the row was read from.", False),
        Column("corrections", "string", _CORRECTIONS),
        Column("has_inconsistent_dates", "bool", _INCONSISTENT_DATES, False),
    ],
    primary_key=("entity_name", "start_date", "violation", "duration_text"),
)

CONTRACTS: tuple[TableContract, ...] = (PROGRAM_DEBARMENTS, EXPIRED_H2A_DEBARMENTS)


def program_record_id(program: str, entity_name: str, start: date) -> str:
    """Ground-truth record id of a current-list entry (its primary key)."""
    return f"{program}|{entity_name}|{start.isoformat()}"


def expired_record_id(entity_name: str, start: date, violation: str, duration_text: str) -> str:
    """Ground-truth record id of an expired-list entry (its primary key)."""
    return f"expired|{entity_name}|{start.isoformat()}|{violation}|{duration_text}"
