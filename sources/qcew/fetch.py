"""Where BLS publishes QCEW annual data, and the names the files are archived under.

The open-data "CSV slices" give one industry for all areas per year:
``https://data.bls.gov/cew/data/api/<year>/a/industry/<code>.csv``. Sector ranges use an underscore
in the URL only (``31_33.csv``); inside the file ``industry_code`` stays ``31-33``. The slice URL
carries no year in its file name, so each is archived as ``qcew_<year>_a_industry_<code>.csv``.
The bulk ``<YYYY>_annual_singlefile.zip`` (all areas and industries, ~80 MB zipped) is accepted by
the parser when dropped into the archive by hand, but is not fetched: the slices hold everything
the marts need at a hundredth of the bytes.
"""

from __future__ import annotations

from sources.common.fetch import RemoteFile

SLICE_URL = "https://data.bls.gov/cew/data/api/{year}/a/industry/{code}.csv"
# A whole year is also published as https://data.bls.gov/cew/data/files/<year>/csv/<year>_annual_singlefile.zip
# (hundreds of MB): it loads from a folder; downloads fetch the small per-industry slices.
FIRST_YEAR = 2005
LAST_YEAR = 2025

# Industry 10 (all industries) and every NAICS sector, as written inside the files.
INDUSTRY_CODES: tuple[str, ...] = (
    "10",
    "11",
    "21",
    "22",
    "23",
    "31-33",
    "42",
    "44-45",
    "48-49",
    "51",
    "52",
    "53",
    "54",
    "55",
    "56",
    "61",
    "62",
    "71",
    "72",
    "81",
    "92",
    "99",
)


def url_code(industry_code: str) -> str:
    """The code as BLS spells it in slice URLs: "31-33" -> "31_33" (file names carry no hyphens)."""
    return industry_code.replace("-", "_")


def slice_filename(year: int, industry_code: str) -> str:
    """Archive name of one annual industry slice, e.g. ``qcew_2020_a_industry_31_33.csv``."""
    return f"qcew_{year}_a_industry_{url_code(industry_code)}.csv"


def remote_files(first_year: int = FIRST_YEAR, last_year: int = LAST_YEAR) -> list[RemoteFile]:
    return [
        RemoteFile(SLICE_URL.format(year=year, code=url_code(code)), slice_filename(year, code))
        for year in range(first_year, last_year + 1)
        for code in INDUSTRY_CODES
    ]
