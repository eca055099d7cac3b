"""One employer across every source, for `warehouse employer NAME_OR_ID` (published warehouse)."""

from __future__ import annotations

import re
import unicodedata

from warehouse.access.query import run_query
from warehouse.settings import WarehousePaths

EMPLOYER_ID = re.compile(r"E\d{8}", re.IGNORECASE)

# (title, SQL with $employer_id): what the warehouse holds about one employer, section by section.
RECORD_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Employer",
        """SELECT employer_id, employer_name, state_code, city, naics_sector, records, whd_cases, h2a_filings,
                  h2a_filings_naming_it, debarments, mspa_certificates, array_to_string(name_variants, ' | ') AS names
           FROM marts.dim_employer WHERE employer_id = $employer_id""",
    ),
    (
        "Lead",
        """SELECT lead_rank, score, reasons FROM marts.mart_employer_leads WHERE employer_id = $employer_id""",
    ),
    (
        "WHD cases",
        """SELECT case_id, fiscal_year, employer_legal_name, employer_trade_name, employer_city, state_code, violations,
                  h2a_violations, back_wages, employees_owed, civil_money_penalties
           FROM marts.fct_whd_case WHERE employer_id = $employer_id ORDER BY fiscal_year DESC, case_id""",
    ),
    (
        "H-2A filings",
        """SELECT case_number, fiscal_year, case_status, employer_name, employer_city, state_code, is_labor_contractor,
                  workers_certified
           FROM marts.fct_h2a_certification WHERE employer_id = $employer_id ORDER BY fiscal_year DESC, case_number""",
    ),
    (
        "Named in H-2A filings of others",
        """SELECT bridge.record_id, bridge.role, bridge.name_as_published, filer.employer_id AS filing_employer_id,
                  filer.employer_name AS filing_employer, filer.fiscal_year
           FROM marts.bridge_employer_record AS bridge
           JOIN marts.fct_h2a_certification AS filer ON bridge.filing_record_id = filer.case_number
           WHERE bridge.employer_id = $employer_id AND bridge.role <> 'employer' ORDER BY filer.fiscal_year DESC""",
    ),
    (
        "Debarments",
        """SELECT outcome_type, program, entity_name, violation, debarment_start_date, debarment_end_date, is_permanent,
                  has_inconsistent_dates
           FROM marts.fct_case_outcome WHERE employer_id = $employer_id ORDER BY debarment_start_date DESC""",
    ),
    (
        "MSPA farm labor contractor certificates",
        """SELECT bridge.record_id AS certificate_number, bridge.name_as_published, bridge.state_code,
                  bridge.record_date AS certificate_start_date
           FROM marts.bridge_employer_record AS bridge
           WHERE bridge.employer_id = $employer_id AND bridge.source = 'mspa'""",
    ),
)


def find_employers(name_or_id: str, paths: WarehousePaths) -> list[tuple]:
    """(employer_id, name, state, records) of the employers matching an id or a part of any of their names,
    most records first."""
    if EMPLOYER_ID.fullmatch(name_or_id.strip()):
        sql = "SELECT employer_id, employer_name, state_code, records FROM marts.dim_employer WHERE employer_id = $q"
        params = {"q": name_or_id.strip().upper()}
    else:
        sql = """SELECT employer_id, employer_name, state_code, records FROM marts.dim_employer
                 WHERE list_has_any(
                     list_transform(name_variants, lambda n: contains(upper(nfc_normalize(n)), upper($q))), [true]
                 )
                 ORDER BY records DESC, employer_id LIMIT 50"""
        # A name typed in decomposed Unicode (PEN\u0303A) matches the published composed one (PEÑA).
        params = {"q": unicodedata.normalize("NFC", name_or_id.strip())}
    return run_query(sql, paths, params=params).rows
