"""Parse WHD compliance actions from any of the three publication eras into the canonical table.

Eras (see docs/data-sources.md):
1. ``whd_whisard.csv`` (in ``whd_whisard_YYYYMMDD.csv.zip``): 109 lower-case columns.
2. the same with a 110th column ``ld_dt``.
3. ``WHD_enforcement.zip``: chunk CSVs with UPPER-case headers, ``CMP_ASSD``,
   ``DBRA_VIOLTN_CNT`` and ``LOAD_DT`` renamed.
Columns are matched by name, never by position. An unknown header fails naming the columns.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

from sources.common.duckdb_memory import in_memory_connection
from sources.common.errors import UnknownLayoutError
from sources.common.parsing import (
    Layout,
    ParseResult,
    cast_to_contract,
    concat_results,
    csv_members,
    load_csv_as_text,
    match_layout,
)
from sources.whd.contract import COMPLIANCE_ACTIONS, LOAD_COLUMN, WHISARD_COLUMNS

_ERA3_RENAMES = {"cmp_assd_cnt": "CMP_ASSD", "dbra_cl_violtn_cnt": "DBRA_VIOLTN_CNT", LOAD_COLUMN: "LOAD_DT"}
# Regularised spellings of the irregular catalog names, accepted in the bulk-zip era.
_ERA3_ALIASES = {
    "CWHSSA_BW_ATP_AMT": "cwhssa_bw_amt",
    "CWHSSA_EE_ATP_CNT": "cwhssa_ee_cnt",
    "EPPA_EE_ATP_CNT": "eppa_ee_cnt",
    "FLSA_SMW14_BW_ATP_AMT": "flsa_smw14_bw_amt",
}
# Columns every bulk-zip chunk carries (seen in public loaders of the real file).
_ERA3_REQUIRED = """case_id trade_nm legal_name st_cd zip_cd naic_cd naics_code_description case_violtn_cnt
cmp_assd_cnt ee_violtd_cnt bw_atp_amt ee_atp_cnt findings_start_date findings_end_date flsa_violtn_cnt
flsa_repeat_violator flsa_bw_atp_amt flsa_ee_atp_cnt flsa_cl_violtn_cnt h2a_violtn_cnt h2a_bw_atp_amt
h2a_ee_atp_cnt mspa_violtn_cnt mspa_bw_atp_amt ld_dt""".split()


def _era3_published(canonical: str) -> str:
    return _ERA3_RENAMES.get(canonical, canonical.upper())


LAYOUTS = [
    Layout(
        "era 1: whd_whisard.csv, 109 lower-case columns",
        {c: c for c in WHISARD_COLUMNS},
        frozenset(WHISARD_COLUMNS),
    ),
    Layout(
        "era 2: whd_whisard.csv with ld_dt",
        {c: c for c in (*WHISARD_COLUMNS, LOAD_COLUMN)},
        frozenset((*WHISARD_COLUMNS, LOAD_COLUMN)),
    ),
    Layout(
        "era 3: WHD_enforcement.zip chunks, UPPER-case",
        {_era3_published(c): c for c in (*WHISARD_COLUMNS, LOAD_COLUMN)} | _ERA3_ALIASES,
        frozenset(_era3_published(c) for c in _ERA3_REQUIRED),
    ),
]


def parse_file(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse a WHD file (bare CSV or either zip) into `raw_whd__compliance_actions` rows.

    Raises:
        ParseError: unreadable file, unknown layout, malformed rows or values that do not parse.
    """
    return concat_results(list(parse_parts(path, file=file, sha256=sha256)), COMPLIANCE_ACTIONS)


def parse_parts(path: Path, *, file: str, sha256: str) -> Iterator[ParseResult]:
    """`parse_file` one zip member at a time (the bulk zip holds ~50k cases a chunk): memory stays
    that of one member, whatever the size of the zip. Same errors as `parse_file`."""
    path = Path(path)
    if path.suffix.lower() != ".zip":
        yield _parse_csv(path, file=file, sha256=sha256)
        return
    with tempfile.TemporaryDirectory() as tmp:
        first_layout = None
        for member in csv_members(path, Path(tmp), file=file):
            result = _parse_csv(member, file=f"{file}!{member.name}", sha256=sha256)
            first_layout = first_layout or result.notes[0]
            if result.notes[0] != first_layout:
                layouts = sorted({first_layout, result.notes[0]})
                raise UnknownLayoutError(file, "header", f"zip members use different layouts: {layouts}")
            yield result


def _parse_csv(path: Path, *, file: str, sha256: str) -> ParseResult:
    with in_memory_connection() as con:
        header = load_csv_as_text(con, path, "_text", file=file)
        match = match_layout(header, LAYOUTS, file)
        cast = cast_to_contract(
            con, "_text", COMPLIANCE_ACTIONS, match.mapping, file=file, sha256=sha256, extra=match.extra
        )
    return ParseResult.of(cast, match.notes, match.extra)
