"""BLS Quarterly Census of Employment and Wages (QCEW): annual employment, the denominator for rates."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.qcew import fetch, parse, sample
from sources.qcew.contract import ANNUAL_EMPLOYMENT

# Slices as archived (qcew_2023_a_industry_31_33.csv) or as the API saves them (10.csv, 3351.csv, US000.csv).
SLICE_PATTERN = r"qcew_\d{4}_a_industry_[0-9_]+\.csv|(?:US000|[0-9]{2,6})(?:_[0-9]{2,6})?\.csv"
BULK_PATTERN = (
    r"\d{4}_annual_(?:singlefile|by_industry|by_area)\.zip|\d{4}\.annual\.singlefile\.csv|\d{4}\.annual [^/]+\.csv"
)
# A year's bulk files, most preferred first: each holds every slice, so only one is loaded.
_BULK_ORDER = ("singlefile.zip", "singlefile.csv", "by_industry.zip", "by_area.zip")


def _bulk_rank(path) -> int | None:
    name = path.name.lower()
    return next((i for i, ending in enumerate(_BULK_ORDER) if name.endswith(ending)), None)


def select_files(paths):
    """Per year, one bulk file when there is one (singlefile, then by_industry, then by_area), else
    that year's slices (and extracted by_industry members). Loading a bulk file and slices of the same
    year would duplicate keys. The year comes from the name, else from the file's first row.
    """
    by_year: dict[str, list] = {}
    for path in paths:
        by_year.setdefault(parse.year_of(path) or "?", []).append(path)
    chosen = []
    for year in sorted(by_year):
        files = by_year[year]
        bulk = sorted((p for p in files if _bulk_rank(p) is not None), key=_bulk_rank)
        chosen += bulk[:1] or sorted(files, key=lambda p: p.name)
    return chosen


SOURCE = SourceSpec(
    name="qcew",
    title="BLS QCEW annual employment and wages",
    publisher="U.S. Department of Labor, Bureau of Labor Statistics",
    landing_page="https://www.bls.gov/cew/additional-resources/open-data/csv-data-slices.htm",
    tables=(
        RawTableSpec(
            contract=ANNUAL_EMPLOYMENT,
            title="QCEW annual employment and wages",
            file_kind="annual_industry_slices",
            file_pattern=f"{SLICE_PATTERN}|{BULK_PATTERN}",
            parse_file=parse.parse_file,
            recognise=parse.is_annual_file,
            remote_files=fetch.remote_files,
            select_files=select_files,
            # A slice file carries one (year, industry); a singlefile every industry of a year.
            replace_key=("year", "industry_code"),
            parse_many=parse.parse_files,
            description="Annual national and statewide employment and wages by industry and ownership, one file "
            "per year and industry (or one bulk singlefile per year).",
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=365),
    notes=(
        "County and MSA rows are dropped at parse: the marts need state x sector denominators.",
        "Suppressed cells (disclosure_code N) carry NULL employment and wages, never 0.",
    ),
)
