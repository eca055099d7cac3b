"""Contract of the OFLC H-2B table (`raw_h2b__disclosure`).

One row per published row of a fiscal year's file. Rows are mostly cases, but not always: the
FY2000-FY2005 files and FY2014 Q4 repeat a few case numbers, so `case_row` numbers a case's rows and
per case the workers are the max over its rows (the same rule as H-2A, whose association filings have
master and member rows). `sources.h2b.columns` lists the published spelling(s) of every column.
"""

from __future__ import annotations

from sources.common.contract import Column, TableContract, make_contract

_DATE_NOTE = " Published as text (FY2000-FY2005 '10/01/99 00:00:00'), a date cell or an Excel serial number."

DISCLOSURE = make_contract(
    "h2b",
    "disclosure",
    "OFLC H-2B temporary non-agricultural labor certification disclosure data, one row per published row of "
    "a fiscal year's file (FY2000-FY2005 CSV, FY2008+ workbooks). A case number can repeat: count workers per "
    "case as the max over its rows.",
    [
        Column(
            "file_fiscal_year",
            "int",
            "Federal fiscal year the file covers: the one most of its decision dates fall in "
            "(the sheet and file names are hints).",
            False,
        ),
        Column(
            "case_number",
            "string",
            "OFLC case number as published (Case_Num FY2000-2005, e.g. 05414065; CASE_NO / CASE_NUMBER later, "
            "e.g. C-10008-48621, H-400-14038-291431).",
            False,
        ),
        Column(
            "case_row",
            "int",
            "1-based ordinal of this row among the file's rows with the same case_number, in file order.",
            False,
        ),
        Column(
            "case_status",
            "string",
            "Determination as published: Last_Sig_Event FY2000-2005 ('Certified, Temporary', 'Denied, "
            "Temporary', 'Withdrawn', or a pending step such as 'Received Regional Office'); CASE_STATUS later "
            "('CERTIFIED', 'PARTIAL CERTIFIED', 'DENIED' FY2008-2012; 'Certified', 'Partial Certified', 'Denied', "
            "'Withdrawn' FY2013; 'Certification', 'Partial Certification', '... Expired' FY2014-2015; later values "
            "not seen in a real file here). ref_h2b_case_statuses lists them with their outcome.",
        ),
        Column(
            "decision_date",
            "date",
            "Date of the determination (DECISION_DATE; RECENT_DECISION_DATE FY2014 Q4; Last_Event_Date, the "
            "date of the last significant event, FY2000-2005)." + _DATE_NOTE,
        ),
        Column(
            "received_date",
            "date",
            "Date the National Processing Center received the application (NPC_SUBMITTED_DATE; SUBMITTED_DATE "
            "FY2016-2019; RECEIVED_DATE FY2021+)." + _DATE_NOTE,
        ),
        Column(
            "visa_class",
            "string",
            "Visa class, 'H-2B' (APPLICATION_TYPE FY2008-2010 and FY2015 Q3; VISA_CLASS; VISA_TYPE FY2016 Q1 and "
            "FY2018 EOY). Absent FY2000-2005 and in the FLAG era.",
        ),
        Column("employer_name", "string", "Employer's legal business name (Emp_Name; EMPLOYER_NAME)."),
        Column("trade_name_dba", "string", "Employer's trade name / doing-business-as (TRADE_NAME_DBA, FY2017+)."),
        Column("employer_address1", "string", "Employer street address, line 1 (EMPLOYER_ADDRESS1 / _1, FY2008+)."),
        Column("employer_address2", "string", "Employer street address, line 2 (EMPLOYER_ADDRESS2 / _2, FY2008+)."),
        Column("employer_city", "string", "Employer city (Emp_City; EMPLOYER_CITY)."),
        Column("employer_state", "string", "Employer state or territory, a 2-letter code (Emp_State; EMPLOYER_STATE)."),
        Column(
            "employer_postal_code",
            "string",
            "Employer ZIP code as text (EMPLOYER_POSTAL_CODE, FY2008+). FY2008-2012 store it as a number, so a "
            "leading zero is lost (623 for 00623); the raw value is kept.",
        ),
        Column("employer_country", "string", "Employer country (EMPLOYER_COUNTRY, FY2015+)."),
        Column("employer_phone", "string", "Employer phone number as published (EMPLOYER_PHONE, FY2015+)."),
        Column(
            "agent_attorney_name",
            "string",
            "Agent or attorney (AGENT_ATTORNEY_NAME FY2008-2019; joined from Att_First and Att_Last FY2000-2005 "
            "and from ATTORNEY_AGENT_FIRST_NAME, _MIDDLE_NAME, _LAST_NAME in the FLAG era, with spaces).",
        ),
        Column(
            "lawfirm_name",
            "string",
            "Law firm or business of the agent (Att_Firm_Name; LAWFIRM_NAME; LAWFIRM_NAME_BUSINESS_NAME FY2021+).",
        ),
        Column(
            "agent_city",
            "string",
            "City of the agent (Att_City FY2000-2005; AGENT_ATTORNEY_CITY FY2010-2019; ATTORNEY_AGENT_CITY FLAG era). "
            "The FY2008 and FY2009 files publish none.",
        ),
        Column(
            "agent_state",
            "string",
            "State of the agent as published, usually a 2-letter code (Att_State FY2000-2005; AGENT_ATTORNEY_STATE "
            "FY2010-2019; ATTORNEY_AGENT_STATE FLAG era).",
        ),
        Column(
            "agent_email",
            "string",
            "E-mail address of the agent (ATTORNEY_AGENT_EMAIL_ADDRESS, FLAG era only).",
        ),
        Column("job_title", "string", "Job title of the position (JOB_TITLE, FY2008+)."),
        Column(
            "dot_code",
            "string",
            "Dictionary of Occupational Titles code, e.g. 408.687-014 (Occ_Code FY2000-2005; "
            "DOT_OCCUPATIONAL_CODE FY2008-2012).",
        ),
        Column("dot_title", "string", "DOT occupation title (Occ_Title FY2000-2005; DOT_NAME FY2011-2012)."),
        Column(
            "soc_code",
            "string",
            "Standard Occupational Classification code as published (SOC_CODE, FY2011+): 37-3011, or a number "
            "without its hyphen (373011) in FY2011-2013.",
        ),
        Column("soc_title", "string", "SOC occupation title (SOC_NAME; SOC_TITLE)."),
        Column("naics_code", "string", "Employer's NAICS code as text (NAIC_CODE FY2015-2016; NAICS_CODE FY2017+)."),
        Column(
            "workers_requested",
            "int",
            "Workers requested (NBR_WORKERS_REQUESTED; WORKERS_REQUESTED; TOTAL_WORKERS_REQUESTED FY2021+). "
            "FY2000-2005: Num_Aliens, the foreign workers on the application. Absent FY2013 and FY2014 Q4.",
        ),
        Column(
            "workers_certified",
            "int",
            "Workers certified (NBR_WORKERS_CERTIFIED; NBR_CERTIFIED_WORKERS FY2019 Q1; WORKERS_CERTIFIED "
            "FY2017 Q2-Q3; TOTAL_WORKERS_CERTIFIED FY2021+). Not published FY2000-2005. 0 or blank when denied.",
        ),
        Column(
            "certification_begin_date",
            "date",
            "Start of the certified period (CERTIFICATION_BEGIN_DATE, FY2008-2019)." + _DATE_NOTE,
        ),
        Column(
            "certification_end_date",
            "date",
            "End of the certified period (CERTIFICATION_END_DATE, FY2008-2019)." + _DATE_NOTE,
        ),
        Column("requested_begin_date", "date", "Requested start of need (REQUESTED_BEGIN_DATE, FY2021+)." + _DATE_NOTE),
        Column("requested_end_date", "date", "Requested end of need (REQUESTED_END_DATE, FY2021+)." + _DATE_NOTE),
        Column(
            "employment_begin_date",
            "date",
            "First day of employment on the job order (JOB_START_DATE FY2015-2019; EMPLOYMENT_BEGIN_DATE "
            "FY2021+)." + _DATE_NOTE,
        ),
        Column(
            "employment_end_date",
            "date",
            "Last day of employment on the job order (JOB_END_DATE; EMPLOYMENT_END_DATE)." + _DATE_NOTE,
        ),
        Column(
            "wage_rate",
            "double",
            "Offered rate of pay in dollars per wage_unit (Salary FY2000-2005; BASIC_RATE_OF_PAY; "
            "BASIC_WAGE_RATE_FROM FY2021+).",
        ),
        Column(
            "wage_unit",
            "string",
            "Unit of the wage rate as published (Unit_of_Pay FY2000-2005: H/W/M/A codes; BASIC_UNIT_OF_PAY; PER).",
        ),
        Column(
            "prevailing_wage",
            "double",
            "Prevailing wage in dollars per prevailing_wage_unit (Prevail_Wage; PREVAILING_WAGE; PREVIALING_WAGE, "
            "sic, FY2013-2015).",
        ),
        Column("prevailing_wage_unit", "string", "Unit of the prevailing wage (Unit_of_Pay_Prev; PW_UNIT_OF_PAY)."),
        Column(
            "worksite_city",
            "string",
            "City of the place of employment (WORKSITE_CITY; EMPLOYEE_WORKSITE_CITY FY2016 Q1 and FY2018 EOY).",
        ),
        Column(
            "worksite_state",
            "string",
            "State of the place of employment (Work_State FY2000-2005; ALIEN_WORK_STATE; WORKSITE_STATE; "
            "EMPLOYEE_WORK_STATE FY2018 EOY).",
        ),
        Column(
            "worksite_postal_code",
            "string",
            "ZIP code of the place of employment (WORKSITE_POSTAL_CODE; WORKSITE_ZIP; EMPLOYEE_POSTAL_CODE).",
        ),
        Column(
            "worksite_county",
            "string",
            "County of the place of employment (WORKSITE_COUNTY; EMPLOYEE_WORKSITE_COUNTY FY2018 EOY).",
        ),
        Column(
            "nature_of_temporary_need",
            "string",
            "Seasonal, Peakload, One-Time Occurrence or Intermittent (NATURE_OF_TEMPORARY_NEED; NATURE_OF_NEED).",
        ),
    ],
    primary_key=("file_fiscal_year", "case_number", "case_row"),
)

CONTRACTS: tuple[TableContract, ...] = (DISCLOSURE,)
