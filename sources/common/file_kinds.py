"""What a published file is, told from its header and names, so a file of the wrong kind is refused
in one line that says what it is and what to do (an H-2B file given to ``ingest h2a``, an Addendum
B housing file, a QCEW quarterly slice, ...).

Each kind lists header columns (by `spelling_key`) that real files of that kind show and files of
the other kinds do not, and a pattern its sheet or file names follow. Facts only from real files:
``docs/data-sources.md`` says where each was read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sources.common.columns import ColumnDictionary, LayoutMatch, spelling_key
from sources.common.errors import UnknownLayoutError


@dataclass(frozen=True)
class FileKind:
    """One kind of published file: what it is, where it belongs, and how it is recognised."""

    what: str  # "an OFLC H-2B disclosure file"
    advice: str  # what to do with it
    columns: frozenset[str]  # spelling keys: any one of them in a header tells this kind
    name_pattern: str | None = None  # a regex the sheet or file name of this kind matches
    table: str | None = None  # the warehouse table it loads into, if any

    def seen_in(self, header: Iterable[str], sheet: str | None, file: str) -> bool:
        keys = {spelling_key(h) for h in header}
        if keys & self.columns:
            return True
        names = (sheet or "", Path(file).name)
        return bool(self.name_pattern) and any(re.search(self.name_pattern, n, re.IGNORECASE) for n in names)


def _keys(*names: str) -> frozenset[str]:
    return frozenset(spelling_key(n) for n in names)


# Every signature column below was read from a real file's header: tests/fixtures/real/h2a/headers/ and
# tests/fixtures/real/h2b/headers/ (INDEX.csv names each file), ../shared/real-samples/h2b/ and
# docs/research/h2a_columns.md (PERM and LCA column sets).
PERM_DISCLOSURE = FileKind(
    "an OFLC PERM (permanent labor certification) disclosure file",
    "PERM filings are not loaded by this warehouse",
    _keys("CLASS_OF_ADMISSION", "COUNTRY_OF_CITZENSHIP", "PW_SOC_CODE", "WAGE_OFFER_FROM_9089"),
)
LCA_DISCLOSURE = FileKind(
    "an OFLC LCA (H-1B, H-1B1, E-3) disclosure file",
    "LCA filings are not loaded by this warehouse",
    _keys("H_1B_DEPENDENT", "WILLFUL_VIOLATOR", "TOTAL_WORKER_POSITIONS", "AGREE_TO_LC_STATEMENT"),
)
H2B_APPENDIX = FileKind(
    "an OFLC H-2B appendix file (worksites, recruiters or employer-clients)",
    "the warehouse loads the main H-2B disclosure file only (`warehouse ingest h2b --file`), not its appendices",
    _keys("CREW_ID", "RECRUITING_EMPLOYER_NAME", "RECRUITER_LAST_NAME", "EMPLOYER_CLIENT_LEGAL_BUSINESS_NAME"),
    r"H-?2B_(?:Appendix|Addendum)",
)
H2B_DISCLOSURE = FileKind(
    "an OFLC H-2B (non-agricultural) disclosure file",
    "it loads into raw_h2b__disclosure: `warehouse ingest h2b --file`",
    # FY2000-FY2005 CSVs (Num_Aliens); FY2008-FY2019 (prevailing wage, NPC/SUBMITTED date); FLAG era (CAP_EXEMPT)
    _keys(
        "Num_Aliens",
        "NPC_SUBMITTED_DATE",
        "SUBMITTED_DATE",
        "PW_UNIT_OF_PAY",
        "PREVAILING_WAGE",
        "PREVIALING_WAGE",
        "NBR_CERTIFIED_WORKERS",
        "CAP_EXEMPT",
        "TOTAL_WORKERS_CERTIFIED",
    ),
    r"(?<![A-Z0-9])H-?2B(?![A-Z0-9])",
    "raw_h2b__disclosure",
)
# Columns of real H-2A disclosure headers (every era, FY2006 on) that no real H-2B header shows.
H2A_DISCLOSURE = FileKind(
    "an OFLC H-2A (agricultural) disclosure file",
    "it loads into raw_h2a__disclosure: `warehouse ingest h2a --file`",
    _keys(
        "CASE_RECEIVED_DATE",
        "ORGANIZATION_FLAG",
        "PRIMARY_CROP",
        "Nbr_Workers_Requsted",
        "Wage_Rate_Per",
        "BASIC_HOURS_PER_WEEK",
        "H2A_LABOR_CONTRACTOR",
        "TOTAL_WORKERS_H2A_CERTIFIED",
    ),
    table="raw_h2a__disclosure",
)
H2A_ADDENDUM_B_HOUSING = FileKind(
    "an OFLC H-2A Addendum B Housing file",
    "housing records are not loaded by this warehouse; its worksites are in the Addendum B Employment file",
    _keys("PHYSICAL_LOCATION_CITY", "PHYSICAL_LOCATION_STATE", "HOUSING_STANDARD_LOCAL", "HOUSING_STANDARDS_LOCAL"),
    r"Addendum_?B_Housing|AddendumB_Housing|Add_B_Housing|ADD-B_Housing",
)
H2A_ADDENDUM_A = FileKind(
    "an OFLC H-2A Addendum A (crops and wages of a job order) file",
    "Addendum A is not loaded by this warehouse",
    _keys("CROP_ID", "CROP_AGRICULTURAL_ACTIVITY", "PIECE_RATE_UNITS_SPECIAL_PAY"),
    r"H-?2A_Addendum_?A|H2A_ADD-A",
)
H2A_ADDENDUM_B_EMPLOYMENT = FileKind(
    "an OFLC H-2A Addendum B Employment (worksites) file",
    "it loads into raw_h2a__addendum_b_worksites: `warehouse ingest h2a --file` picks that table by itself",
    _keys("NAME_OF_AGRICULTURAL_BUSINESS", "NAME_OF_AGRI_BUSINESS", "PLACE_OF_EMPLOYMENT_CITY"),
    r"Addendum_?B_Employ|AddendumB_Employment|Add_B_Employment|ADD-B_Employ",
    "raw_h2a__addendum_b_worksites",
)
QCEW_QUARTERLY = FileKind(
    "a BLS QCEW quarterly slice",
    "the warehouse loads the annual slices (qcew_<year>_a_industry_<code>.csv or <year>_annual_singlefile.zip)",
    _keys("qtrly_estabs", "month1_emplvl"),
)

# Most specific first: LCA files also carry PREVAILING_WAGE, which an H-2B file is told by.
KINDS: tuple[FileKind, ...] = (
    PERM_DISCLOSURE,
    LCA_DISCLOSURE,
    H2B_APPENDIX,
    H2B_DISCLOSURE,
    H2A_ADDENDUM_B_HOUSING,
    H2A_ADDENDUM_A,
    H2A_ADDENDUM_B_EMPLOYMENT,
    H2A_DISCLOSURE,
    QCEW_QUARTERLY,
)


def describe_kind(kind: FileKind, columns: ColumnDictionary) -> str:
    """One line: what the file is and what to do (the same whichever table it was offered to)."""
    return f"this is {kind.what}: {kind.advice}"


def other_file_kind(header: Iterable[str], sheet: str | None, file: str, columns: ColumnDictionary) -> str | None:
    """The one-line refusal for a file of another kind than the dictionary's table, None when it is not one."""
    header = list(header)
    for kind in KINDS:
        if kind.table != columns.table and kind.seen_in(header, sheet, file):
            return describe_kind(kind, columns)
    return None


def match_by_meaning(header: list[str], columns: ColumnDictionary, file: str, sheet: str | None = None) -> LayoutMatch:
    """The header mapped by the table's column dictionary, after making sure the file is not of another kind.

    Raises:
        UnknownLayoutError: a file of another kind (rule ``file_kind``: one line saying what it is and
            what to do), or a header without the table's core columns (naming what matched, what is
            missing and the unrecognised columns).
    """
    other = other_file_kind(header, sheet, file, columns)
    if other is not None:
        raise UnknownLayoutError(file, "file_kind", other)
    return columns.match(header, file)


def is_file_of(header: list[str] | None, columns: ColumnDictionary, file: str, sheet: str | None = None) -> bool:
    """The header holds the table's core columns and the file is no other kind of file."""
    return bool(header) and columns.holds_core(header) and other_file_kind(header, sheet, file, columns) is None
