"""One agent or attorney who files for employers, for `warehouse agent NAME_OR_ID` (published warehouse):
the employers it files for, with their WHD violations and debarments - the network view."""

from __future__ import annotations

import re
import unicodedata

from warehouse.access.query import run_query
from warehouse.settings import WarehousePaths

# int_filing_agents: 'A' and 12 hex digits of md5 of the normalised name.
AGENT_ID = re.compile(r"A[0-9A-F]{12}", re.IGNORECASE)

# (title, SQL with $agent_id): what the warehouse holds about one agent, section by section.
AGENT_SECTIONS: tuple[tuple[str, str], ...] = (
    (
        "Agent",
        """SELECT agent_id, agent_name, law_firm, filings, employers, first_fiscal_year, last_fiscal_year,
                  employers_with_whd_violations, employers_with_debarments,
                  array_to_string(name_variants, ' | ') AS names
           FROM marts.dim_filing_agent WHERE agent_id = $agent_id""",
    ),
    (
        "Employers it files for",
        """WITH filings AS (
               SELECT employer_id, count(*) AS filings, min(fiscal_year) AS first_fiscal_year,
                      max(fiscal_year) AS last_fiscal_year
               FROM marts.bridge_filing_agent WHERE agent_id = $agent_id AND employer_id IS NOT NULL
               GROUP BY employer_id
           ),
           whd AS (
               SELECT employer_id, count(*) FILTER (WHERE violations > 0) AS whd_cases_with_violations,
                      sum(back_wages) AS back_wages
               FROM marts.fct_whd_case WHERE employer_id IN (SELECT employer_id FROM filings) GROUP BY employer_id
           ),
           debarments AS (
               SELECT employer_id, count(*) AS debarments
               FROM marts.fct_case_outcome WHERE employer_id IN (SELECT employer_id FROM filings) GROUP BY employer_id
           )
           SELECT filings.employer_id, employers.employer_name, employers.state_code, filings.filings,
                  filings.first_fiscal_year, filings.last_fiscal_year,
                  coalesce(whd.whd_cases_with_violations, 0) AS whd_cases_with_violations,
                  round(coalesce(whd.back_wages, 0), 2) AS back_wages,
                  coalesce(debarments.debarments, 0) AS debarments,
                  leads.score AS lead_score
           FROM filings
           JOIN marts.dim_employer AS employers ON employers.employer_id = filings.employer_id
           LEFT JOIN whd ON whd.employer_id = filings.employer_id
           LEFT JOIN debarments ON debarments.employer_id = filings.employer_id
           LEFT JOIN marts.mart_employer_leads AS leads ON leads.employer_id = filings.employer_id
           ORDER BY (coalesce(whd.whd_cases_with_violations, 0) + coalesce(debarments.debarments, 0) > 0) DESC,
                    filings.filings DESC, filings.employer_id""",
    ),
)


def find_agents(name_or_id: str, paths: WarehousePaths) -> list[tuple]:
    """(agent_id, name, law firm, filings) of the agents matching an id or a part of any spelling of their
    name or of their law firm, most filings first."""
    if AGENT_ID.fullmatch(name_or_id.strip()):
        sql = "SELECT agent_id, agent_name, law_firm, filings FROM marts.dim_filing_agent WHERE agent_id = $q"
        params = {"q": name_or_id.strip().upper()}
    else:
        sql = """SELECT agent_id, agent_name, law_firm, filings FROM marts.dim_filing_agent
                 WHERE list_has_any(
                     list_transform(name_variants, lambda n: contains(upper(nfc_normalize(n)), upper($q))), [true]
                 ) OR contains(upper(nfc_normalize(coalesce(law_firm, ''))), upper($q))
                 ORDER BY filings DESC, agent_id LIMIT 50"""
        # A name typed in decomposed Unicode (PEN\u0303A) matches the published composed one (PEÑA).
        params = {"q": unicodedata.normalize("NFC", name_or_id.strip())}
    return run_query(sql, paths, params=params).rows
