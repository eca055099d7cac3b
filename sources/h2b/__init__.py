"""OFLC H-2B temporary non-agricultural labor certification disclosure data (one file per fiscal year)."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.h2b import fetch, parse, sample
from sources.h2b.contract import DISCLOSURE

SOURCE = SourceSpec(
    name="h2b",
    title="OFLC H-2B disclosure data",
    publisher="U.S. Department of Labor, Employment and Training Administration, Office of Foreign Labor Certification",
    landing_page=fetch.LANDING_PAGE,
    tables=(
        RawTableSpec(
            contract=DISCLOSURE,
            title="H-2B disclosure: applications",
            file_kind="disclosure",
            file_pattern=parse.DISCLOSURE_PATTERN,
            parse_file=parse.parse_disclosure,
            remote_files=fetch.remote_files,
            # One file per fiscal year: the most complete of several (updated > EOY > annual > Q4 > ... > Q1).
            select_files=parse.select_files,
            description="H-2B applications decided in each fiscal year (FY2000-FY2005 CSV, FY2008+ workbooks).",
            replace_key=("file_fiscal_year",),
            partition_of=lambda path: str(parse.fiscal_year_of(path)),
            recognise=parse.is_disclosure_file,
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=92),  # quarterly, cumulative within the fiscal year
    notes=(
        "A case number can repeat (FY2000-FY2005, FY2014 Q4): workers per case are the max over its rows.",
        "FY2000-FY2005 publish the workers on the application (Num_Aliens, loaded as workers_requested) and no "
        "certified count; their status and decision date are the case's last significant event and its date.",
        "Columns are matched by meaning (sources/h2b/columns.py); an unknown header fails instead of being guessed.",
    ),
)
