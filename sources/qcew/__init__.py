"""BLS Quarterly Census of Employment and Wages (QCEW): annual employment, the denominator for rates."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.qcew import fetch, parse, sample
from sources.qcew.contract import ANNUAL_EMPLOYMENT

SLICE_PATTERN = r"qcew_\d{4}_a_industry_\d{2}(_\d{2})?\.csv"
SINGLEFILE_PATTERN = r"\d{4}_annual_singlefile\.zip|\d{4}\.annual\.singlefile\.csv"


def select_files(paths):
    """Per year, the bulk singlefile when there is one (zip before bare CSV), else that year's slices.

    A singlefile holds every slice's rows: loading both for a year would duplicate keys.
    """
    by_year: dict[str, list] = {}
    for path in paths:
        by_year.setdefault(path.name[:4] if path.name[0].isdigit() else path.name[5:9], []).append(path)
    chosen = []
    for year in sorted(by_year):
        files = by_year[year]
        bulk = [p for p in files if "singlefile" in p.name.lower()]
        bulk.sort(key=lambda p: not p.name.lower().endswith(".zip"))
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
            file_kind="annual_industry_slices",
            file_pattern=f"{SLICE_PATTERN}|{SINGLEFILE_PATTERN}",
            parse_file=parse.parse_file,
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
