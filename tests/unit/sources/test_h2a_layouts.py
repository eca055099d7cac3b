"""H-2A column dictionaries: every researched header is recognised by meaning, and feeds the contract."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sources.common.contract import LINEAGE_COLUMNS, PROVENANCE_COLUMNS
from sources.h2a import SOURCE
from sources.h2a.columns import ADDENDUM_B_COLUMNS, AGENT_NAME_PARTS, DISCLOSURE_COLUMNS, MAPPED
from sources.h2a.contract import ADDENDUM_B_WORKSITES, DISCLOSURE
from sources.h2a.headers import ERAS, FY2012_ORDER, FY2016_ORDER, era_for_year

RESEARCH = Path(__file__).resolve().parents[3] / "docs" / "research" / "h2a_columns.md"
# Research-doc section title (up to the em dash) -> era name in sources.h2a.headers.
DOC_SECTIONS = {
    "FY2008": "FY2008",
    "FY2009 and FY2010": "FY2009-FY2010",
    "FY2011": "FY2011",
    "FY2012": "FY2012",
    "FY2013": "FY2013",
    "FY2014": "FY2014",
    "FY2015 (Q4 / annual)": "FY2015",
    "FY2016": "FY2016",
    "FY2017": "FY2017",
    "FY2018": "FY2018",
    "FY2019": "FY2019",
    "FY2020": "FY2020",
    "FY2021": "FY2021",
    "FY2022 and FY2023": "FY2022-FY2023",
    "FY2024": "FY2024",
    "FY2025 (and FY2026 partial)": "FY2025-FY2026",
}


def _research_headers() -> dict[str, list[str]]:
    """Section title -> header listed in the research doc (ordered lists keep their order)."""
    text = RESEARCH.read_text(encoding="utf-8")
    headers = {}
    for section in re.split(r"\n### ", text)[1:]:
        block = re.search(r"```\n(.*?)```", section, re.S)
        if not block:
            continue
        body = block.group(1).strip()
        if re.match(r"\s*1 ", body):
            columns = [line.split()[1] for line in body.splitlines()]
        else:
            columns = [c.strip() for c in body.replace("\n", " ").split(",")]
        headers[section.splitlines()[0].split(" — ")[0]] = columns
    return headers


def test_every_researched_header_is_an_era_exactly():
    documented = _research_headers()
    assert set(documented) == set(DOC_SECTIONS)
    eras = {era.name: era for era in ERAS}
    for section, era_name in DOC_SECTIONS.items():
        assert set(eras[era_name].header) == set(documented[section]), section
        assert len(eras[era_name].header) == len(documented[section]), section
    assert list(FY2012_ORDER) == documented["FY2012"]
    assert list(FY2016_ORDER) == documented["FY2016"]
    assert list(eras["FY2021"].header) == documented["FY2021"]


@pytest.mark.parametrize("era", ERAS, ids=lambda e: e.name)
def test_each_era_header_is_recognised_by_meaning_without_extra_columns(era):
    match = DISCLOSURE_COLUMNS.match(list(era.header), "x.xlsx")
    assert not match.extra
    assert {"case_number", "case_status", "employer_name", "workers_certified", "decision_date"} <= set(match.mapping)


def test_every_fiscal_year_2008_to_2026_has_an_era():
    assert [era_for_year(fy).name for fy in (2008, 2013, 2016, 2021, 2026)] == [
        "FY2008",
        "FY2013",
        "FY2016",
        "FY2021",
        "FY2025-FY2026",
    ]
    with pytest.raises(KeyError):
        era_for_year(2007)


def test_every_spelling_names_the_real_files_that_show_it():
    for dictionary in (DISCLOSURE_COLUMNS, ADDENDUM_B_COLUMNS):
        for canonical, spellings in dictionary.columns.items():
            for spelling, files in spellings.items():
                assert files, f"{dictionary.name}: {canonical} <- {spelling!r} names no real file"
        assert all(files for files in dictionary.known.values())


def test_mapping_targets_are_contract_columns_and_feed_every_column():
    targets = set(MAPPED.values())
    disclosure = set(DISCLOSURE.column_names) - set(LINEAGE_COLUMNS) - {"file_fiscal_year", "case_row"}
    assert targets <= disclosure
    assert disclosure == targets  # every canonical column has a published source
    everywhere = {c for era in ERAS for c in era.header}
    assert set(AGENT_NAME_PARTS) <= everywhere
    addendum = {c for c, spellings in ADDENDUM_B_COLUMNS.columns.items() if spellings}
    assert addendum | {"county"} == set(ADDENDUM_B_WORKSITES.column_names) - set(LINEAGE_COLUMNS) - {
        "file_fiscal_year",
        "worksite_row",
    }


def test_contract_shape_and_descriptions():
    assert DISCLOSURE.table_name == "raw_h2a__disclosure"
    assert DISCLOSURE.primary_key == ("file_fiscal_year", "case_number", "case_row")
    assert ADDENDUM_B_WORKSITES.table_name == "raw_h2a__addendum_b_worksites"
    assert ADDENDUM_B_WORKSITES.primary_key == ("file_fiscal_year", "case_number", "worksite_row")
    for contract in (DISCLOSURE, ADDENDUM_B_WORKSITES):
        assert all(len(c.description) > 25 for c in contract.columns), contract.table_name
        assert contract.column_names[-3:] == list(PROVENANCE_COLUMNS)
    assert [t.file_kind for t in SOURCE.tables] == ["disclosure", "addendum_b"]
    assert DISCLOSURE.column("workers_certified").type == "int"
    assert DISCLOSURE.column("employer_postal_code").type == "string"
    assert DISCLOSURE.column("is_labor_contractor").type == "bool"
