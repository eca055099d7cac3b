"""The column dictionary of the H-2B disclosure table: every spelling a real OFLC H-2B file gave each column.

A spelling enters only with a real file that shows it: the files each spelling names are looked up in
`sources.h2b.headers.REAL_HEADERS` (the verbatim headers of real files), and a spelling no real header
shows stops the import. Columns real files show that the table does not load are `known` (dropped
without a warning); anything else is an extra column, kept and reported.

Meanings across eras:
- FY2000-FY2005 (CSV): ``Last_Sig_Event`` is the case's last significant event ('Certified,
  Temporary', 'Denied, Temporary', ... also 'Received Regional Office' for a case still pending) and
  ``Last_Event_Date`` its date; they feed case_status and decision_date. ``Num_Aliens`` is the number
  of foreign workers on the application: it feeds workers_requested (no file of that era publishes a
  certified count). ``Occ_Code``/``Occ_Title`` are the DOT occupation, ``Work_State`` the worksite's state.
- FY2008-FY2019: one row per application; FY2013 and FY2014 Q4 publish only the certified count.
- FY2021+ (FLAG): the agent's name is split in three parts, joined by the parser.
"""

from __future__ import annotations

from functools import cache

from sources.common.columns import ColumnDictionary, spelling_key
from sources.h2b.headers import REAL_HEADERS

# canonical column -> the spellings (matched by spelling_key) real H-2B files gave it.
_SPELLINGS: dict[str, tuple[str, ...]] = {
    "case_number": ("Case_Num", "CASE_NO", "CASE_NUMBER"),
    "case_status": ("Last_Sig_Event", "CASE_STATUS"),
    "decision_date": ("Last_Event_Date", "DECISION_DATE", "RECENT_DECISION_DATE"),
    "received_date": ("NPC_SUBMITTED_DATE", "SUBMITTED_DATE", "RECEIVED_DATE"),
    "visa_class": ("APPLICATION_TYPE", "VISA_CLASS", "VISA_TYPE"),
    "employer_name": ("Emp_Name", "EMPLOYER_NAME"),
    "trade_name_dba": ("TRADE_NAME_DBA",),
    "employer_address1": ("EMPLOYER_ADDRESS1", "EMPLOYER_ADDRESS_1"),
    "employer_address2": ("EMPLOYER_ADDRESS2", "EMPLOYER_ADDRESS_2"),
    "employer_city": ("Emp_City", "EMPLOYER_CITY"),
    "employer_state": ("Emp_State", "EMPLOYER_STATE"),
    "employer_postal_code": ("EMPLOYER_POSTAL_CODE",),
    "employer_country": ("EMPLOYER_COUNTRY",),
    "employer_phone": ("EMPLOYER_PHONE",),
    "agent_attorney_name": ("AGENT_ATTORNEY_NAME",),
    "lawfirm_name": ("Att_Firm_Name", "LAWFIRM_NAME", "LAWFIRM_NAME_BUSINESS_NAME"),
    "agent_city": ("Att_City", "AGENT_ATTORNEY_CITY", "ATTORNEY_AGENT_CITY"),
    "agent_state": ("Att_State", "AGENT_ATTORNEY_STATE", "ATTORNEY_AGENT_STATE"),
    "agent_email": ("ATTORNEY_AGENT_EMAIL_ADDRESS",),
    "job_title": ("JOB_TITLE",),
    "dot_code": ("Occ_Code", "DOT_OCCUPATIONAL_CODE"),
    "dot_title": ("Occ_Title", "DOT_NAME"),
    "soc_code": ("SOC_CODE",),
    "soc_title": ("SOC_NAME", "SOC_TITLE"),
    "naics_code": ("NAIC_CODE", "NAICS_CODE"),
    "workers_requested": ("Num_Aliens", "NBR_WORKERS_REQUESTED", "WORKERS_REQUESTED", "TOTAL_WORKERS_REQUESTED"),
    "workers_certified": (
        "NBR_WORKERS_CERTIFIED",
        "NBR_CERTIFIED_WORKERS",
        "WORKERS_CERTIFIED",
        "TOTAL_WORKERS_CERTIFIED",
    ),
    "certification_begin_date": ("CERTIFICATION_BEGIN_DATE",),
    "certification_end_date": ("CERTIFICATION_END_DATE",),
    "requested_begin_date": ("REQUESTED_BEGIN_DATE",),
    "requested_end_date": ("REQUESTED_END_DATE",),
    "employment_begin_date": ("JOB_START_DATE", "EMPLOYMENT_BEGIN_DATE"),
    "employment_end_date": ("JOB_END_DATE", "EMPLOYMENT_END_DATE"),
    "wage_rate": ("Salary", "BASIC_RATE_OF_PAY", "BASIC_WAGE_RATE_FROM"),
    "wage_unit": ("Unit_of_Pay", "BASIC_UNIT_OF_PAY", "PER"),
    "prevailing_wage": ("Prevail_Wage", "PREVAILING_WAGE", "PREVIALING_WAGE"),  # sic
    "prevailing_wage_unit": ("Unit_of_Pay_Prev", "PW_UNIT_OF_PAY"),
    "worksite_city": ("WORKSITE_CITY", "EMPLOYEE_WORKSITE_CITY"),
    "worksite_state": ("Work_State", "ALIEN_WORK_STATE", "WORKSITE_STATE", "EMPLOYEE_WORK_STATE"),
    "worksite_postal_code": ("WORKSITE_POSTAL_CODE", "WORKSITE_ZIP", "EMPLOYEE_POSTAL_CODE"),
    "worksite_county": ("WORKSITE_COUNTY", "EMPLOYEE_WORKSITE_COUNTY"),
    "nature_of_temporary_need": ("NATURE_OF_TEMPORARY_NEED", "NATURE_OF_NEED"),
}

# The agent's name published in parts, joined with spaces into agent_attorney_name (in this order).
AGENT_NAME_PARTS: tuple[tuple[str, ...], ...] = (
    ("Att_First", "Att_Last"),  # FY2000-FY2005
    ("ATTORNEY_AGENT_FIRST_NAME", "ATTORNEY_AGENT_MIDDLE_NAME", "ATTORNEY_AGENT_LAST_NAME"),  # FLAG era
)


def files_showing(spelling: str) -> tuple[str, ...]:
    """The real files whose header shows this spelling (compared by spelling_key)."""
    key = spelling_key(spelling)
    return tuple(file for file, keys in _header_keys().items() if key in keys)


@cache
def _header_keys() -> dict[str, frozenset[str]]:
    """Each real file's header as spelling keys, worked out once (every column of every file is looked up)."""
    return {file: frozenset(spelling_key(h) for h in header) for file, header in REAL_HEADERS.items()}


def _columns() -> dict[str, dict[str, tuple[str, ...]]]:
    columns = {c: {s: files_showing(s) for s in spellings} for c, spellings in _SPELLINGS.items()}
    unseen = [s for spellings in columns.values() for s, files in spellings.items() if not files]
    if unseen:
        raise ValueError(f"H-2B spellings no real header shows: {unseen}")
    return columns


def _known(loaded: set[str]) -> dict[str, tuple[str, ...]]:
    """Every other column of a real header: seen, not loaded."""
    others = {h for header in REAL_HEADERS.values() for h in header if spelling_key(h) not in loaded}
    return {h: files_showing(h) for h in sorted(others)}


DISCLOSURE_COLUMNS = ColumnDictionary(
    "H-2B disclosure",
    _columns(),
    core=(
        ("case_number",),
        ("employer_name",),
        ("employer_state",),
        ("decision_date", "case_status"),
        ("workers_certified", "workers_requested"),
    ),
    known=_known({spelling_key(s) for spellings in _SPELLINGS.values() for s in spellings}),
    table="raw_h2b__disclosure",
)

# published spelling -> canonical column, for writers (the sample).
MAPPED: dict[str, str] = {
    spelling: canonical for canonical, spellings in DISCLOSURE_COLUMNS.columns.items() for spelling in spellings
}
