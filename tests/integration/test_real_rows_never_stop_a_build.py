"""Issue #24, second pass: one real row never stops a build.

A real OFLC FY2015 Q4 file had a withdrawn case without an employer name: the gates let it through
and the dbt test not_null_dim_employer_employer_name failed the build, so nothing was published. And
one value that does not cast ('N/A' in a number column) refused a whole file. Here both go into one
fiscal year's file, ingested into a copy of the session's sample warehouse and published: the build
publishes, the nameless case is a fact without an employer, and the bad row is set aside into
audit.rejected_rows while the rest of its file loads.
"""

from __future__ import annotations

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from tests.integration.conftest import run_cli, sample_dir, write_xlsx
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration
FY16 = "H-2A_Disclosure_Data_FY16_updated.xlsx"


def _query(db, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_nameless_withdrawn_case_and_a_bad_value_do_not_stop_the_build(home_copy, tmp_path):
    home = str(home_copy)
    workbook = CalamineWorkbook.from_path(str(sample_dir(home_copy) / FY16))
    sheet = workbook.sheet_names[0]
    rows = workbook.get_sheet_by_index(0).to_python()
    header = rows[0]
    case_col = next(i for i, h in enumerate(header) if h in ("CASE_NO", "CASE_NUMBER"))
    name, status, certified = (header.index(c) for c in ("EMPLOYER_NAME", "CASE_STATUS", "NBR_WORKERS_CERTIFIED"))
    cases = [r[case_col] for r in rows[1:]]
    single = [n for n, r in enumerate(rows[1:], start=1) if cases.count(r[case_col]) == 1]
    nameless, bad = single[0], single[1]
    rows[nameless][name] = "   "  # blank after trimming
    rows[nameless][status] = "DETERMINATION ISSUED - WITHDRAWN"
    rows[bad][certified] = "N/A"
    nameless_case, bad_case = rows[nameless][case_col], rows[bad][case_col]
    reissue = write_xlsx(tmp_path / FY16, [(sheet, rows)])

    ingested = run_cli("ingest", "h2a", "--file", str(reissue), "--home", home)
    assert ingested.exit_code == 0, ingested.output
    published = run_cli("publish", "--home", home)
    assert published.exit_code == 0, published.output

    db = WarehousePaths.at(home_copy).published_db
    assert _query(
        db, f"select employer_id, case_outcome from marts.fct_h2a_certification where case_number = '{nameless_case}'"
    ) == [(None, "withdrawn")]
    assert _query(db, "select count(*) from marts.dim_employer where employer_name is null") == [(0,)]
    assert _query(db, f"select count(*) from marts.bridge_employer_record where record_id = '{nameless_case}'") == [
        (0,)
    ]
    # The row with 'N/A' is set aside, with its file, row, rule, column and raw text; the rest loaded.
    assert _query(db, f"select count(*) from raw.raw_h2a__disclosure where case_number = '{bad_case}'") == [(0,)]
    assert _query(db, "select count(*) from raw.raw_h2a__disclosure where file_fiscal_year = 2016") == [
        (len(rows) - 2,)
    ]
    assert _query(
        db,
        "select file, source_row, rule, column_name, value from audit.rejected_rows where table_name = "
        "'raw_h2a__disclosure'",
    ) == [(FY16, bad, "types_parse", "NBR_WORKERS_CERTIFIED", "N/A")]
    assert "rows_set_aside" in ingested.output or "set aside" in ingested.output
    status = run_cli("status", "--home", home)
    assert "Rows set aside" in status.output
