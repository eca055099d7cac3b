"""Real H-2B files of every era in ../shared/real-samples/h2b/ load with totals equal to an independent count.

The count reads each file itself (csv / python-calamine) by its own published column names, not
through the parser: rows, distinct case numbers, workers per case (max over a case's rows) and the
rows per published status. docs/data-sources.md quotes these totals.
"""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from sources.h2b import SOURCE
from sources.h2b.parse import fiscal_year_of, is_disclosure_file, parse_disclosure
from tests.real_fixtures import shared_sample

# file -> (fiscal year, case column, status column, workers column, workers canonical column)
ERAS = {
    "H-2B_FY2000.csv": (2000, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2001.csv": (2001, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2002.csv": (2002, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2003.csv": (2003, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2004.csv": (2004, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2005.csv": (2005, "Case_Num", "Last_Sig_Event", "Num_Aliens", "workers_requested"),
    "H-2B_FY2008.xlsx": (2008, "CASE_NO", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY2009.xlsx": (2009, "CASE_NUMBER", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY2010.xlsx": (2010, "CASE_NO", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY2011.xlsx": (2011, "CASE_NO", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY2012.xlsx": (2012, "CASE_NO", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY2013.xls": (2013, "CASE_NUMBER", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY14_Q4.xlsx": (2014, "CASE_NUMBER", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
    "H-2B_FY15_Q3.xlsx": (2015, "CASE_NUMBER", "CASE_STATUS", "NBR_WORKERS_CERTIFIED", "workers_certified"),
}


def _read(path: Path) -> list[dict[str, object]]:
    if path.suffix == ".csv":
        with open(path, encoding="latin-1", newline="") as handle:
            return list(csv.DictReader(handle))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:] if any(str(c).strip() for c in row)]


def _workers(value: object) -> int:
    return int(float(value)) if str(value).strip() else 0


def independent_totals(path: Path, case_column: str, status_column: str, workers_column: str) -> dict:
    rows = _read(path)
    per_case: dict[str, int] = {}
    for row in rows:
        case = str(row[case_column]).strip().upper()
        per_case[case] = max(per_case.get(case, 0), _workers(row[workers_column]))
    return {
        "rows": len(rows),
        "cases": len(per_case),
        "workers": sum(per_case.values()),
        "statuses": Counter(str(r[status_column]).strip() for r in rows),
    }


def parsed_totals(path: Path, workers_column: str) -> dict:
    rows = parse_disclosure(path, file=path.name, sha256="0" * 64).table.to_pylist()
    per_case: dict[str, int] = {}
    for row in rows:
        case = row["case_number"].strip().upper()
        per_case[case] = max(per_case.get(case, 0), row[workers_column] or 0)
    return {
        "rows": len(rows),
        "cases": len(per_case),
        "workers": sum(per_case.values()),
        "statuses": Counter(row["case_status"] for row in rows),
    }


@pytest.mark.parametrize("name", sorted(ERAS))
def test_a_real_h2b_file_loads_with_totals_equal_to_an_independent_count(name):
    path = shared_sample(f"h2b/{name}")
    year, case_column, status_column, workers_column, canonical = ERAS[name]
    expected = independent_totals(path, case_column, status_column, workers_column)
    assert expected["rows"] > 4000 and expected["workers"] > 0, "the count reads the file"
    assert parsed_totals(path, canonical) == expected
    assert fiscal_year_of(path) == year
    assert is_disclosure_file(path)


def test_the_csv_era_dates_and_agent_names_are_read():
    path = shared_sample("h2b/H-2B_FY2003.csv")
    first = parse_disclosure(path, file=path.name, sha256="0" * 64).table.slice(0, 1).to_pylist()[0]
    assert first["decision_date"].isoformat() == "2002-10-01"  # "10/01/02 00:00:00"
    assert first["agent_attorney_name"] == "Timothy O'Leary"  # Att_First + Att_Last
    assert (first["dot_code"], first["workers_requested"], first["wage_rate"]) == ("317.687-010", 7, 6.35)


def test_the_registry_picks_one_file_per_fiscal_year_from_real_names():
    names = [Path(n) for n in ("H-2B_FY14_Q4.xlsx", "H-2B_FY15_Q3.xlsx", "H-2B_FY2003.csv", "H-2B_FY2013.xls")]
    names += [Path("H-2B_Appendix_A_Disclosure_Data_FY2020_Q2.xlsx"), Path("H-2A_FY2012.xlsx")]
    table = SOURCE.tables[0]
    assert [p.name for p in table.pick(names)] == [
        "H-2B_FY2003.csv",
        "H-2B_FY2013.xls",
        "H-2B_FY14_Q4.xlsx",
        "H-2B_FY15_Q3.xlsx",
    ]


SEED = Path(__file__).resolve().parents[3] / "dbt_project" / "seeds" / "ref_h2b_case_statuses.csv"


@pytest.mark.parametrize("name", sorted(ERAS))
def test_every_real_status_is_in_the_seed_and_certified_cases_match_an_independent_rule(name):
    from sources.h2a.contract import case_status_key

    path = shared_sample(f"h2b/{name}")
    _, case_column, status_column, _, _ = ERAS[name]
    with open(SEED, encoding="utf-8", newline="") as handle:
        certified = {case_status_key(r["case_status"]): r["is_certified"] == "true" for r in csv.DictReader(handle)}
    rows = _read(path)
    statuses = {str(r[status_column]).strip() for r in rows}
    assert {case_status_key(s) for s in statuses} <= set(certified), "a real status is missing from the seed"
    by_seed = {str(r[case_column]).strip() for r in rows if certified[case_status_key(str(r[status_column]))]}
    # The independent rule: a status that speaks of a certification and not of a denial.
    by_rule = {
        str(r[case_column]).strip()
        for r in rows
        if "certif" in str(r[status_column]).lower() and "denied" not in str(r[status_column]).lower()
    }
    assert by_seed == by_rule and len(by_rule) > 3000


@pytest.mark.parametrize("name", ["H-2B_FY2003.csv", "H-2B_FY2010.xlsx", "H-2B_FY2013.xls", "H-2B_FY15_Q3.xlsx"])
def test_real_files_of_four_eras_pass_the_h2b_gate(name, tmp_path):
    import pyarrow.parquet as pq

    from expectations.h2b import disclosure_suite
    from expectations.rules import WARN
    from expectations.validate import validate_parquet
    from sources.h2b.contract import DISCLOSURE

    path = shared_sample(f"h2b/{name}")
    parquet = tmp_path / "table.parquet"
    pq.write_table(parse_disclosure(path, file=name, sha256="0" * 64).table, parquet)
    results = validate_parquet(parquet, DISCLOSURE, disclosure_suite())
    assert len(results) > 5
    assert [r.rule for r in results if not r.passed and r.severity != WARN] == []
