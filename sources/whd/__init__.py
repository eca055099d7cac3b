"""WHD compliance actions (Wage and Hour Division enforcement data, "WHISARD")."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.whd import fetch, parse, sample
from sources.whd.contract import COMPLIANCE_ACTIONS

SOURCE = SourceSpec(
    name="whd",
    title="WHD compliance actions",
    publisher="U.S. Department of Labor, Wage and Hour Division",
    landing_page="https://enforcedata.dol.gov/views/data_summary.php",
    tables=(
        RawTableSpec(
            contract=COMPLIANCE_ACTIONS,
            title="WHD compliance actions",
            file_kind="enforcement",
            file_pattern=r"(WHD_enforcement\.zip|whd_whisard(_\d{8})?\.csv(\.zip)?)",
            parse_file=parse.parse_file,
            parse_parts=parse.parse_parts,
            recognise=parse.is_whd_file,
            remote_files=fetch.remote_files,
            # One file holds the whole history: use the newest name (bulk zip sorts before legacy).
            select_files=lambda paths: paths[:1],
            description="All concluded WHD compliance actions since FY2005, one file.",
            # Republished whole every week with ~1 % new and ~0.5 % changed cases.
            load_by_difference=True,
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=7),
)
