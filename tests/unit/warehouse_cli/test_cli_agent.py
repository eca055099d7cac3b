"""`warehouse agent NAME_OR_ID`: one agent's employers with their WHD violations and debarments, found by
id, by part of a name spelling or law firm (Unicode-normalised); clear messages when none or several match."""

from __future__ import annotations

import unicodedata

import duckdb
from typer.testing import CliRunner

from warehouse.access.agent import find_agents
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths
from warehouse_cli import app

AGENTS = """('A00000000000A', 'Ada Peña', 'Engine Visa LLC', 3, 2, ['ADA PEÑA', 'Ada Peña']),
            ('A00000000000B', 'Bob Other', NULL, 1, 1, ['Bob Other']),
            ('A00000000000C', 'Ada Lovelace', 'Engine Visa LLC', 1, 1, ['Ada Lovelace'])"""


def _published(home) -> WarehousePaths:
    paths = WarehousePaths.at(home).ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute(
            f"""create table marts.dim_filing_agent as
                select *, 2019 as first_fiscal_year, 2025 as last_fiscal_year, 0 as employers_with_whd_violations,
                       0 as employers_with_debarments
                from (values {AGENTS}) t(agent_id, agent_name, law_firm, filings, employers, name_variants)"""
        )
        con.execute(
            """create table marts.bridge_filing_agent as select * from (values
                ('h2a', 'H-1', 'E00000001', 'A00000000000A', 2019),
                ('h2a', 'H-2', 'E00000001', 'A00000000000A', 2025),
                ('h2a', 'H-3', 'E00000002', 'A00000000000A', 2025),
                ('h2a', 'H-4', 'E00000003', 'A00000000000B', 2025)
            ) t(source, filing_id, employer_id, agent_id, fiscal_year)"""
        )
        con.execute(
            """create table marts.dim_employer as select * from (values
                ('E00000001', 'Clean Orchards', 'WA'), ('E00000002', 'Bad Acres', 'GA'),
                ('E00000003', 'Else Farm', 'NC')
            ) t(employer_id, employer_name, state_code)"""
        )
        con.execute(
            """create table marts.fct_whd_case as select * from (values
                ('E00000002', 3, 1200.5), ('E00000002', 0, 0.0), ('E00000001', 0, 0.0)
            ) t(employer_id, violations, back_wages)"""
        )
        con.execute("create table marts.fct_case_outcome as select 'E00000002' as employer_id")
        con.execute("create table marts.mart_employer_leads as select 'E00000002' as employer_id, 25 as score")
    publish(paths, run_id="one")
    return paths


def _agent(*args: str):
    return CliRunner().invoke(app, ["agent", *args], catch_exceptions=False)


def test_agents_are_found_by_id_name_spelling_and_law_firm(tmp_path):
    paths = _published(tmp_path)
    assert [r[0] for r in find_agents("a00000000000b", paths)] == ["A00000000000B"]
    assert [r[0] for r in find_agents(unicodedata.normalize("NFD", "peña"), paths)] == ["A00000000000A"]
    assert [r[0] for r in find_agents("engine visa", paths)] == ["A00000000000A", "A00000000000C"]


def test_the_command_lists_the_agents_employers_with_their_violations_and_debarments(tmp_path):
    _published(tmp_path)
    result = _agent("A00000000000A", "--format", "csv", "--home", str(tmp_path))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    header = lines.index(
        "employer_id,employer_name,state_code,filings,first_fiscal_year,last_fiscal_year,"
        "whd_cases_with_violations,back_wages,debarments,lead_score"
    )
    # The employer with violations or debarments first; each employer once, with its own counts.
    assert lines[header + 1 : header + 3] == [
        "E00000002,Bad Acres,GA,1,2025,2025,1,1200.5,1,25",
        "E00000001,Clean Orchards,WA,2,2019,2025,0,0.0,0,",
    ]
    assert "Else Farm" not in result.output


def test_no_match_and_several_matches_say_so(tmp_path):
    _published(tmp_path)
    none = _agent("nobody by this name", "--home", str(tmp_path))
    assert none.exit_code == 1 and "No agent matches 'nobody by this name'" in none.output
    several = _agent("Ada", "--format", "csv", "--home", str(tmp_path))
    assert several.exit_code == 0, several.output
    assert "2 agents match 'Ada'; showing the first" in several.output
    assert "A00000000000C,Ada Lovelace,Engine Visa LLC,1" in several.output
    assert "Clean Orchards" in several.output, "the first (most filings) is shown"
