"""The column dictionary of the WHD compliance-actions table: every spelling a real file gave each column.

A spelling enters only with the real file(s) that show it (``tests/fixtures/real/whd/PROVENANCE.md``
says where each header was read; a test checks each label's spellings against that file's header).
DOL's own data dictionary (``whd_data_dictionary.csv``, the publisher's record layout, committed
beside the contract) counts as a real file: it lists the 110 lower-case catalog names.

Spellings compare by key (``spelling_key``: case and ``_`` ignored), so the catalog CSV's lower-case
``case_id`` and the bulk zip's ``CASE_ID`` are one spelling; only three columns were *renamed* by the
bulk zip: ``cmp_assd_cnt`` -> ``CMP_ASSD``, ``dbra_cl_violtn_cnt`` -> ``DBRA_VIOLTN_CNT`` and
``ld_dt`` -> ``LOAD_DT``. The irregular catalog names (``cwhssa_bw_amt``, ``cwhssa_ee_cnt``,
``eppa_ee_cnt``, ``flsa_smw14_bw_amt``) survive upper-cased in the bulk zip; no real file shows them
regularised (``CWHSSA_BW_ATP_AMT`` ...), so those spellings are not accepted.

No era is kept: no column changes meaning between the three publication eras. ``cmp_assd_cnt`` and
``CMP_ASSD`` both hold the total civil money penalties in dollars; ``ld_dt`` (``2015-02-20 01:00:06
EST``) and ``LOAD_DT`` (``2026-09-21 05:19:19+00:00``) are both the load time, whose zone the cast
reads from the value itself, whatever the file.

The required core -- what a WHD file must hold to be of any use -- is the case (``case_id``, the
table's key), an employer name (``legal_name`` or ``trade_nm``: legal names are sometimes blank), the
employer's state (``st_cd``, how cases meet the other sources) and the back wages agreed to pay
(``bw_atp_amt``, the measure every mart sums and the per-act back wages add up to). Every other
column may be absent (it is then null) and a column no real file showed is kept in ``extra_columns``.
"""

from __future__ import annotations

from sources.common.columns import ColumnDictionary
from sources.whd.contract import LOAD_COLUMN, WHISARD_COLUMNS

# Real files whose headers were read (tests/fixtures/real/whd/PROVENANCE.md says where).
CATALOG_ERA1 = "whd_whisard.csv, era 1 (a head-of-file sample of the catalog CSV; header kept in era1_whd_whisard.csv)"
CATALOG_ERA2 = "whd_whisard.csv, era 2 (a pandas column dump of one ending 'sraw_ee_atp_cnt', 'ld_dt')"
DATA_DICTIONARY = "whd_data_dictionary.csv (DOL's data dictionary of whd_whisard)"
BULK_CHUNK = (
    "WHD_enforcement.zip LOAD00000001-2026-09-21-05-19-19_chunk_1.csv "
    "(header recorded by a fetch manifest; kept in era3_bulk_chunk.csv)"
)
BULK_ROWS = "WHD_enforcement.zip chunk (5 real rows, ../shared/real-samples/whd_enforcement_bulk_real_rows.csv)"

# The three columns the bulk zip renamed (every other one it upper-cased).
BULK_RENAMED = {"cmp_assd_cnt": "CMP_ASSD", "dbra_cl_violtn_cnt": "DBRA_VIOLTN_CNT", LOAD_COLUMN: "LOAD_DT"}

# canonical column -> how the bulk zip (era 3) spells it: what the sample writes.
BULK_SPELLING: dict[str, str] = {c: BULK_RENAMED.get(c, c.upper()) for c in (*WHISARD_COLUMNS, LOAD_COLUMN)}


def _columns() -> dict[str, dict[str, tuple[str, ...]]]:
    columns: dict[str, dict[str, tuple[str, ...]]] = {c: {c: (CATALOG_ERA1, DATA_DICTIONARY)} for c in WHISARD_COLUMNS}
    columns[LOAD_COLUMN] = {LOAD_COLUMN: (CATALOG_ERA2, DATA_DICTIONARY)}
    for canonical, spelling in BULK_SPELLING.items():
        columns[canonical][spelling] = (BULK_CHUNK, BULK_ROWS)
    return columns


COLUMNS = ColumnDictionary(
    "WHD compliance actions",
    _columns(),
    core=(("case_id",), ("legal_name", "trade_nm"), ("st_cd",), ("bw_atp_amt",)),
    known={},  # every column a real file showed is loaded
    table="raw_whd__compliance_actions",
)
