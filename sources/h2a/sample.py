"""Write H-2A disclosure sample files in the real per-year formats, drawn from the shared sample world.

One main workbook per fiscal year under its real file name (FY2013 as an old .xls via xlwt, the rest
.xlsx via xlsxwriter in constant-memory mode), header in row 1 of the only sheet, with that year's
exact header (real order for FY2012/FY2016/FY2021, the documented derived order otherwise), plus an
Addendum B Employment workbook per year from FY2020. Value conventions follow the era:

- case numbers ``C-YYDDD-NNNNN`` to FY2012, ``H-300-YYDDD-NNNNNN`` from FY2013 (YYDDD = received date);
- CASE_STATUS title case (to FY2013), ``DETERMINATION ISSUED - ...`` (FY2014-19, with EXPIRED),
  ``Determination Issued - ...`` with ``(Expired)`` (FY2020+);
- ORGANIZATION_FLAG codes S/J/A to FY2014, labels FY2015-19; TYPE_OF_EMPLOYER_APPLICATION and
  H2A_LABOR_CONTRACTOR Y/N from FY2020; PRIMARY/SUB PRI/SUB in FY2016-19;
- pay units HR/WK/MTH to FY2014, Hour/Week/Month later; ZIP codes as numbers to FY2013;
- date cells in most years, raw Excel serial numbers (time fraction on decision dates) in
  `SERIAL_DATE_YEARS`; denied/withdrawn certified counts blank (to FY2013, FY2020+) or 0 (FY2014-19).

Planted patterns: employers that file every year under varying spellings; association and joint
filings with a master row whose certified count already includes its member rows (the master is
not always first); labor contractors with grower sub-rows or Addendum B worksites; partial
certifications, denials, withdrawals, expired certifications; debarred employers denied during
their debarment, and the `certified_again` ones certified after its start; the
`unlicensed_contractors` certified in the last fiscal year (the MSPA registry lacks them); one agent
(`NETWORK_AGENT`, its name spelt two ways) filing for H-2A debarred employers and for one that is not
(`agent_network_clients`). Every written row is
recorded in the world's ground truth (datasets ``h2a`` and ``h2a_addendum_b``).

What the format details rest on (verified vs assumed) is in docs/research/h2a_columns.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sources.common.sample_world import (
    World,
    agent_contact,
)
from sources.h2a.columns import MAPPED
from sources.h2a.fetch import ADDENDUM_B_FILES, DISCLOSURE_FILES
from sources.h2a.headers import ADDENDUM_B_SAMPLE_HEADER, era_for_year
from sources.h2a.sample_cases import XLS_MAX_DATA_ROWS, SampleCase, SampleRow, SampleWorksite, iter_years

SERIAL_DATE_YEARS = frozenset({2017, 2022})  # dates written as raw Excel serial numbers


NUMERIC_ZIP_YEARS = frozenset(range(2008, 2014))  # ZIP codes written as numbers (leading zeros lost)


# Before FY2015 a labor contractor's filing is coded "S" like any single employer: files cannot tell.
FIRST_YEAR_NAMING_LABOR_CONTRACTORS = 2015


_EXCEL_EPOCH = datetime(1899, 12, 30)


_CREATED = datetime(2026, 1, 1)  # fixed workbook property: the same world always gives the same bytes


_STATUS_TITLE = {
    "full": "Certified - Full",
    "partial": "Certified - Partial",
    "denied": "Denied",
    "withdrawn": "Withdrawn",
}


_STATUS_UPPER = {
    "full": "DETERMINATION ISSUED - CERTIFICATION",
    "partial": "DETERMINATION ISSUED - PARTIAL CERTIFICATION",
    "denied": "DETERMINATION ISSUED - DENIED",
    "withdrawn": "DETERMINATION ISSUED - WITHDRAWN",
}


_STATUS_FLAG = {
    "full": "Determination Issued - Certification",
    "partial": "Determination Issued - Partial Certification",
    "denied": "Determination Issued - Denied",
    "withdrawn": "Determination Issued - Withdrawn",
}


# ORGANIZATION_FLAG codes (verified for FY2012: S, J, A, blank on member rows) and labels (FY2016).
_FILER_CODE = {"individual": "S", "flc": "S", "assoc_agent": "S", "assoc_joint": "A", "assoc_sole": "A", "joint": "J"}


_FILER_LABEL = {
    "individual": "Individual Employer",
    "flc": "H-2A Labor Contractor or Job Contractor",
    "assoc_agent": "Association - Filing as Agent (H-2A Only)",
    "assoc_joint": "Association - Joint Employer (H-2A Only)",
    "assoc_sole": "Association - Sole Employer (H-2A Only)",
    "joint": "Association - Joint Employer (H-2A Only)",
}


# FY2020+ TYPE_OF_EMPLOYER_APPLICATION (labels seen in public loaders, not in a real file here) and
# AG_ASSN_OR_AGENCY_STATUS (FY2024+; values ASSUMED).
_FILER_FLAG = {
    "individual": "Individual Employer",
    "flc": "Individual Employer",
    "assoc_agent": "Association - Agent",
    "assoc_joint": "Association - Joint Employer",
    "assoc_sole": "Association - Sole Employer",
    "joint": "Association - Joint Employer",
}


_AG_ASSN_STATUS = {"assoc_agent": "Agent", "assoc_joint": "Joint Employer", "assoc_sole": "Sole Employer"}


_UNIT_CODE = {"hour": "HR", "week": "WK", "month": "MTH"}


_UNIT_WORD = {"hour": "Hour", "week": "Week", "month": "Month"}


def disclosure_file_name(fiscal_year: int) -> str:
    return DISCLOSURE_FILES.get(fiscal_year, f"H-2A_Disclosure_Data_FY{fiscal_year}_Q4.xlsx")


def addendum_b_file_name(fiscal_year: int) -> str:
    return ADDENDUM_B_FILES.get(fiscal_year, f"H-2A_Addendum_B_Employment_Record_FY{fiscal_year}_Q4.xlsx")


def sheet_name(fiscal_year: int) -> str:
    # Real: H-2A_FY2012_Q4 (FY2012) and H-2A_FY2016 (FY2016); other years follow these two (assumed).
    return f"H-2A_FY{fiscal_year}_Q4" if fiscal_year <= 2014 else f"H-2A_FY{fiscal_year}"


def _serial(value: date | datetime) -> float:
    moment = value if isinstance(value, datetime) else datetime.combine(value, time())
    return (moment - _EXCEL_EPOCH) / timedelta(days=1)


def _date_value(value: date | datetime | None, fy: int) -> object:
    if value is None:
        return None
    return _serial(value) if fy in SERIAL_DATE_YEARS else value


def status_text(case: SampleCase) -> str:
    fy = case.fiscal_year
    if fy <= 2013:
        return _STATUS_TITLE[case.outcome]
    if fy <= 2019:
        return _STATUS_UPPER[case.outcome] + (" EXPIRED" if case.expired else "")
    return _STATUS_FLAG[case.outcome] + (" (Expired)" if case.expired else "")


def filer_text(case: SampleCase, row: SampleRow) -> str | None:
    fy = case.fiscal_year
    if fy >= 2020:
        return _FILER_FLAG[case.filer]
    if not row.is_master:
        return None  # member rows carry no organization flag
    return _FILER_CODE[case.filer] if fy < FIRST_YEAR_NAMING_LABOR_CONTRACTORS else _FILER_LABEL[case.filer]


def published_values(case: SampleCase, row: SampleRow) -> dict[str, object]:
    """Published column -> cell value for one row (every era's spelling; the writer keeps its header's)."""
    fy = case.fiscal_year
    certified_dates = case.is_certified
    canonical: dict[str, object] = {
        "case_number": case.case_number,
        "case_status": status_text(case),
        "decision_date": _date_value(case.decision if fy >= 2015 else case.decision.date(), fy),
        "received_date": _date_value(case.received, fy),
        "visa_class": "H-2A",
        "employer_name": row.name,
        "trade_name_dba": row.trade_name,
        "employer_address1": row.address1,
        "employer_address2": row.address2,
        "employer_city": row.city,
        "employer_state": row.employer.state,
        "employer_postal_code": float(row.postal_code[:5]) if fy in NUMERIC_ZIP_YEARS else row.postal_code,
        "employer_country": "UNITED STATES OF AMERICA",
        # One number per employer (ids below 8 million), as each employer has its own line.
        "employer_phone": f"{200 + (row.employer.entity_id // 10_000) % 800}-555-{row.employer.entity_id % 10_000:04d}",
        "employer_fein": row.fein,
        "agent_attorney_name": " ".join(case.agent) if case.agent else None,
        "lawfirm_name": case.lawfirm,
        **_agent_contact_values(case),
        "job_title": case.job_title,
        "soc_code": case.soc_code,
        "soc_title": case.soc_title,
        "naics_code": row.naics if (fy >= 2017 or row.is_master) else None,
        "primary_crop": case.crop,
        "workers_requested": float(row.requested),
        "workers_certified": None if row.certified is None else float(row.certified),
        "total_workers_needed": float(row.requested + (row.requested // 10)),
        "requested_begin_date": _date_value(case.begin, fy),
        "requested_end_date": _date_value(case.end, fy),
        "certification_begin_date": _date_value(case.begin if certified_dates else None, fy),
        "certification_end_date": _date_value(case.end if certified_dates else None, fy),
        "employment_begin_date": _date_value(case.begin - timedelta(days=1), fy),
        "employment_end_date": _date_value(case.end, fy),
        "wage_rate": case.wage,
        "wage_unit": (_UNIT_CODE if fy <= 2014 else _UNIT_WORD)[case.unit],
        "worksite_city": row.worksite_city,
        "worksite_state": row.worksite_state,
        "worksite_postal_code": row.worksite_postal_code,
        "worksite_county": row.worksite_county,
        "filer_type": filer_text(case, row),
        "primary_sub": "PRI" if row.is_master else "SUB",
        "is_labor_contractor": "Y" if case.filer == "flc" else "N",
        "ag_association_status": _AG_ASSN_STATUS.get(case.filer),
        "nature_of_temporary_need": case.nature,
    }
    values = {published: canonical[name] for published, name in MAPPED.items() if name in canonical}
    # A few of the dropped columns, filled as published, so the files look like the real ones.
    values.update(
        {
            "BASIC_NUMBER_OF_HOURS": 40.0 if case.unit != "month" else 48.0,
            "ANTICIPATED_NUMBER_OF_HOURS": 40.0 if case.unit != "month" else 48.0,
            "FULL_TIME_POSITION": "Y",
            "FULL_TIME": "Y",
            "EMERGENCY_FILING": "N",
            "JOB_ORDER_NUMBER": f"{case.case_number[-6:]}",
            "JOB_IDNUMBER": f"{case.case_number[-6:]}",
            "TYPE_OF_REPRESENTATION": "Agent" if case.agent else "None",
        }
    )
    if case.agent:
        values["ATTORNEY_AGENT_FIRST_NAME"], values["ATTORNEY_AGENT_LAST_NAME"] = case.agent
    return values


def _agent_contact_values(case: SampleCase) -> dict[str, str]:
    """The agent's city, state and e-mail (each header keeps the ones its era publishes)."""
    if not case.agent:
        return {}
    contact = case.agent_contact or agent_contact(*case.agent)
    return {"agent_city": contact.city, "agent_state": contact.state, "agent_email": contact.email}


def worksite_values(case: SampleCase, site: SampleWorksite) -> dict[str, object]:
    return {
        "CASE_NUMBER": case.case_number,
        "NAME_OF_AGRICULTURAL_BUSINESS": site.name,
        "PLACE_OF_EMPLOYMENT_ADDRESS1": site.address1,
        "PLACE_OF_EMPLOYMENT_ADDRESS2": site.address2,
        "PLACE_OF_EMPLOYMENT_CITY": site.city,
        "PLACE_OF_EMPLOYMENT_STATE": site.state,
        "PLACE_OF_EMPLOYMENT_POSTAL_CODE": site.postal_code,
        "TOTAL_WORKERS": float(site.total_workers),
        "ADDITONAL_PLACE_OF_EMPLOYMENT_INFO": site.additional_info,
    }


def write_sample(world: World, out_dir: Path) -> list[Path]:
    """Write every fiscal year's disclosure file and (FY2020+) Addendum B file; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for fy, cases in iter_years(world):
        header = era_for_year(fy).header
        rows = (published_values(case, row) for case in cases for row in case.rows)
        path = out_dir / disclosure_file_name(fy)
        if path.suffix.lower() == ".xls":
            write_xls(path, sheet_name(fy), header, rows)
        else:
            write_xlsx(path, sheet_name(fy), header, rows)
        written.append(path)
        if fy >= 2020:
            sites = (worksite_values(case, site) for case in cases for site in case.worksites)
            path = out_dir / addendum_b_file_name(fy)
            write_xlsx(path, f"Addendum_B_FY{fy}", ADDENDUM_B_SAMPLE_HEADER, sites)
            written.append(path)
    return written


def write_xlsx(path: Path, sheet: str, header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Path:
    """One-sheet workbook: header in row 1, then the rows (only header columns; blanks left empty)."""
    import xlsxwriter

    tmp = path.with_name(path.name + ".partial")
    workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
    workbook.set_properties({"created": _CREATED})
    date_format = workbook.add_format({"num_format": "m/d/yyyy"})
    datetime_format = workbook.add_format({"num_format": "m/d/yyyy h:mm:ss"})
    worksheet = workbook.add_worksheet(sheet)
    worksheet.write_row(0, 0, header)
    for r, (c, value) in _cells(header, rows):
        if isinstance(value, str):
            worksheet.write_string(r, c, value)
        elif isinstance(value, datetime):
            worksheet.write_datetime(r, c, value, datetime_format if value.time() != time() else date_format)
        elif isinstance(value, date):
            worksheet.write_datetime(r, c, datetime.combine(value, time()), date_format)
        else:
            worksheet.write_number(r, c, value)
    workbook.close()
    tmp.replace(path)
    return path


def write_xls(path: Path, sheet: str, header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Path:
    """The same as `write_xlsx` in the old BIFF .xls format (FY2013)."""
    import xlwt

    workbook = xlwt.Workbook(encoding="utf-8")
    worksheet = workbook.add_sheet(sheet)
    date_style = xlwt.easyxf(num_format_str="M/D/YYYY")
    for c, name in enumerate(header):
        worksheet.write(0, c, name)
    for r, (c, value) in _cells(header, rows):
        if r > XLS_MAX_DATA_ROWS:
            raise ValueError(f"{path.name}: more rows than an .xls sheet holds")
        if isinstance(value, date):
            worksheet.write(r, c, value, date_style)
        else:
            worksheet.write(r, c, value)
    tmp = path.with_name(path.name + ".partial")
    workbook.save(str(tmp))
    tmp.replace(path)
    return path


def _cells(header: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Iterator[tuple[int, tuple[int, object]]]:
    """(row number, (column number, value)) for every non-blank header cell, rows from 1, in order."""
    index = {name: c for c, name in enumerate(header)}
    for r, values in enumerate(rows, start=1):
        for name, value in values.items():
            c = index.get(name)
            if c is not None and value is not None and value != "":
                yield r, (c, value)
