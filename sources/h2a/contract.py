"""Contracts of the OFLC H-2A tables (`raw_h2a__disclosure`, `raw_h2a__addendum_b_worksites`).

Canonical names are snake_case concepts that stay stable across the publication eras; each
description says which published column(s) feed it. Rows are published rows, **not** cases:
association and joint-employer filings have one master row plus one row per member under the same
case number, and the master row's certified count already includes the members, so workers
certified per case = max over its rows (never the sum).
"""

from __future__ import annotations

import re

from sources.common.contract import Column, TableContract, make_contract
from sources.common.text import text_key


def case_status_key(status: str | None) -> str | None:
    """How published case statuses compare across eras (text_key): 'CERTIFIED - FULL' (FY2015 quarterly
    files) and 'Certified - Full' are one status, as in the dbt macro case_status_key."""
    return text_key(status)


def case_status_pattern(statuses) -> str:
    """A regex matching exactly the values whose case_status_key is the key of one of `statuses`."""
    keys = sorted({case_status_key(s) for s in statuses} - {None})
    alternatives = "|".join(r"[^A-Za-z0-9]+".join(re.escape(word) for word in key.split(" ")) for key in keys)
    return rf"(?i)^[^A-Za-z0-9]*(?:{alternatives})[^A-Za-z0-9]*$"


_DATE_NOTE = " Published as an Excel date cell or as an Excel serial number (1900 system, time fraction dropped)."

DISCLOSURE = make_contract(
    "h2a",
    "disclosure",
    "OFLC H-2A temporary agricultural labor certification disclosure data, one row per published row of a "
    "fiscal year's file (FY2008+). Several rows can share a case number (association / joint-employer master "
    "row plus member rows): count workers certified per case as the max over its rows.",
    [
        Column(
            "file_fiscal_year",
            "int",
            "Federal fiscal year the file covers, read from the file name "
            "(FY08, FY2008, FY14_Q4, ...). A case is in the file of the FY of its decision.",
            False,
        ),
        Column(
            "case_number",
            "string",
            "OFLC case number as published (CASE_NO or CASE_NUMBER), e.g. "
            "C-11046-27747 (iCERT, to FY2012) or H-300-13038-301403 (FY2013+). Not unique: association and "
            "joint-employer filings repeat it on every member row.",
            False,
        ),
        Column(
            "case_row",
            "int",
            "1-based ordinal of this row among the rows of the file with the same "
            "case_number, in file order. The master row is usually but not always 1.",
            False,
        ),
        Column(
            "case_status",
            "string",
            "Determination as published (CASE_STATUS): 'Certified - Full' / "
            "'Certified - Partial' / 'Denied' / 'Withdrawn' (FY2008-2013), 'DETERMINATION ISSUED - ...' "
            "upper case (FY2014-2019), 'Determination Issued - ...' with '(Expired)' (FY2020+). Expired "
            "certifications were certified (a disclosure bookkeeping artefact).",
        ),
        Column("decision_date", "date", "Date OFLC issued the determination (DECISION_DATE)." + _DATE_NOTE),
        Column(
            "received_date",
            "date",
            "Date OFLC received the application (CASE_RECEIVED_DATE; RECEIVED_DATE FY2020+)." + _DATE_NOTE,
        ),
        Column(
            "visa_class",
            "string",
            "Visa class (VISA_CLASS; APPLICATION_TYPE in FY2008 and FY2011); "
            "'H-2A' where published. Absent FY2009-2010 and FY2020+.",
        ),
        Column(
            "employer_name",
            "string",
            "Employer's legal business name as written on the application "
            "(EMPLOYER_NAME); on member rows, the member employer. Spelling varies across years.",
        ),
        Column("trade_name_dba", "string", "Employer's trade name / doing-business-as (TRADE_NAME_DBA, FY2017+)."),
        Column(
            "employer_address1",
            "string",
            "Employer street address, line 1 (EMPLOYER_ADDRESS1; EMPLOYER_ADDRESS_1 FY2020+).",
        ),
        Column(
            "employer_address2",
            "string",
            "Employer street address, line 2 (EMPLOYER_ADDRESS2; EMPLOYER_ADDRESS_2 FY2020+).",
        ),
        Column("employer_city", "string", "Employer city (EMPLOYER_CITY)."),
        Column("employer_state", "string", "Employer state or territory, usually a 2-letter code (EMPLOYER_STATE)."),
        Column(
            "employer_postal_code",
            "string",
            "Employer ZIP code as text (EMPLOYER_POSTAL_CODE): 5 or 9 digits, "
            "sometimes with a hyphen. Older files store it as an Excel number, so a ZIP that starts with 0 "
            "is published without that zero (e.g. 1002 for 01002); the raw value is kept.",
        ),
        Column(
            "employer_country",
            "string",
            "Employer country (EMPLOYER_COUNTRY, FY2015+), e.g. 'UNITED STATES OF AMERICA'.",
        ),
        Column(
            "employer_phone",
            "string",
            "Employer phone number as published (EMPLOYER_PHONE, FY2015+). On association member rows it is "
            "often the association's number, shared by hundreds of rows.",
        ),
        Column(
            "employer_fein",
            "string",
            "Employer's Federal Employer Identification Number (EMPLOYER_FEIN, "
            "FY2024+), e.g. 12-3456789: a real join key where present.",
        ),
        Column(
            "agent_attorney_name",
            "string",
            "Agent or attorney who filed for the employer (AGENT_ATTORNEY_NAME "
            "to FY2019; FY2020+ joined from ATTORNEY_AGENT_FIRST_NAME, _MIDDLE_NAME, _LAST_NAME with spaces).",
        ),
        Column(
            "lawfirm_name",
            "string",
            "Law firm or business of the agent/attorney (LAWFIRM_NAME FY2014-2019; "
            "LAWFIRM_NAME_BUSINESS_NAME FY2020+).",
        ),
        Column(
            "agent_city",
            "string",
            "City of the agent/attorney (AGENT_ATTORNEY_CITY FY2008-2019; ATTORNEY_AGENT_CITY FY2020+).",
        ),
        Column(
            "agent_state",
            "string",
            "State of the agent/attorney as published, usually a 2-letter code (AGENT_ATTORNEY_STATE "
            "FY2008-2019; ATTORNEY_AGENT_STATE FY2020+).",
        ),
        Column(
            "agent_email",
            "string",
            "E-mail address of the agent/attorney (ATTORNEY_AGENT_EMAIL or ATTORNEY_AGENT_EMAIL_ADDRESS, "
            "FY2020+ only).",
        ),
        Column("job_title", "string", "Job title of the certified position (JOB_TITLE)."),
        Column(
            "soc_code",
            "string",
            "Standard Occupational Classification code, e.g. 45-2092 (SOC_CODE; SOC_CODE_ID FY2014).",
        ),
        Column("soc_title", "string", "SOC occupation title (SOC_TITLE, FY2014+), sometimes truncated."),
        Column(
            "naics_code",
            "string",
            "Employer's NAICS industry code as text (NAIC_CODE FY2015-2016 typo; NAICS_CODE FY2017+), 2-6 digits.",
        ),
        Column("primary_crop", "string", "Primary crop or activity (PRIMARY_CROP; FY2011-2012 and FY2015-2019)."),
        Column(
            "workers_requested",
            "int",
            "H-2A workers requested on this row (NBR_WORKERS_REQUESTED; "
            "TOTAL_WORKERS_H2A_REQUESTED FY2020+). Absent FY2008-2010 and FY2013-2014.",
        ),
        Column(
            "workers_certified",
            "int",
            "H-2A workers certified on this row (NBR_WORKERS_CERTIFIED; "
            "TOTAL_WORKERS_H2A_CERTIFIED FY2020+). The master row includes its members: per case take the "
            "max over rows. Blank or 0 for denials and withdrawals.",
        ),
        Column("total_workers_needed", "int", "Total workers needed, H-2A and U.S. (TOTAL_WORKERS_NEEDED, FY2020+)."),
        Column(
            "requested_begin_date",
            "date",
            "Requested start date of need (REQUESTED_START_DATE_OF_NEED; REQUESTED_BEGIN_DATE FY2020+)." + _DATE_NOTE,
        ),
        Column(
            "requested_end_date",
            "date",
            "Requested end date of need (REQUESTED_END_DATE_OF_NEED; REQUESTED_END_DATE FY2020+)." + _DATE_NOTE,
        ),
        Column(
            "certification_begin_date",
            "date",
            "Start of the certified period (CERTIFICATION_BEGIN_DATE, FY2008-2015)." + _DATE_NOTE,
        ),
        Column(
            "certification_end_date",
            "date",
            "End of the certified period (CERTIFICATION_END_DATE, FY2008-2015)." + _DATE_NOTE,
        ),
        Column(
            "employment_begin_date",
            "date",
            "First day of employment on the job order (JOB_START_DATE "
            "FY2015-2019; EMPLOYMENT_BEGIN_DATE FY2020+)." + _DATE_NOTE,
        ),
        Column(
            "employment_end_date",
            "date",
            "Last day of employment on the job order (JOB_END_DATE "
            "FY2015-2019; EMPLOYMENT_END_DATE FY2020+)." + _DATE_NOTE,
        ),
        Column(
            "wage_rate",
            "double",
            "Offered basic rate of pay in dollars per wage_unit (BASIC_RATE_OF_PAY; WAGE_OFFER FY2020+).",
        ),
        Column(
            "wage_unit",
            "string",
            "Unit of the wage rate as published (BASIC_UNIT_OF_PAY; PER FY2020+): "
            "codes HR/WK/MTH/DAI to FY2014, words Hour/Week/Month/Bi-Weekly later ('Select Pay Range' is an "
            "unfilled form default, not a unit).",
        ),
        Column(
            "worksite_city",
            "string",
            "City of the (main) place of employment (ALIEN_WORK_CITY FY2008-2013; "
            "WORKSITE_LOCATION_CITY FY2014; WORKSITE_CITY FY2015+). FY2020+ extra worksites are in Addendum B.",
        ),
        Column(
            "worksite_state",
            "string",
            "State of the (main) place of employment (ALIEN_WORK_STATE; "
            "WORKSITE_LOCATION_STATE; WORKSITE_STATE; WORKSITE_ST in an FY2015 Q3 file).",
        ),
        Column(
            "worksite_postal_code",
            "string",
            "ZIP code of the place of employment as text "
            "(WORKSITE_POSTAL_CODE FY2015+; WORKSITE_ZIP in an FY2015 Q3 file).",
        ),
        Column("worksite_county", "string", "County of the place of employment (WORKSITE_COUNTY, FY2017+)."),
        Column(
            "filer_type",
            "string",
            "Kind of filer as published: ORGANIZATION_FLAG to FY2019 (codes S/J/A in "
            "older files, labels such as 'Individual Employer', 'H-2A Labor Contractor or Job Contractor', "
            "'Association - Joint Employer (H-2A Only)' later; blank on member rows), "
            "TYPE_OF_EMPLOYER_APPLICATION FY2020+.",
        ),
        Column(
            "primary_sub",
            "string",
            "PRI for the primary (master) row, SUB for a member row (PRIMARY/SUB "
            "FY2016-2017, PRIMARY_SUB FY2018, PRMARY/SUB FY2019).",
        ),
        Column(
            "is_labor_contractor",
            "bool",
            "True when the employer filed as an H-2A labor contractor "
            "(H2A_LABOR_CONTRACTOR Y/N, FY2020+). Earlier years: see filer_type.",
        ),
        Column(
            "ag_association_status",
            "string",
            "Agricultural association or agency status of the filer (AG_ASSN_OR_AGENCY_STATUS, FY2024+), as published.",
        ),
        Column(
            "nature_of_temporary_need",
            "string",
            "Seasonal, Peakload, One-Time Occurrence or Intermittent "
            "(NATURE_OF_TEMPORARY_NEED FY2015+; NATURE-OF_TEMPORARY_NEED in an FY2015 Q3 file).",
        ),
    ],
    primary_key=("file_fiscal_year", "case_number", "case_row"),
)

ADDENDUM_B_WORKSITES = make_contract(
    "h2a",
    "addendum_b_worksites",
    "OFLC H-2A Addendum B Employment records (FY2020+): the additional places of employment of a case, "
    "one row per published worksite row. Association members and the growers a labor contractor works for "
    "appear here by name. Joins to raw_h2a__disclosure on (file_fiscal_year, case_number).",
    [
        Column("file_fiscal_year", "int", "Federal fiscal year the file covers, read from the file name.", False),
        Column(
            "case_number", "string", "OFLC case number (CASE_NUMBER) of the application the worksite belongs to.", False
        ),
        Column(
            "worksite_row",
            "int",
            "1-based ordinal of this worksite among the file's rows with the same case_number, in file order.",
            False,
        ),
        Column(
            "business_name",
            "string",
            "Agricultural business at the place of employment "
            "(NAME_OF_AGRICULTURAL_BUSINESS): a member employer, a grower served by a labor contractor, or "
            "the filer itself.",
        ),
        Column("address1", "string", "Street address of the place of employment (PLACE_OF_EMPLOYMENT_ADDRESS1)."),
        Column("address2", "string", "Address line 2 of the place of employment (PLACE_OF_EMPLOYMENT_ADDRESS2)."),
        Column("city", "string", "City of the place of employment (PLACE_OF_EMPLOYMENT_CITY)."),
        Column("state", "string", "State of the place of employment (PLACE_OF_EMPLOYMENT_STATE)."),
        Column(
            "postal_code", "string", "ZIP code of the place of employment as text (PLACE_OF_EMPLOYMENT_POSTAL_CODE)."
        ),
        Column("county", "string", "County of the place of employment (PLACE_OF_EMPLOYMENT_COUNTY, where published)."),
        Column("total_workers", "int", "Workers to be employed at this place (TOTAL_WORKERS)."),
        Column(
            "additional_info",
            "string",
            "Free-text additional information about the place of employment "
            "(ADDITONAL_PLACE_OF_EMPLOYMENT_INFO, the file's own spelling, or ADDITIONAL_...).",
        ),
    ],
    primary_key=("file_fiscal_year", "case_number", "worksite_row"),
)

CONTRACTS: tuple[TableContract, ...] = (DISCLOSURE, ADDENDUM_B_WORKSITES)
