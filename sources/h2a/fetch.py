"""Where OFLC publishes the H-2A disclosure files (one per fiscal year) and the Addendum B worksites.

Names as seen in public code that downloaded them (docs/research/h2a_columns.md §1). Notes for the
downloader (`sources/common/fetch.py`):
- dol.gov sits behind Akamai, which refuses a bare User-Agent and, per two independent pipelines,
  plain `requests` by TLS fingerprint (they use curl_cffi impersonating Chrome);
- the newest files may sit under ``/media/`` instead of ``/pdfs/`` (and DOL sometimes links them with
  a double slash ``//media/``). DOL also re-issues old files under the same or a new name.
"""

from __future__ import annotations

from sources.common.fetch import RemoteFile

BASE_URL = "https://www.dol.gov/sites/dolgov/files/ETA/oflc/pdfs/"
LANDING_PAGE = "https://www.dol.gov/agencies/eta/foreign-labor/performance"

# The full-year (annual / EOY / Q4 / updated) main file of each fiscal year.
DISCLOSURE_FILES: dict[int, str] = {
    2008: "H2A_FY2008.xlsx",
    2009: "H2A_FY2009.xlsx",
    2010: "H-2A_FY2010.xlsx",
    2011: "H-2A_FY2011.xlsx",  # seen in one source only
    2012: "H-2A_FY2012.xlsx",
    2013: "H2A_FY2013.xls",  # old binary .xls
    2014: "H-2A_FY14_Q4.xlsx",  # seen in one source only
    2015: "H-2A_Disclosure_Data_FY15_Q4.xlsx",
    2016: "H-2A_Disclosure_Data_FY16_updated.xlsx",
    2017: "H-2A_Disclosure_Data_FY17.xlsx",
    2018: "H-2A_Disclosure_Data_FY2018_EOY.xlsx",  # also seen as H-2A_FY2018.xlsx
    2019: "H-2A_Disclosure_Data_FY2019.xlsx",
    2020: "H-2A_Disclosure_Data_FY2020.xlsx",
    2021: "H-2A_Disclosure_Data_FY2021.xlsx",
    2022: "H-2A_Disclosure_Data_FY2022_Q4.xlsx",
    2023: "H-2A_Disclosure_Data_FY2023_Q4.xlsx",
    2024: "H-2A_Disclosure_Data_FY2024_Q4.xlsx",
    # NOT SEEN: only ..._FY2025_Q2.xlsx was found; the Q4 name follows the FY2022-FY2024 pattern.
    2025: "H-2A_Disclosure_Data_FY2025_Q4.xlsx",
    # NOT SEEN: the FY2026 end-of-year file, expected in late 2026 under the same pattern.
    2026: "H-2A_Disclosure_Data_FY2026_Q4.xlsx",
}
# Years whose file name is assumed: a 404 for them is skipped, not fatal.
UNCONFIRMED_YEARS = frozenset({2025, 2026})

# Addendum B Employment (additional worksites), FY2020+.
ADDENDUM_B_FILES: dict[int, str] = {
    2020: "H-2A_FY2020_AddendumB_Employment.xlsx",
    2021: "H-2A_Addendum_B_Employment_FY2021.xlsx",
    2022: "H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx",
    2023: "H-2A_Addendum_B_Employment_Record_FY2023_Q4.xlsx",
    2024: "H-2A_Addendum_B_Employment_Record_FY2024_Q4.xlsx",
    # NOT SEEN: assumed to follow the FY2022-FY2024 pattern.
    2025: "H-2A_Addendum_B_Employment_Record_FY2025_Q4.xlsx",
    2026: "H-2A_Addendum_B_Employment_Record_FY2026_Q4.xlsx",
}


def _remote(year: int, name: str) -> RemoteFile:
    return RemoteFile(BASE_URL + name, name, optional=year in UNCONFIRMED_YEARS)


def remote_files() -> list[RemoteFile]:
    """Every fiscal year's main disclosure file, oldest first."""
    return [_remote(year, name) for year, name in sorted(DISCLOSURE_FILES.items())]


def addendum_b_remote_files() -> list[RemoteFile]:
    """Every fiscal year's Addendum B Employment (worksites) file, oldest first."""
    return [_remote(year, name) for year, name in sorted(ADDENDUM_B_FILES.items())]
