"""Issue #15: every pattern planted in the sample appears in the leads with the right reason.

What is planted comes from the sample world and the raw sample files (read with the csv module),
which employer each record is from the sample's ground truth; the leads come from the published
warehouse. The commands analysts use (`warehouse leads`, `warehouse employer`) print them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import defaultdict
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml
from python_calamine import CalamineWorkbook

from sources.common.sample_world import (
    GROUND_TRUTH_FILE,
    SampleConfig,
    World,
    planted_debarments,
    planted_hidden_work,
    unlicensed_contractors,
)
from sources.h2a.sample import FIRST_YEAR_NAMING_LABOR_CONTRACTORS
from sources.h2a.sample_cases import (
    NETWORK_AGENT,
    NETWORK_AGENT_VARIANTS,
    agent_network_clients,
    generate_cases,
    unplaceable_certified_again,
)
from sources.h2b.sample import certified_while_debarred
from tests.integration.conftest import BUILD_SCALE, run_cli, sample_dir
from tests.integration.test_build_matches_raw_files import whd_rows
from warehouse.linkage.evaluate import ground_truth
from warehouse.settings import WarehousePaths

pytestmark = pytest.mark.integration


def _fiscal_year(day: date) -> int:
    return day.year + (1 if day.month >= 10 else 0)


@pytest.fixture(scope="module")
def published(built_home):
    with duckdb.connect(str(WarehousePaths.at(built_home).published_db), read_only=True) as con:
        records = con.sql("select * from intermediate.int_employer_records").to_arrow_table()
        bridge = dict(
            (f"{s}:{r}", e)
            for s, r, e in con.execute(
                "select source, record_id, employer_id from marts.bridge_employer_record"
            ).fetchall()
        )
        leads = {
            e: reasons
            for e, reasons in con.execute("select employer_id, reasons from marts.mart_employer_leads").fetchall()
        }
    truth = ground_truth(Path(sample_dir(built_home)) / GROUND_TRUTH_FILE, records)
    employers_of: dict[str, set[str]] = defaultdict(set)
    for key, entity in truth.items():
        employers_of[entity].add(bridge[key])
    return employers_of, leads


def _reasons_of(entity: int, published) -> str:
    employers_of, leads = published
    return " | ".join(leads.get(e, "") for e in sorted(employers_of[str(entity)]))


def test_debarred_employers_certified_again_are_leads_with_their_debarment(built_home, published):
    world = World(SampleConfig(scale=float(BUILD_SCALE)))
    unplaceable = unplaceable_certified_again(world)
    planted = [d for d in planted_debarments(world) if d.certified_again and d not in unplaceable]
    assert planted, "the sample plants debarred employers certified again"
    for debarment in planted:
        reasons = _reasons_of(debarment.employer.entity_id, published)
        assert f"while debarred until {debarment.end.isoformat()}" in reasons, (debarment.employer.name, reasons)


def _truth_records(built_home, dataset: str) -> dict[str, str]:
    """record id -> true employer for one dataset of the sample's ground truth."""
    records = {}
    with open(Path(sample_dir(built_home)) / GROUND_TRUTH_FILE, encoding="utf-8") as handle:
        for line in handle.read().splitlines()[1:]:
            entity, written_dataset, record, _ = line.split(",", 3)
            if written_dataset == dataset:
                records[record] = entity
    return records


def _whd_violators(built_home) -> set[str]:
    """Employers (true entities) with a WHD case with violations, from the raw WHD file."""
    truth_by_case = _truth_records(built_home, "whd")
    return {
        truth_by_case[row["CASE_ID"]] for row in whd_rows(sample_dir(built_home)) if int(row["CASE_VIOLTN_CNT"] or 0)
    }


def test_h2a_violators_and_repeat_violators_are_leads(built_home, published):
    truth_by_case = _truth_records(built_home, "whd")
    h2a_violators, years_with_violations = set(), defaultdict(set)
    for row in whd_rows(sample_dir(built_home)):
        entity = truth_by_case[row["CASE_ID"]]
        if int(row["H2A_VIOLTN_CNT"] or 0) > 0:
            h2a_violators.add(entity)
        if int(row["CASE_VIOLTN_CNT"] or 0) > 0:
            years_with_violations[entity].add(_fiscal_year(date.fromisoformat(row["FINDINGS_END_DATE"][:10])))
    repeat = {e for e, years in years_with_violations.items() if len(years) >= 2}
    assert h2a_violators and repeat
    for entity in h2a_violators:
        assert "H-2A violation(s)" in _reasons_of(entity, published), entity
    for entity in repeat:
        assert "WHD cases with violations in" in _reasons_of(entity, published), entity


def test_contractors_without_a_certificate_are_leads(built_home, published):
    world = World(SampleConfig(scale=float(BUILD_SCALE)))
    planted = unlicensed_contractors(world)
    registered = set(_truth_records(built_home, "mspa").values())
    assert planted and not {str(e.entity_id) for e in planted} & registered
    for contractor in planted:
        reasons = _reasons_of(contractor.entity_id, published)
        assert "with no current MSPA farm labor contractor certificate" in reasons, (contractor.name, reasons)


def test_growers_supplied_by_contractors_with_violations_are_leads(built_home, published):
    violators = _whd_violators(built_home)
    supplied = {
        grower.entity_id
        for cases in generate_cases(World(SampleConfig(scale=float(BUILD_SCALE)))).values()
        for case in cases
        if case.filer == "flc" and case.fiscal_year >= FIRST_YEAR_NAMING_LABOR_CONTRACTORS
        if case.is_certified and str(case.filer_employer.entity_id) in violators
        for grower in [*(r.employer for r in case.rows if not r.is_master), *(w.employer for w in case.worksites)]
        if grower.entity_id != case.filer_employer.entity_id
    }
    assert supplied, "the sample has growers named in filings of contractors with WHD violations"
    for grower in supplied:
        assert "supplied with H-2A workers in FY" in _reasons_of(grower, published), grower


def test_every_lead_has_a_reason_and_the_commands_print_them(built_home):
    home = str(built_home)
    leads = run_cli("leads", "--top", "5", "--format", "csv", "--home", home)
    assert leads.exit_code == 0, leads.output
    lines = leads.output.strip().splitlines()
    assert lines[0].startswith("lead_rank,employer_id,employer_name") and len(lines) == 6
    first_employer = lines[1].split(",")[1]
    in_agriculture = run_cli("leads", "--industry", "11", "--top", "3", "--format", "json", "--home", home)
    assert in_agriculture.exit_code == 0 and '"naics_sector": "11"' in in_agriculture.output
    employer = run_cli("employer", first_employer, "--home", home)
    assert employer.exit_code == 0, employer.output
    assert first_employer in employer.output and "Lead" in employer.output and "score" in employer.output
    by_name = run_cli("employer", "nobody by this name", "--home", home)
    assert by_name.exit_code == 1 and "No employer matches" in by_name.output


def _agent_network_threshold() -> int:
    project = yaml.safe_load((Path(__file__).parents[2] / "dbt_project" / "dbt_project.yml").read_text())
    return int(project["vars"]["agent_network_min_employers"])


_AGENT_NAME_COLUMNS = ("AGENT_ATTORNEY_NAME", "ATTORNEY_AGENT_FIRST_NAME", "ATTORNEY_AGENT_LAST_NAME")


def _raw_filings_naming(folder: Path, name: str) -> set[str]:
    """H-2A case numbers whose agent name columns (whole, first or last) hold `name`, read from the raw
    workbooks (calamine)."""
    cases = set()
    for path in sorted(folder.iterdir()):
        file_name = path.name.upper()
        if not file_name.startswith(("H2A_FY", "H-2A_FY", "H-2A_DISCLOSURE")) or "ADDENDUM" in file_name:
            continue
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        header = [str(h) for h in rows[0]]
        agent_cols = [i for i, h in enumerate(header) if h in _AGENT_NAME_COLUMNS]
        case_col = header.index("CASE_NUMBER" if "CASE_NUMBER" in header else "CASE_NO")
        cases |= {row[case_col] for row in rows[1:] if any(name in str(row[i]).upper() for i in agent_cols)}
    return cases


def test_employers_of_an_agent_filing_for_violators_are_leads_naming_the_agent(built_home, published):
    employers_of, _ = published
    world = World(SampleConfig(scale=float(BUILD_SCALE)))
    debarred, clean = agent_network_clients(world)
    clients = {str(e.entity_id) for e in [*debarred, clean]}
    ever_debarred = {str(d.employer.entity_id) for d in planted_debarments(world)}
    flagged = clients & (ever_debarred | _whd_violators(built_home))
    expected = {c for c in clients if len(flagged - {c}) >= _agent_network_threshold()}
    assert str(clean.entity_id) in expected and str(clean.entity_id) not in ever_debarred
    first, last = NETWORK_AGENT
    agent_id = "A" + hashlib.md5(f"{first} {last}".upper().encode()).hexdigest()[:12].upper()
    for entity in expected:
        # Named alone ("its agent NAME (FIRM, ID) also files for N other employers ...") or among the
        # employer's other such agents ("... : NAME (FIRM, ID) for N, ...").
        reasons = _reasons_of(int(entity), published)
        named = re.search(rf"{first} {last}[^(]*\([^)]*{agent_id}\) (also files for|for) (\d+)", reasons)
        assert named, (entity, agent_id, reasons)
        assert int(named.group(2)) == len(flagged - {entity}), (entity, reasons)

    # `warehouse agent` finds the agent by part of its name and lists every employer it files for.
    shown = run_cli("agent", last.lower(), "--format", "csv", "--home", str(built_home))
    assert shown.exit_code == 0, shown.output
    for entity in clients:
        assert any(e in shown.output for e in employers_of[entity]), (entity, shown.output)
    # One agent under every spelling its filings use (a typo and swapped names linked to it): its
    # filings are every raw filing naming its first name, in whichever name column.
    with duckdb.connect(str(WarehousePaths.at(built_home).published_db), read_only=True) as con:
        agents = con.execute(
            "select agent_id, filings, name_variants from marts.dim_filing_agent where list_contains(name_variants, ?)",
            [f"{first} {last}, Esq."],
        ).fetchall()
    assert [(a, f) for a, f, _ in agents] == [
        (agent_id, len(_raw_filings_naming(Path(sample_dir(built_home)), first.upper())))
    ], agents
    variants = {" ".join(pair) for pair in NETWORK_AGENT_VARIANTS}
    assert variants <= set(agents[0][2]), agents


def _hidden_work_labels() -> dict[str, str]:
    """NAICS code -> label of the analyst's hidden-work industries (the seed: configuration)."""
    seed = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "ref_hidden_work_industries.csv"
    with open(seed, encoding="utf-8", newline="") as handle:
        return {row["naics_code"]: row["industry_label"] for row in csv.DictReader(handle)}


def test_child_labor_h2b_and_flagged_repeat_violators_are_leads(built_home, published):
    truth_by_case = _truth_records(built_home, "whd")
    child_labor, h2b, flagged = set(), set(), set()
    for row in whd_rows(sample_dir(built_home)):
        entity = truth_by_case[row["CASE_ID"]]
        if int(row["FLSA_CL_VIOLTN_CNT"] or 0) > 0:
            child_labor.add(entity)
        if int(row["H2B_VIOLTN_CNT"] or 0) > 0:
            h2b.add(entity)
        if row["FLSA_REPEAT_VIOLATOR"].strip().upper() in ("R", "RW"):
            flagged.add(entity)
    assert child_labor and h2b and flagged
    for entities, reason in (
        (child_labor, "child labor violation(s) involving"),
        (h2b, "H-2B violation(s)"),
        (flagged, "repeat FLSA violator"),
    ):
        for entity in entities:
            assert reason in _reasons_of(entity, published), (entity, reason)


def _leads_csv(home: str, *options: str) -> list[dict[str, str]]:
    result = run_cli("leads", *options, "--top", "1000000", "--format", "csv", "--home", home)
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def test_planted_hidden_work_employers_are_leads_in_the_hidden_work_scope(built_home, published):
    """A nail salon and a seafood processor with child labor and a repeat FLSA flag (sample_world)."""
    employers_of, _ = published
    labels = _hidden_work_labels()
    planted = planted_hidden_work(World(SampleConfig(scale=float(BUILD_SCALE))))
    assert planted
    home = str(built_home)
    scoped = {row["employer_id"]: row for row in _leads_csv(home, "--scope", "hidden-work")}
    assert scoped and all(row["hidden_work_industry"] for row in scoped.values())
    assert len(_leads_csv(home)) > len(scoped)
    for plant in planted:
        employer, label = plant.employer, labels[plant.naics]
        rows = [scoped[e] for e in sorted(employers_of[str(employer.entity_id)]) if e in scoped]
        assert rows, (employer.name, "not in the hidden-work scope")
        reasons = " | ".join(row["reasons"] for row in rows)
        assert "child labor violation(s) involving" in reasons, (employer.name, reasons)
        assert "repeat FLSA violator" in reasons, (employer.name, reasons)
        assert f"in a hidden-work industry: {label} (source: " in reasons, (employer.name, reasons)
        assert label in {row["hidden_work_industry"] for row in rows}, (employer.name, rows)


def test_leads_refuse_an_unknown_scope(built_home):
    result = run_cli("leads", "--scope", "hidden", "--home", str(built_home))
    assert result.exit_code == 2 and "hidden-work" in result.output


def test_h2b_employers_certified_while_debarred_from_h2b_are_leads(built_home, published):
    """Issue #26: the debarment lists' H-2B section and the H-2B disclosure files meet in the leads."""
    planted = certified_while_debarred(World(SampleConfig(scale=float(BUILD_SCALE))))
    assert planted, "the sample plants H-2B employers certified while debarred"
    world = World(SampleConfig(scale=float(BUILD_SCALE)))
    ends = {d.employer.entity_id: d.end for d in planted_debarments(world) if d.program == "H-2B"}
    for case in planted:
        reasons = _reasons_of(case.employer.entity_id, published)
        assert f"while debarred from H-2B until {ends[case.employer.entity_id].isoformat()}" in reasons, (
            case.employer.name,
            reasons,
        )
