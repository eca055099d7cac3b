"""OFLC program debarments: current PERM/H-2A/H-2B debarment lists and expired H-2A debarments (PDFs)."""

from datetime import timedelta

from sources.common.spec import RawTableSpec, SourceSpec
from sources.debarment import fetch, parse, sample
from sources.debarment.contract import EXPIRED_H2A_DEBARMENTS, PROGRAM_DEBARMENTS

# Current list: our archive name, the old "Debarment_List*.pdf" names, anything "program debarment";
# never a name containing "expired", which belongs to the other list.
PROGRAM_PATTERN = r"(?!.*expired).*(program[ _-]*debarments?|debarment[ _-]*list).*\.pdf"
EXPIRED_PATTERN = r"(?=.*expired)(?=.*(debar|h[ _-]?2a)).*\.pdf"


def _one_file(canonical: str):
    """The archive name when present, else the first match: two editions of a list would duplicate keys."""

    def select(paths):
        preferred = [p for p in paths if p.name.lower() == canonical]
        return (preferred or list(paths))[:1]

    return select


SOURCE = SourceSpec(
    name="debarment",
    title="OFLC program debarments",
    publisher="U.S. Department of Labor, Employment and Training Administration, Office of Foreign Labor Certification",
    landing_page="https://www.dol.gov/agencies/eta/foreign-labor/program-debarments",
    tables=(
        RawTableSpec(
            contract=PROGRAM_DEBARMENTS,
            title="Program debarments in force",
            file_kind="program_debarments_pdf",
            file_pattern=PROGRAM_PATTERN,
            parse_file=parse.parse_program_debarments,
            recognise=parse.is_program_debarments_pdf,
            remote_files=fetch.program_remote_files,
            select_files=_one_file(sample.PROGRAM_FILE),
            description="Debarments in force: the PERM, H-2A and H-2B lists of the Program Debarments PDF.",
        ),
        RawTableSpec(
            contract=EXPIRED_H2A_DEBARMENTS,
            title="Expired H-2A debarments",
            file_kind="expired_h2a_pdf",
            file_pattern=EXPIRED_PATTERN,
            parse_file=parse.parse_expired_h2a_debarments,
            recognise=parse.is_expired_h2a_debarments_pdf,
            remote_files=fetch.expired_remote_files,
            select_files=_one_file(sample.EXPIRED_FILE),
            description="Expired H-2A debarments (separate PDF).",
        ),
    ),
    write_sample=sample.write_sample,
    expected_update_interval=timedelta(days=30),
    notes=(
        "The expired-list URL is unverified.",
        "www.dol.gov has refused clients without a full browser header set.",
    ),
)
