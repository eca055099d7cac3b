"""The column dictionaries of the H-2A tables: every spelling a real OFLC file gave each column.

A spelling enters only with the real file(s) that show it (``tests/fixtures/real/h2a/PROVENANCE.md``
and ``docs/research/h2a_columns.md`` say where each header was read). Spellings of the published
era headers (``sources.h2a.headers``, every set verified against real files) name their era; the
others name their file. OFLC writes the same columns alike in its H-2A and H-2B disclosure files of
one era, so a spelling read from a real H-2B file names that file.

Era is kept only where a column's *meaning* changes: the certified period
(``CERTIFICATION_BEGIN/END_DATE``) and the requested dates of need are different columns of the
contract, so a row says which one its file published.
"""

from __future__ import annotations

from sources.common.columns import ColumnDictionary
from sources.h2a.headers import ERAS

# canonical column -> the published spellings (matched by spelling_key) that feed it.
_ERA_SPELLINGS: dict[str, tuple[str, ...]] = {
    "case_number": ("CASE_NO", "CASE_NUMBER"),
    "case_status": ("CASE_STATUS",),
    "decision_date": ("DECISION_DATE",),
    "received_date": ("CASE_RECEIVED_DATE", "RECEIVED_DATE"),
    "visa_class": ("VISA_CLASS", "APPLICATION_TYPE"),
    "employer_name": ("EMPLOYER_NAME",),
    "trade_name_dba": ("TRADE_NAME_DBA",),
    "employer_address1": ("EMPLOYER_ADDRESS1", "EMPLOYER_ADDRESS_1"),
    "employer_address2": ("EMPLOYER_ADDRESS2", "EMPLOYER_ADDRESS_2"),
    "employer_city": ("EMPLOYER_CITY",),
    "employer_state": ("EMPLOYER_STATE",),
    "employer_postal_code": ("EMPLOYER_POSTAL_CODE",),
    "employer_country": ("EMPLOYER_COUNTRY",),
    "employer_phone": ("EMPLOYER_PHONE",),
    "employer_fein": ("EMPLOYER_FEIN",),
    "agent_attorney_name": ("AGENT_ATTORNEY_NAME",),
    "lawfirm_name": ("LAWFIRM_NAME", "LAWFIRM_NAME_BUSINESS_NAME"),
    "agent_city": ("AGENT_ATTORNEY_CITY", "ATTORNEY_AGENT_CITY"),
    "agent_state": ("AGENT_ATTORNEY_STATE", "ATTORNEY_AGENT_STATE"),
    "agent_email": ("ATTORNEY_AGENT_EMAIL", "ATTORNEY_AGENT_EMAIL_ADDRESS"),
    "job_title": ("JOB_TITLE",),
    "soc_code": ("SOC_CODE", "SOC_CODE_ID"),
    "soc_title": ("SOC_TITLE",),
    "naics_code": ("NAIC_CODE", "NAICS_CODE"),
    "primary_crop": ("PRIMARY_CROP",),
    "workers_requested": ("NBR_WORKERS_REQUESTED", "TOTAL_WORKERS_H2A_REQUESTED"),
    "workers_certified": ("NBR_WORKERS_CERTIFIED", "TOTAL_WORKERS_H2A_CERTIFIED"),
    "total_workers_needed": ("TOTAL_WORKERS_NEEDED",),
    "requested_begin_date": ("REQUESTED_START_DATE_OF_NEED", "REQUESTED_BEGIN_DATE"),
    "requested_end_date": ("REQUESTED_END_DATE_OF_NEED", "REQUESTED_END_DATE"),
    "certification_begin_date": ("CERTIFICATION_BEGIN_DATE",),
    "certification_end_date": ("CERTIFICATION_END_DATE",),
    "employment_begin_date": ("JOB_START_DATE", "EMPLOYMENT_BEGIN_DATE"),
    "employment_end_date": ("JOB_END_DATE", "EMPLOYMENT_END_DATE"),
    "wage_rate": ("BASIC_RATE_OF_PAY", "WAGE_OFFER"),
    "wage_unit": ("BASIC_UNIT_OF_PAY", "PER"),
    "worksite_city": ("ALIEN_WORK_CITY", "WORKSITE_LOCATION_CITY", "WORKSITE_CITY"),
    "worksite_state": ("ALIEN_WORK_STATE", "WORKSITE_LOCATION_STATE", "WORKSITE_STATE"),
    "worksite_postal_code": ("WORKSITE_POSTAL_CODE",),
    "worksite_county": ("WORKSITE_COUNTY",),
    "filer_type": ("ORGANIZATION_FLAG", "TYPE_OF_EMPLOYER_APPLICATION"),
    "primary_sub": ("PRIMARY/SUB", "PRIMARY_SUB", "PRMARY/SUB"),
    "is_labor_contractor": ("H2A_LABOR_CONTRACTOR",),
    "ag_association_status": ("AG_ASSN_OR_AGENCY_STATUS",),
    "nature_of_temporary_need": ("NATURE_OF_TEMPORARY_NEED",),
}

# Real files whose headers were read (tests/fixtures/real/h2a/headers/INDEX.csv says where each was read).
A06 = "H2a_FY2006.csv"
A07 = "H2a_FY2007.csv"
A15Q3 = "H-2A_FY15_Q3.xlsx (FY2015 Q3, sheet Query10)"
A16Q1 = "H-2A_Disclosure_Data_FY16_Q1.xlsx (FY2016 Q1)"
A16Q2 = "H-2A_Disclosure_Data_FY16_Q2.xlsx (FY2016 Q2)"
A17Q2 = "H-2A_Disclosure_Data_FY17.xlsx (as posted for FY2017 Q2 and Q3)"
A18Q2 = "H-2A_FY2018.xlsx (FY2018 Q2)"
A19Q1 = "H-2A_Disclosure_Data_FY2019.xlsx (as posted for FY2019 Q1)"
A19Q2 = "H-2A_Disclosure_Data_FY2019.xlsx (as posted for FY2019 Q2)"
B15Q3 = "H-2B_FY15_Q3.xlsx (an H-2B file of the same era)"
B14Q4 = "H-2B_FY14_Q4.xlsx (an H-2B file of the same era)"

# Spellings read from real files other than the era headers.
_FILE_SPELLINGS: dict[str, dict[str, tuple[str, ...]]] = {
    "case_number": {"Case_Number": (A06,), "CASE_NO": (A07, A16Q1, A16Q2, A19Q2)},
    "case_status": {"Case_Status": (A06,)},
    "decision_date": {"RECENT_DECISION_DATE": (A16Q2, A19Q2, B14Q4)},
    "visa_class": {"VISA_TYPE": (A16Q1,), "APPLICATION_TYPE": (A07,)},
    "employer_name": {"Employer_Name": (A06,)},
    "employer_address1": {"Employer_Address_1": (A06,), "EMPLOYER_ADDRESS_1": (A07,)},
    "employer_address2": {"Employer_Address_2": (A06,), "EMPLOYER_ADDRESS_2": (A07,)},
    "employer_city": {"Employer_City": (A06,)},
    "employer_state": {"Employer_State": (A06,)},
    "employer_postal_code": {"Employer_Postal_Code": (A06,)},
    "job_title": {"Job_Title": (A06,)},
    "soc_code": {"SOC_CODE_ID": (A15Q3, A16Q1, A16Q2, A19Q1)},
    "soc_title": {"SOC_NAME": (B14Q4, B15Q3)},
    "workers_requested": {"Nbr_Workers_Requsted": (A06,)},  # sic
    "workers_certified": {"Nbr_Workers_Certified": (A06,)},
    "certification_begin_date": {"Certification_Begin_Date": (A06,)},
    "certification_end_date": {"Certification_End_Date": (A06,)},
    "wage_rate": {"Basic_Rate_of_Pay": (A06,)},
    "wage_unit": {"Wage_Rate_Per": (A06,)},
    "worksite_city": {"ALIEN_WORK_CITY": (A16Q2,)},
    "worksite_state": {"WORKSITE_ST": (A15Q3,), "ALIEN_WORK_STATE": (A07, A16Q2)},
    "worksite_postal_code": {"WORKSITE_ZIP": (A15Q3, B15Q3), "ALIEN_WORK_POSTAL_CODE": (A16Q2,)},
    "primary_sub": {"PRIMARY_SUB": (A16Q1,), "PRIORSUB": (A19Q2,)},
    "nature_of_temporary_need": {
        "NATURE-OF_TEMPORARY_NEED": (A15Q3,),
        "NATURE": (A16Q1,),
        "NATURE_OF_NEED": (B15Q3,),
    },
}

# Seen in real files, not loaded: dropped without a warning.
_KNOWN_FROM_FILES: dict[str, tuple[str, ...]] = {
    "Basic_Nbr_Hours": (A06,),
    "BASIC_HOURS_PER_WEEK": (A07,),
    "FULL_TIME": (A15Q3, A16Q1, A16Q2, A19Q2),
    "OVERTIME_PAY_RANGE_UNIT": (A17Q2,),
    "REPRESENTED_BY_AGENT": (A18Q2,),
    "REPRESENTED": (A19Q2,),
    "EMPLOYER_REP_BY_AGENT": (A19Q1,),
}

# FY2020+ split the agent's name; the parser joins the parts into agent_attorney_name.
AGENT_NAME_PARTS = ("ATTORNEY_AGENT_FIRST_NAME", "ATTORNEY_AGENT_MIDDLE_NAME", "ATTORNEY_AGENT_LAST_NAME")


def _eras_showing(spelling: str) -> tuple[str, ...]:
    return tuple(f"H-2A {era.name} file" for era in ERAS if spelling in era.header)


def _disclosure_columns() -> dict[str, dict[str, tuple[str, ...]]]:
    columns = {c: {s: _eras_showing(s) for s in spellings} for c, spellings in _ERA_SPELLINGS.items()}
    for canonical, spellings in _FILE_SPELLINGS.items():
        for spelling, files in spellings.items():
            columns[canonical][spelling] = columns[canonical].get(spelling, ()) + files
    return columns


def _known_disclosure_columns(loaded: set[str]) -> dict[str, tuple[str, ...]]:
    era_columns = {c for era in ERAS for c in era.header} - loaded
    return {c: _eras_showing(c) for c in sorted(era_columns)} | _KNOWN_FROM_FILES


DISCLOSURE_COLUMNS = ColumnDictionary(
    "H-2A disclosure",
    _disclosure_columns(),
    core=(
        ("case_number",),
        ("employer_name",),
        ("employer_state",),
        ("decision_date", "case_status"),
        ("workers_certified", "workers_requested"),
    ),
    known=_known_disclosure_columns({s for spellings in _ERA_SPELLINGS.values() for s in spellings}),
    table="raw_h2a__disclosure",
)

AB20Q2 = "H-2A_Addendum_B_Employment_Disclosure_Data_FY2020_Q2.xlsx"
AB21Q1 = "H2A_Addendum_B_Employment_FY2021_Q1.xlsx"
AB22Q1 = "H-2A_Addendum_B_Employment_Record_FY2022_Q1.xlsx"
AB_ALL = (AB20Q2, AB21Q1, AB22Q1)
AB_LOADER = "H-2A Addendum B Employment files FY2020-FY2024 (a loader selecting them by name, [D])"
AB_TRLA = "an H-2A Addendum B Employment file renamed by a TRLA worksite script ([T2])"

ADDENDUM_B_COLUMNS = ColumnDictionary(
    "H-2A Addendum B Employment",
    {
        "case_number": {"CASE_NUMBER": AB_ALL},
        "business_name": {"NAME_OF_AGRICULTURAL_BUSINESS": (AB20Q2, AB22Q1), "NAME_OF_AGRI_BUSINESS": (AB21Q1,)},
        "address1": {"PLACE_OF_EMPLOYMENT_ADDRESS1": AB_ALL},
        "address2": {"PLACE_OF_EMPLOYMENT_ADDRESS2": AB_ALL},
        "city": {"PLACE_OF_EMPLOYMENT_CITY": AB_ALL},
        "state": {"PLACE_OF_EMPLOYMENT_STATE": AB_ALL},
        "postal_code": {
            "PLACE_OF_EMPLOYMENT_POSTAL_CODE": (AB20Q2, AB_LOADER),
            "PLACE_OF_EMPLOYMENT_POST_CODE": (AB21Q1, AB22Q1),
        },
        "county": {},  # no real file seen with a county column yet
        "total_workers": {"TOTAL_WORKERS": AB_ALL},
        "additional_info": {
            "ADD_PLACE_OF_EMPLOYMENT_INFO": (AB20Q2, AB21Q1),
            "ADDITIONAL_PLACE_OF_EMPLOYMENT_INFORMATION": (AB22Q1,),
            "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO": (AB_TRLA,),  # sic
        },
    },
    core=(("case_number",), ("business_name",), ("state",), ("total_workers",)),
    known={
        "JOB_ORDER_NUMBER": (AB20Q2, AB22Q1),
        "JO_ORDER_NUMBER": (AB21Q1,),
        "REQUESTED_BEGIN_DATE": AB_ALL,
        "REQUESTED_END_DATE": AB_ALL,
    },
    table="raw_h2a__addendum_b_worksites",
)

# published spelling -> canonical column, for writers (the sample, the naive benchmark).
MAPPED: dict[str, str] = {
    spelling: canonical for canonical, spellings in DISCLOSURE_COLUMNS.columns.items() for spelling in spellings
}
