"""The published headers of the OFLC H-2A disclosure files, one entry per format era (FY2008-FY2026).

Source of truth: ``docs/research/h2a_columns.md``. Three headers were read in real order
(FY2012 and FY2016 from the real files; FY2021 from an importer whose list equals the verified
set). For every other era only the *set* of names is verified; their order here is derived from
the nearest ordered header by the documented renames/additions (``order_known=False``), which is
what the sample writes. The parser matches by name, never by position, so order never matters
for parsing. ``tests/unit/sources/test_h2a_layouts.py`` checks every set here against the doc.

This module is data only: the parser turns it into `Layout`s, the sample writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# --- Ordered headers read from real files ([A] in the research doc) -------------------------

FY2012_ORDER: tuple[str, ...] = (
    "CASE_NO",
    "DECISION_DATE",
    "VISA_CLASS",
    "CASE_RECEIVED_DATE",
    "CASE_STATUS",
    "REQUESTED_START_DATE_OF_NEED",
    "REQUESTED_END_DATE_OF_NEED",
    "CERTIFICATION_BEGIN_DATE",
    "CERTIFICATION_END_DATE",
    "EMPLOYER_NAME",
    "EMPLOYER_ADDRESS1",
    "EMPLOYER_ADDRESS2",
    "EMPLOYER_CITY",
    "EMPLOYER_STATE",
    "EMPLOYER_POSTAL_CODE",
    "AGENT_ATTORNEY_NAME",
    "AGENT_ATTORNEY_CITY",
    "AGENT_ATTORNEY_STATE",
    "JOB_TITLE",
    "NBR_WORKERS_REQUESTED",
    "NBR_WORKERS_CERTIFIED",
    "BASIC_NUMBER_OF_HOURS",
    "BASIC_RATE_OF_PAY",
    "BASIC_UNIT_OF_PAY",
    "ALIEN_WORK_CITY",
    "ALIEN_WORK_STATE",
    "ORGANIZATION_FLAG",
    "PRIMARY_CROP",
)

FY2016_ORDER: tuple[str, ...] = (
    "CASE_NUMBER",
    "DECISION_DATE",
    "VISA_CLASS",
    "CASE_RECEIVED_DATE",
    "CASE_STATUS",
    "REQUESTED_START_DATE_OF_NEED",
    "REQUESTED_END_DATE_OF_NEED",
    "PRIMARY/SUB",
    "EMPLOYER_NAME",
    "EMPLOYER_ADDRESS1",
    "EMPLOYER_ADDRESS2",
    "EMPLOYER_CITY",
    "EMPLOYER_STATE",
    "EMPLOYER_POSTAL_CODE",
    "EMPLOYER_COUNTRY",
    "EMPLOYER_PROVINCE",
    "EMPLOYER_PHONE",
    "EMPLOYER_PHONE_EXT",
    "LAWFIRM_NAME",
    "AGENT_ATTORNEY_NAME",
    "AGENT_ATTORNEY_CITY",
    "AGENT_ATTORNEY_STATE",
    "JOB_TITLE",
    "SOC_CODE",
    "SOC_TITLE",
    "PRIMARY_CROP",
    "NAIC_CODE",
    "NBR_WORKERS_REQUESTED",
    "NBR_WORKERS_CERTIFIED",
    "FULL_TIME_POSITION",
    "NATURE_OF_TEMPORARY_NEED",
    "BASIC_NUMBER_OF_HOURS",
    "HOURLY_WORK_SCHEDULE_AM",
    "HOURLY_WORK_SCHEDULE_PM",
    "BASIC_RATE_OF_PAY",
    "BASIC_UNIT_OF_PAY",
    "OVERTIME_RATE_FROM",
    "OVERTIME_RATE_TO",
    "SUPERVISE_OTHER_EMP",
    "SUPERVISE_HOW_MANY",
    "EDUCATION_LEVEL",
    "OTHER_EDU",
    "MAJOR",
    "SECOND_DIPLOMA",
    "SECOND_DIPLOMA_MAJOR",
    "TRAINING_REQ",
    "NUM_MONTHS_TRAINING",
    "NAME_REQD_TRAINING",
    "EMP_EXPERIENCE_REQD",
    "EMP_EXP_NUM_MONTHS",
    "WORKSITE_CITY",
    "WORKSITE_STATE",
    "WORKSITE_POSTAL_CODE",
    "OTHER_WORKSITE_LOCATION",
    "ORGANIZATION_FLAG",
    "SWA_NAME",
    "JOB_IDNUMBER",
    "JOB_START_DATE",
    "JOB_END_DATE",
)

# INFERRED order ([E] importer list restored to source case); the set is verified ([B]).
FY2021_ORDER: tuple[str, ...] = (
    "CASE_NUMBER",
    "CASE_STATUS",
    "RECEIVED_DATE",
    "DECISION_DATE",
    "TYPE_OF_EMPLOYER_APPLICATION",
    "H2A_LABOR_CONTRACTOR",
    "NATURE_OF_TEMPORARY_NEED",
    "EMERGENCY_FILING",
    "EMPLOYER_NAME",
    "TRADE_NAME_DBA",
    "EMPLOYER_ADDRESS_1",
    "EMPLOYER_ADDRESS_2",
    "EMPLOYER_CITY",
    "EMPLOYER_STATE",
    "EMPLOYER_POSTAL_CODE",
    "EMPLOYER_COUNTRY",
    "EMPLOYER_PROVINCE",
    "EMPLOYER_PHONE",
    "EMPLOYER_PHONE_EXT",
    "NAICS_CODE",
    "EMPLOYER_POC_LAST_NAME",
    "EMPLOYER_POC_FIRST_NAME",
    "EMPLOYER_POC_MIDDLE_NAME",
    "EMPLOYER_POC_JOB_TITLE",
    "EMPLOYER_POC_ADDRESS1",
    "EMPLOYER_POC_ADDRESS2",
    "EMPLOYER_POC_CITY",
    "EMPLOYER_POC_STATE",
    "EMPLOYER_POC_POSTAL_CODE",
    "EMPLOYER_POC_COUNTRY",
    "EMPLOYER_POC_PROVINCE",
    "EMPLOYER_POC_PHONE",
    "EMPLOYER_POC_PHONE_EXT",
    "EMPLOYER_POC_EMAIL",
    "TYPE_OF_REPRESENTATION",
    "ATTORNEY_AGENT_LAST_NAME",
    "ATTORNEY_AGENT_FIRST_NAME",
    "ATTORNEY_AGENT_MIDDLE_NAME",
    "ATTORNEY_AGENT_ADDRESS_1",
    "ATTORNEY_AGENT_ADDRESS_2",
    "ATTORNEY_AGENT_CITY",
    "ATTORNEY_AGENT_STATE",
    "ATTORNEY_AGENT_POSTAL_CODE",
    "ATTORNEY_AGENT_COUNTRY",
    "ATTORNEY_AGENT_PROVINCE",
    "ATTORNEY_AGENT_PHONE",
    "ATTORNEY_AGENT_PHONE_EXT",
    "ATTORNEY_AGENT_EMAIL_ADDRESS",
    "LAWFIRM_NAME_BUSINESS_NAME",
    "STATE_OF_HIGHEST_COURT",
    "NAME_OF_HIGHEST_STATE_COURT",
    "SOC_CODE",
    "SOC_TITLE",
    "790A_ADDENDUM_B_ATTACHED",
    "WORK_CONTRACTS_ATTACHED",
    "EMPLOYER_MSPA_ATTACHED",
    "SURETY_BOND_ATTACHED",
    "HOUSING_TRANSPORTATION",
    "APPENDIX_A_ATTACHED",
    "JNT_EMPLOYER_APPEND_A_ATTACHED",
    "PREPARER_LAST_NAME",
    "PREPARER_FIRST_NAME",
    "PREPARER_MIDDLE_INITIAL",
    "PREPARER_BUSINESS_NAME",
    "PREPARER_EMAIL",
    "JOB_ORDER_NUMBER",
    "JOB_TITLE",
    "TOTAL_WORKERS_NEEDED",
    "TOTAL_WORKERS_H2A_REQUESTED",
    "TOTAL_WORKERS_H2A_CERTIFIED",
    "REQUESTED_BEGIN_DATE",
    "REQUESTED_END_DATE",
    "EMPLOYMENT_BEGIN_DATE",
    "EMPLOYMENT_END_DATE",
    "ON_CALL_REQUIREMENT",
    "ANTICIPATED_NUMBER_OF_HOURS",
    "SUNDAY_HOURS",
    "MONDAY_HOURS",
    "TUESDAY_HOURS",
    "WEDNESDAY_HOURS",
    "THURSDAY_HOURS",
    "FRIDAY_HOURS",
    "SATURDAY_HOURS",
    "HOURLY_SCHEDULE_BEGIN",
    "HOURLY_SCHEDULE_END",
    "WAGE_OFFER",
    "PER",
    "PIECE_RATE_OFFER",
    "PIECE_RATE_UNIT",
    "790A_addendum_a_attached",
    "FREQUENCY_OF_PAY",
    "OTHER_FREQUENCY_OF_PAY",
    "DEDUCTIONS_FROM_PAY",
    "EDUCATION_LEVEL",
    "WORK_EXPERIENCE_MONTHS",
    "TRAINING_MONTHS",
    "CERTIFICATION_REQUIREMENTS",
    "DRIVER_REQUIREMENTS",
    "CRIMINAL_BACKGROUND_CHECK",
    "DRUG_SCREEN",
    "LIFTING_REQUIREMENTS",
    "LIFTING_AMOUNT",
    "EXPOSURE_TO_TEMPERATURES",
    "EXTENSIVE_PUSHING_PULLING",
    "EXTENSIVE_SITTING_WALKING",
    "FREQUENT_STOOPING_BENDING_OVER",
    "REPETITIVE_MOVEMENTS",
    "SUPERVISE_OTHER_EMP",
    "SUPERVISE_HOW_MANY",
    "SPECIAL_REQUIREMENTS",
    "WORKSITE_ADDRESS",
    "WORKSITE_CITY",
    "WORKSITE_STATE",
    "WORKSITE_POSTAL_CODE",
    "WORKSITE_COUNTY",
    "ADDENDUM_B_WORKSITE_ATTACHED",
    "TOTAL_WORKSITES_RECORDS",
    "HOUSING_ADDRESS_LOCATION",
    "HOUSING_CITY",
    "HOUSING_STATE",
    "HOUSING_POSTAL_CODE",
    "HOUSING_COUNTY",
    "TYPE_OF_HOUSING",
    "TOTAL_UNITS",
    "TOTAL_OCCUPANCY",
    "HOUSING_COMPLIANCE_LOCAL",
    "HOUSING_COMPLIANCE_STATE",
    "HOUSING_COMPLIANCE_FEDERAL",
    "ADDENDUM_B_HOUSING_ATTACHED",
    "TOTAL_HOUSING_RECORDS",
    "MEALS_PROVIDED",
    "MEALS_CHARGE",
    "MEAL_REIMBURSEMENT_MINIMUM",
    "MEAL_REIMBURSEMENT_MAXIMUM",
    "PHONE_TO_APPLY",
    "EMAIL_TO_APPLY",
    "WEBSITE_TO_APPLY",
    "ADDENDUM_C_ATTACHED",
    "TOTAL_ADDENDUM_A_RECORDS",
)


def derive(
    reference: Iterable[str],
    *,
    rename: dict[str, str] | None = None,
    drop: Iterable[str] = (),
    insert: Iterable[tuple[str, str]] = (),
) -> tuple[str, ...]:
    """A header built from an ordered reference: renamed in place, columns dropped, new ones inserted.

    `insert` is a list of (anchor, new column): the new column goes right after the anchor (after the
    renamed anchor if it was renamed). Raises ValueError on an unknown name, so a typo cannot pass.
    """
    rename = rename or {}
    columns = list(reference)
    for name in [*rename, *drop]:
        if name not in columns:
            raise ValueError(f"{name!r} is not in the reference header")
    columns = [rename.get(c, c) for c in columns if c not in set(drop)]
    for anchor, new in insert:
        anchor = rename.get(anchor, anchor)
        if anchor not in columns:
            raise ValueError(f"anchor {anchor!r} is not in the header")
        columns.insert(columns.index(anchor) + 1, new)
    if len(set(columns)) != len(columns):
        raise ValueError("derived header has duplicated columns")
    return tuple(columns)


@dataclass(frozen=True)
class Era:
    """One published header of the main disclosure file."""

    name: str  # used as the parser's layout name
    fiscal_years: tuple[int, ...]  # the years whose file has this header (per the research doc)
    header: tuple[str, ...]
    order_known: bool
    evidence: str


# --- FY2008-FY2014: the FY2012 (iCERT "C-" case numbers, then "H-300-") family ----------------

_FY2011 = derive(FY2012_ORDER, rename={"VISA_CLASS": "APPLICATION_TYPE"})
_FY2008 = derive(
    FY2012_ORDER,
    rename={"VISA_CLASS": "APPLICATION_TYPE"},
    drop=(
        "NBR_WORKERS_REQUESTED",
        "REQUESTED_START_DATE_OF_NEED",
        "REQUESTED_END_DATE_OF_NEED",
        "BASIC_NUMBER_OF_HOURS",
        "PRIMARY_CROP",
    ),
)
_FY2009 = derive(
    FY2012_ORDER,
    drop=("VISA_CLASS", "NBR_WORKERS_REQUESTED", "BASIC_NUMBER_OF_HOURS", "PRIMARY_CROP"),
    insert=(
        ("AGENT_ATTORNEY_NAME", "AGENT_ATTORNEY_ADDRESS1"),
        ("AGENT_ATTORNEY_ADDRESS1", "AGENT_ATTORNEY_ADDRESS2"),
        ("AGENT_ATTORNEY_STATE", "AGENT_ATTORNEY_POSTAL_CODE"),
    ),
)
_FY2013 = derive(FY2012_ORDER, drop=("NBR_WORKERS_REQUESTED", "PRIMARY_CROP"))
_FY2014 = derive(
    _FY2013,
    rename={"ALIEN_WORK_CITY": "WORKSITE_LOCATION_CITY", "ALIEN_WORK_STATE": "WORKSITE_LOCATION_STATE"},
    insert=(("EMPLOYER_POSTAL_CODE", "LAWFIRM_NAME"), ("JOB_TITLE", "SOC_CODE_ID"), ("SOC_CODE_ID", "SOC_TITLE")),
)

# --- FY2015-FY2019: the FY2016 family ------------------------------------------------------------

_FY2015 = derive(
    FY2016_ORDER,
    rename={
        "REQUESTED_START_DATE_OF_NEED": "CERTIFICATION_BEGIN_DATE",
        "REQUESTED_END_DATE_OF_NEED": "CERTIFICATION_END_DATE",
    },
    drop=("PRIMARY/SUB",),
)
_FY2017 = derive(
    FY2016_ORDER,
    rename={"NAIC_CODE": "NAICS_CODE"},
    insert=(
        ("EMPLOYER_NAME", "TRADE_NAME_DBA"),
        ("AGENT_ATTORNEY_STATE", "AGENT_POC_EMPLOYER_REP_BY_AGENT"),
        ("WORKSITE_POSTAL_CODE", "WORKSITE_COUNTY"),
    ),
)
_FY2018 = derive(
    _FY2017,
    rename={"CASE_NUMBER": "CASE_NO", "FULL_TIME_POSITION": "FULL_TIME", "PRIMARY/SUB": "PRIMARY_SUB"},
)
_FY2019 = derive(
    _FY2017,
    rename={"AGENT_POC_EMPLOYER_REP_BY_AGENT": "EMPLOYER_REP_BY_AGENT", "PRIMARY/SUB": "PRMARY/SUB"},
)

# --- FY2020+: the FLAG (ETA-9142A/790A) family, from the FY2021 order ------------------------------

_FY2021_ONLY = {
    "790A_addendum_a_attached": "790A_ADDENDUM_A_ATTACHED",
    "SPECIAL_REQUIREMENTS": "ADDITIONAL_JOB_REQUIREMENTS",
    "ATTORNEY_AGENT_EMAIL_ADDRESS": "ATTORNEY_AGENT_EMAIL",
    "JNT_EMPLOYER_APPEND_A_ATTACHED": "JOINT_EMPLOYER_APPENDIX_A_ATTACHED",
    "MEALS_CHARGE": "MEALS_CHARGED",
}
_FY2020 = derive(
    FY2021_ORDER,
    rename=_FY2021_ONLY
    | {
        "HOURLY_SCHEDULE_BEGIN": "HOURLY_WORK_SCHEDULE_START",
        "HOURLY_SCHEDULE_END": "HOURLY_WORK_SCHEDULE_END",
        "TOTAL_WORKSITES_RECORDS": "TOTAL_WORKSITE_RECORDS",
    },
    drop=("ADDENDUM_C_ATTACHED",),
)
_FY2022 = derive(FY2021_ORDER, rename=_FY2021_ONLY)
_FY2024 = derive(
    _FY2022,
    rename={"TOTAL_WORKSITES_RECORDS": "TOTAL_WORKSITE_RECORDS"},
    insert=(
        ("H2A_LABOR_CONTRACTOR", "AG_ASSN_OR_AGENCY_STATUS"),
        ("TRADE_NAME_DBA", "PREV_TRADE_NAME_DBA_1"),
        ("PREV_TRADE_NAME_DBA_1", "PREV_TRADE_NAME_DBA_2"),
        ("EMPLOYER_PHONE_EXT", "EMPLOYER_FEIN"),
        ("TYPE_OF_REPRESENTATION", "USING_AGENT_RECRUITER"),
        ("USING_AGENT_RECRUITER", "AGENT_RECRUITER_AGREEMENT_ATTACHED"),
        ("JOINT_EMPLOYER_APPENDIX_A_ATTACHED", "APPENDIX_C_ATTACHED"),
        ("APPENDIX_C_ATTACHED", "APPENDIX_D_ATTACHED"),
        ("PER", "OVERTIME_PAY"),
        ("PIECE_RATE_UNIT", "PIECE_RATE_ADDITIONAL_INFO"),
        ("HOUSING_COMPLIANCE_FEDERAL", "HOUSING_COMPLIANCE_SWA"),
        ("HOUSING_COMPLIANCE_SWA", "HOUSING_COMPLIANCE_OTHER"),
        ("HOUSING_COMPLIANCE_OTHER", "HOUSING_COMPLIANCE_OTHER_SPECIFY"),
        ("HOUSING_COMPLIANCE_OTHER_SPECIFY", "MIN_STANDARDS"),
        ("PHONE_TO_APPLY", "PHONE_EXT_TO_APPLY"),
    ),
)
_FY2025 = derive(
    _FY2024,
    insert=(("LAWFIRM_NAME_BUSINESS_NAME", "LAWFIRM_BUSINESS_FEIN"), ("PREPARER_BUSINESS_NAME", "PREPARER_FEIN")),
)

ERAS: tuple[Era, ...] = (
    Era("FY2008", (2008,), _FY2008, False, "set verified [B]; FY2012 order with APPLICATION_TYPE"),
    Era("FY2009-FY2010", (2009, 2010), _FY2009, False, "set verified [B]; FY2012 order plus agent address"),
    Era("FY2011", (2011,), _FY2011, False, "set verified [B]; FY2012 order with APPLICATION_TYPE"),
    Era("FY2012", (2012,), FY2012_ORDER, True, "order read from the real H-2A_FY2012.xlsx [A]"),
    Era("FY2013", (2013,), _FY2013, False, "set verified [B] (old .xls); FY2012 order"),
    Era("FY2014", (2014,), _FY2014, False, "set verified [B]; FY2013 order with WORKSITE_LOCATION_*"),
    Era("FY2015", (2015,), _FY2015, False, "set verified [B]; FY2016 order with CERTIFICATION_* dates"),
    Era("FY2016", (2016,), FY2016_ORDER, True, "order read from the real ..._FY16_updated.xlsx [A]"),
    Era("FY2017", (2017,), _FY2017, False, "set verified [B]; FY2016 order plus DBA/county"),
    Era("FY2018", (2018,), _FY2018, False, "set verified [B]; FY2017 order with CASE_NO/FULL_TIME/PRIMARY_SUB"),
    Era("FY2019", (2019,), _FY2019, False, "set verified [B]; FY2017 order with PRMARY/SUB"),
    Era("FY2020", (2020,), _FY2020, False, "set verified [B]; FY2021 order with FY2020 spellings"),
    Era("FY2021", (2021,), FY2021_ORDER, True, "order inferred from an importer [E]; set verified [B]"),
    Era("FY2022-FY2023", (2022, 2023), _FY2022, False, "set verified [B]; FY2021 order with FY2020 spellings"),
    Era("FY2024", (2024,), _FY2024, False, "set verified [B]; FY2022 order plus FY2024 additions"),
    Era("FY2025-FY2026", (2025, 2026), _FY2025, False, "set verified [B]; FY2024 order plus FEINs"),
)


def era_for_year(fiscal_year: int) -> Era:
    """The era whose header the given fiscal year's annual/Q4 file has."""
    for era in ERAS:
        if fiscal_year in era.fiscal_years:
            return era
    raise KeyError(f"no known H-2A header for FY{fiscal_year}")


# --- Addendum B Employment (worksites), FY2020+ ----------------------------------------------------
# Confirmed in every FY2020-FY2024 file by a loader that selects them by name ([D]).
ADDENDUM_B_CONFIRMED: tuple[str, ...] = (
    "CASE_NUMBER",
    "NAME_OF_AGRICULTURAL_BUSINESS",
    "PLACE_OF_EMPLOYMENT_CITY",
    "PLACE_OF_EMPLOYMENT_STATE",
    "PLACE_OF_EMPLOYMENT_POSTAL_CODE",
    "TOTAL_WORKERS",
)
# Seen renamed by TRLA-style worksite scripts (ADDITONAL_ is the file's own typo). Order assumed.
ADDENDUM_B_SAMPLE_HEADER: tuple[str, ...] = (
    "CASE_NUMBER",
    "NAME_OF_AGRICULTURAL_BUSINESS",
    "PLACE_OF_EMPLOYMENT_ADDRESS1",
    "PLACE_OF_EMPLOYMENT_ADDRESS2",
    "PLACE_OF_EMPLOYMENT_CITY",
    "PLACE_OF_EMPLOYMENT_STATE",
    "PLACE_OF_EMPLOYMENT_POSTAL_CODE",
    "TOTAL_WORKERS",
    "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO",
)
