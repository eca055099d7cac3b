"""H-2A sample: every fiscal year's file parses back to what the generator intended.

Expectations come from the generator (`generate_cases` on a fresh world) and from reading the written
workbooks with python-calamine, never from the parser under test.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import python_calamine

from sources.common.sample_world import SampleConfig, World, planted_debarments
from sources.h2a import SOURCE
from sources.h2a.headers import ADDENDUM_B_SAMPLE_HEADER, era_for_year
from sources.h2a.parse import fiscal_year_from_name, parse_addendum_b, parse_disclosure
from sources.h2a.sample import (
    NUMERIC_ZIP_YEARS,
    SERIAL_DATE_YEARS,
    addendum_b_file_name,
    disclosure_file_name,
    sheet_name,
)
from sources.h2a.sample_cases import MIN_CASES_PER_YEAR, _fit_rows, generate_cases, unplaceable_certified_again
from tests.conftest import TEST_SCALE

YEARS = list(range(2008, 2026))
CERTIFIED_STATUSES = (
    "Certified - Full",
    "Certified - Partial",
    "DETERMINATION ISSUED - CERTIFICATION",
    "DETERMINATION ISSUED - PARTIAL CERTIFICATION",
    "Determination Issued - Certification",
    "Determination Issued - Partial Certification",
)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample written once for the module: (world, out_dir, written paths, parsed tables, intended cases)."""
    world = World(SampleConfig(scale=TEST_SCALE, seed=7))
    out = tmp_path_factory.mktemp("h2a_sample")
    paths = SOURCE.write_sample(world, out)
    parsed = {}
    for path in paths:
        parse = parse_addendum_b if "Addendum" in path.name else parse_disclosure
        parsed[path.name] = parse(path, file=path.name, sha256="0" * 64)
    intended = generate_cases(World(world.config))
    return world, out, paths, parsed, intended


def _sheet(path: Path) -> tuple[list[str], list[list]]:
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = workbook.get_sheet_by_index(0).to_python()
    return rows[0], rows[1:]


def _column(header: list[str], *names: str) -> int:
    return next(header.index(n) for n in names if n in header)


def test_one_file_per_year_under_the_real_names(sample):
    _, out, paths, _, _ = sample
    names = [p.name for p in paths]
    assert names[:3] == ["H2A_FY2008.xlsx", "H2A_FY2009.xlsx", "H-2A_FY2010.xlsx"]
    assert {
        "H2A_FY2013.xls",
        "H-2A_FY14_Q4.xlsx",
        "H-2A_Disclosure_Data_FY15_Q4.xlsx",
        "H-2A_Disclosure_Data_FY16_updated.xlsx",
        "H-2A_FY2020_AddendumB_Employment.xlsx",
        "H-2A_Addendum_B_Employment_Record_FY2022_Q4.xlsx",
    } <= set(names)
    assert len(paths) == len(YEARS) + 6
    disclosure, addendum = SOURCE.table("disclosure"), SOURCE.table("addendum_b_worksites")
    assert [p.name for p in disclosure.pick(paths)] == [disclosure_file_name(fy) for fy in YEARS]
    assert [p.name for p in addendum.pick(paths)] == [addendum_b_file_name(fy) for fy in range(2020, 2026)]
    assert (out / "H2A_FY2013.xls").read_bytes()[:4] == bytes.fromhex("d0cf11e0")  # an OLE2 (BIFF) workbook


@pytest.mark.parametrize("fy", YEARS)
def test_each_year_has_its_exact_header_sheet_and_parses_back(sample, fy):
    _, out, _, parsed, intended = sample
    path = out / disclosure_file_name(fy)
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    assert workbook.sheet_names == [sheet_name(fy)]
    header, rows = _sheet(path)
    assert tuple(header) == era_for_year(fy).header

    cases = intended[fy]
    result = parsed[path.name]
    table = result.table
    assert result.notes[0] == "H-2A disclosure (columns by meaning)" and f"FY{fy}" in result.notes
    assert result.extra_columns == ()
    assert len(cases) >= MIN_CASES_PER_YEAR
    assert table.num_rows == len(rows) == sum(len(c.rows) for c in cases)
    assert set(table.column("file_fiscal_year").to_pylist()) == {fy} == {fiscal_year_from_name(path.name)}

    # Workers certified per case = max over its rows: from the workbook itself and from the parser.
    case_col = _column(header, "CASE_NO", "CASE_NUMBER")
    certified_col = _column(header, "NBR_WORKERS_CERTIFIED", "TOTAL_WORKERS_H2A_CERTIFIED")
    from_workbook: dict[str, float | None] = {}
    for row in rows:
        value = None if row[certified_col] == "" else row[certified_col]
        previous = from_workbook.get(row[case_col])
        from_workbook[row[case_col]] = value if previous is None else max(previous, value or 0)
    expected = {c.case_number: c.workers_certified for c in cases}
    assert from_workbook == expected
    from_parser: dict[str, int | None] = defaultdict(lambda: None)
    for case, workers in zip(
        table.column("case_number").to_pylist(), table.column("workers_certified").to_pylist(), strict=True
    ):
        from_parser[case] = workers if from_parser[case] is None else max(from_parser[case], workers or 0)
    assert dict(from_parser) == expected

    # Decision dates (date cells, .xls cells or raw serial numbers) and case_row order.
    decisions = {c.case_number: c.decision.date() for c in cases}
    parsed_rows = table.to_pylist()
    assert all(r["decision_date"] == decisions[r["case_number"]] for r in parsed_rows)
    assert [(r["case_number"], r["case_row"]) for r in parsed_rows] == [
        (c.case_number, n) for c in cases for n in range(1, len(c.rows) + 1)
    ]
    assert [r["employer_name"] for r in parsed_rows] == [row.name for c in cases for row in c.rows]


def test_value_conventions_per_era(sample):
    _, out, _, parsed, intended = sample
    statuses = {fy: set(parsed[disclosure_file_name(fy)].table.column("case_status").to_pylist()) for fy in YEARS}
    assert statuses[2012] <= {"Certified - Full", "Certified - Partial", "Denied", "Withdrawn"}
    assert all(s.startswith("DETERMINATION ISSUED - ") for s in statuses[2016])
    assert all(s.startswith("Determination Issued - ") for s in statuses[2023])
    assert any(s.endswith("(Expired)") for fy in range(2020, 2026) for s in statuses[fy])
    assert any(s.endswith(" EXPIRED") for fy in range(2014, 2020) for s in statuses[fy])

    numbers = {fy: parsed[disclosure_file_name(fy)].table.column("case_number").to_pylist() for fy in YEARS}
    assert all(n.startswith("C-") and len(n) == 13 for n in numbers[2010])
    assert all(n.startswith("H-300-") and len(n) == 18 for n in numbers[2016])
    assert all(n.startswith("H-300-2") for n in numbers[2021])

    filers = {fy: set(parsed[disclosure_file_name(fy)].table.column("filer_type").to_pylist()) for fy in YEARS}
    assert {"S", "A", None} <= filers[2012] and filers[2012] <= {"S", "J", "A", None}
    assert "H-2A Labor Contractor or Job Contractor" in set().union(*(filers[fy] for fy in range(2015, 2020)))
    units = {fy: set(parsed[disclosure_file_name(fy)].table.column("wage_unit").to_pylist()) for fy in YEARS}
    assert units[2010] <= {"HR", "WK", "MTH"} and units[2018] <= {"Hour", "Week", "Month"}

    fy2024 = parsed[disclosure_file_name(2024)].table.to_pylist()
    by_case = {c.case_number: c for c in intended[2024]}
    assert all(r["employer_fein"] == by_case[r["case_number"]].rows[0].fein for r in fy2024)
    assert all(r["is_labor_contractor"] == (by_case[r["case_number"]].filer == "flc") for r in fy2024)
    with_agent = [r for r in fy2024 if by_case[r["case_number"]].agent]
    assert with_agent and all(r["agent_attorney_name"] == " ".join(by_case[r["case_number"]].agent) for r in with_agent)

    # ZIP codes are numbers up to FY2013 (leading zeros lost, as in the real files), text later.
    header, rows = _sheet(out / disclosure_file_name(2011))
    assert all(isinstance(r[header.index("EMPLOYER_POSTAL_CODE")], float) for r in rows)
    zips = {fy: parsed[disclosure_file_name(fy)].table.column("employer_postal_code").to_pylist() for fy in YEARS}
    for fy in (2011, 2019):
        written = [row.postal_code for c in intended[fy] for row in c.rows]
        expected = [str(int(z[:5])) for z in written] if fy in NUMERIC_ZIP_YEARS else written
        assert zips[fy] == expected


def test_serial_number_dates_are_written_raw(sample):
    _, out, _, _, _ = sample
    for fy in SERIAL_DATE_YEARS:
        header, rows = _sheet(out / disclosure_file_name(fy))
        decisions = [r[header.index("DECISION_DATE")] for r in rows]
        assert all(isinstance(d, float) for d in decisions)
        assert any(d != int(d) for d in decisions)  # a time fraction, e.g. 42894.692372685196
    header, rows = _sheet(out / disclosure_file_name(2016))
    assert all(not isinstance(r[header.index("DECISION_DATE")], float) for r in rows)


def test_association_filings_have_member_rows_and_the_master_is_not_always_first(sample):
    _, _, _, _, intended = sample
    multi = [c for fy in range(2008, 2020) for c in intended[fy] if len(c.rows) > 1]
    assert any(c.filer in ("assoc_joint", "assoc_sole") for c in multi)
    assert any(c.filer == "flc" for c in multi)
    assert any(not c.rows[0].is_master for c in multi)
    for case in multi:
        master = next(r for r in case.rows if r.is_master)
        assert master.certified == case.workers_certified
        if case.is_certified:
            assert master.certified >= sum(r.certified for r in case.rows if not r.is_master)
    assert all(len(c.rows) == 1 for fy in range(2020, 2026) for c in intended[fy])
    outcomes = {c.outcome for fy in YEARS for c in intended[fy]}
    assert outcomes == {"full", "partial", "denied", "withdrawn"}


def test_addendum_b_parses_back(sample):
    _, out, _, parsed, intended = sample
    for fy in range(2020, 2026):
        path = out / addendum_b_file_name(fy)
        header, rows = _sheet(path)
        assert tuple(header) == ADDENDUM_B_SAMPLE_HEADER
        table = parsed[path.name].table
        sites = [(c.case_number, n, s) for c in intended[fy] for n, s in enumerate(c.worksites, start=1)]
        assert table.num_rows == len(rows) == len(sites) > 0
        got = table.to_pylist()
        assert [(r["case_number"], r["worksite_row"], r["business_name"], r["total_workers"]) for r in got] == [
            (case, n, s.name, s.total_workers) for case, n, s in sites
        ]
        assert set(table.column("file_fiscal_year").to_pylist()) == {fy}
        cases = {c.case_number for c in intended[fy]}
        assert set(table.column("case_number").to_pylist()) <= cases


def test_ground_truth_names_every_written_row(sample):
    world, _, _, parsed, intended = sample
    truth = {(dataset, record): (entity, name) for entity, dataset, record, name in world.truth.rows}
    rows = [r for name, result in parsed.items() if "Addendum" not in name for r in result.table.to_pylist()]
    assert sum(1 for dataset, _ in truth if dataset == "h2a") == len(rows)
    for row in rows:
        _, name = truth[("h2a", f"{row['case_number']}#{row['case_row']}")]
        assert name == row["employer_name"]
    sites = sum(len(c.worksites) for fy in YEARS for c in intended[fy])
    assert sum(1 for dataset, _ in truth if dataset == "h2a_addendum_b") == sites
    # The same employers file year after year under differently written names.
    names_by_entity: dict[int, set[str]] = defaultdict(set)
    years_by_entity: dict[int, set[int]] = defaultdict(set)
    for fy in YEARS:
        for case in intended[fy]:
            master = next(r for r in case.rows if r.is_master)
            names_by_entity[master.employer.entity_id].add(master.name)
            years_by_entity[master.employer.entity_id].add(fy)
    every_year = [e for e, years in years_by_entity.items() if len(years) == len(YEARS)]
    assert len(every_year) >= 5 and all(len(names_by_entity[e]) > 1 for e in every_year)
    counts = [len(intended[fy]) for fy in YEARS]
    assert counts[-1] >= counts[0]


def test_debarred_employers_certified_again_after_the_start(sample):
    world, _, _, parsed, _ = sample
    entity_of = {record: entity for entity, dataset, record, _ in world.truth.rows if dataset == "h2a"}
    certified_after: dict[int, list] = defaultdict(list)
    for name, result in parsed.items():
        if "Addendum" in name:
            continue
        for row in result.table.to_pylist():
            status = row["case_status"].replace(" EXPIRED", "").replace(" (Expired)", "")
            if status in CERTIFIED_STATUSES:
                certified_after[entity_of[f"{row['case_number']}#{row['case_row']}"]].append(row["decision_date"])
    late = {d.employer.entity_id for d in unplaceable_certified_again(world)}
    again = [d for d in planted_debarments(world) if d.program == "H-2A" and d.certified_again]
    assert again
    for debarment in again:
        if debarment.employer.entity_id in late:
            continue
        assert any(day > debarment.start for day in certified_after[debarment.employer.entity_id]), debarment


def test_old_xls_row_limit_keeps_planted_leads(sample):
    _, _, _, _, intended = sample
    planted_year = next(fy for fy in YEARS if any(c.planted for c in intended[fy]))
    cases = list(intended[planted_year])
    _fit_rows(cases, 12)
    assert sum(len(c.rows) for c in cases) <= 12 and len(cases) < len(intended[planted_year])
    assert [c for c in intended[planted_year] if c.planted] == [c for c in cases if c.planted]


def test_sample_is_deterministic(sample, tmp_path):
    world, _, paths, _, _ = sample
    again = SOURCE.write_sample(World(world.config), tmp_path)
    assert [p.name for p in again] == [p.name for p in paths]
    for first, second in zip(paths, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
