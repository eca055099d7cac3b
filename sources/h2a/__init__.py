"""OFLC H-2A temporary agricultural labor certification disclosure data (one workbook per fiscal year)."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.h2a import fetch, parse, sample
from sources.h2a.contract import ADDENDUM_B_WORKSITES, DISCLOSURE

SOURCE = SourceSpec(
    name="h2a",
    title="OFLC H-2A disclosure data",
    publisher="U.S. Department of Labor, Employment and Training Administration, Office of Foreign Labor Certification",
    landing_page=fetch.LANDING_PAGE,
    tables=(
        RawTableSpec(
            contract=DISCLOSURE,
            title="H-2A disclosure: applications",
            file_kind="disclosure",
            file_pattern=parse.DISCLOSURE_PATTERN,
            parse_file=parse.parse_disclosure,
            remote_files=fetch.remote_files,
            # One file per fiscal year: the most complete of several (updated > EOY > annual > Q4 > ... > Q1).
            select_files=parse.select_files,
            description="H-2A applications decided in each fiscal year since FY2008, one workbook per year.",
            replace_key=("file_fiscal_year",),
            partition_of=lambda path: str(parse.fiscal_year_of(path)),
            recognise=parse.is_disclosure_file,
        ),
        RawTableSpec(
            contract=ADDENDUM_B_WORKSITES,
            title="H-2A disclosure: Addendum B worksites",
            file_kind="addendum_b",
            file_pattern=parse.ADDENDUM_B_PATTERN,
            parse_file=parse.parse_addendum_b,
            remote_files=fetch.addendum_b_remote_files,
            select_files=parse.select_files,
            description="Additional places of employment of H-2A applications (Addendum B Employment), FY2020+.",
            replace_key=("file_fiscal_year",),
            partition_of=lambda path: str(parse.addendum_b_fiscal_year_of(path)),
            recognise=parse.is_addendum_b_file,
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=92),  # quarterly, cumulative within the fiscal year
    notes=(
        "Rows are not cases: association and joint-employer filings repeat the case number on member rows; "
        "workers certified per case is the max over its rows (the master row includes its members).",
        "Expired certifications ('... EXPIRED', '(Expired)') were certified.",
        "Column order is verified only for FY2012, FY2016 (real files) and FY2021 (inferred); columns are "
        "matched by name, and an unknown header fails instead of being guessed.",
    ),
)
