"""Where OFLC publishes the H-2B disclosure files (one per fiscal year), from the same folder as H-2A's.

Evidence for each name (docs/data-sources.md, H-2B):
- FY2017-FY2025: full download URLs under ``BASE_URL`` in a public R importer of the OFLC files
  (``H-2B_Disclosure_Data_FY2025_Q4.xlsx`` ... ``H-2B_FY2017.xlsx``; FY2024 is published as
  ``H-2B_Disclosure_FY2024_Q4.xlsx``, without ``Data``).
- FY2008-FY2016: the names of the real files (``../shared/real-samples/h2b/``; FY16 as fetched from the
  performance page by BuzzFeedNews/H-2-certification-data). Their URL under ``BASE_URL`` follows the
  H-2A files of those years but was not seen itself: a 404 for them is skipped, not fatal.
- FY2000-FY2005 were published as Access databases on flcdatacenter.com, which no longer serves them;
  load their CSVs with ``warehouse ingest h2b --file``. No FY2006-FY2007 H-2B file has been seen.
"""

from __future__ import annotations

from sources.common.fetch import RemoteFile
from sources.h2a.fetch import BASE_URL, LANDING_PAGE

__all__ = ["BASE_URL", "DISCLOSURE_FILES", "LANDING_PAGE", "UNCONFIRMED_YEARS", "remote_files"]

# The full-year (annual / EOY / Q4) file of each fiscal year.
DISCLOSURE_FILES: dict[int, str] = {
    2008: "H-2B_FY2008.xlsx",
    2009: "H-2B_FY2009.xlsx",
    2010: "H-2B_FY2010.xlsx",
    2011: "H-2B_FY2011.xlsx",
    2012: "H-2B_FY2012.xlsx",
    2013: "H-2B_FY2013.xls",  # old binary .xls
    2014: "H-2B_FY14_Q4.xlsx",
    2015: "H-2B_Disclosure_Data_FY15_Q4.xlsx",  # NOT SEEN: only FY15_Q3 was; the H-2A FY15 Q4 name
    2016: "H-2B_Disclosure_Data_FY16.xlsx",
    2017: "H-2B_FY2017.xlsx",
    2018: "H-2B_Disclosure_Data_FY2018_EOY.xlsx",
    2019: "H-2B_Disclosure_Data_FY2019.xlsx",
    2020: "H2B_Disclosure_Data_FY2020.xlsx",
    2021: "H-2B_Disclosure_Data_FY2021.xlsx",
    2022: "H-2B_Disclosure_Data_FY2022_Q4.xlsx",
    2023: "H-2B_Disclosure_Data_FY2023_Q4.xlsx",
    2024: "H-2B_Disclosure_FY2024_Q4.xlsx",
    2025: "H-2B_Disclosure_Data_FY2025_Q4.xlsx",
    # NOT SEEN: the FY2026 end-of-year file, expected in late 2026 under the FY2025 name.
    2026: "H-2B_Disclosure_Data_FY2026_Q4.xlsx",
}
# Years whose URL was not seen: a 404 for them is skipped, not fatal.
UNCONFIRMED_YEARS = frozenset({*range(2008, 2017), 2026})


def remote_files() -> list[RemoteFile]:
    """Every fiscal year's H-2B disclosure file, oldest first."""
    return [
        RemoteFile(BASE_URL + name, name, optional=year in UNCONFIRMED_YEARS)
        for year, name in sorted(DISCLOSURE_FILES.items())
    ]
