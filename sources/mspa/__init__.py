"""WHD MSPA registry of certificated farm labor contractors (FLCs)."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.mspa import fetch, parse, sample
from sources.mspa.contract import FARM_LABOR_CONTRACTORS

# The real export's file name is unknown: accept names that say what the file is.
FILE_PATTERN = r"(?=.*(mspa|flc|farm[ _-]?labor[ _-]?contractor)).*\.(csv|xlsx|xls)"

SOURCE = SourceSpec(
    name="mspa",
    title="MSPA farm labor contractor registry",
    publisher="U.S. Department of Labor, Wage and Hour Division",
    landing_page=fetch.LANDING_PAGE,
    tables=(
        RawTableSpec(
            contract=FARM_LABOR_CONTRACTORS,
            title="MSPA farm labor contractors",
            file_kind="flc_registry",
            file_pattern=FILE_PATTERN,
            parse_file=parse.parse_file,
            recognise=parse.is_flc_file,
            remote_files=fetch.remote_files,
            # A snapshot: one file (a CSV and an XLSX of the same list would duplicate keys); CSV sorts first.
            select_files=lambda paths: paths[:1],
            description="Farm labor contractors holding an MSPA certificate, one row per certificate.",
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=92),
    notes=("No download URL is known (Tableau view): drop the export into the archive by hand.",),
)
