"""The NAICS 2017/2022 reference seed (`ref_naics_codes`) and the script that writes it."""

from __future__ import annotations

import csv
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from sources.common.reference import NAICS_SAMPLE_INDUSTRIES, sector_of

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "dbt_project" / "seeds"
SEED = SEEDS / "ref_naics_codes.csv"
SCRIPT = ROOT / "docs" / "dev" / "build_naics_seed.py"


def _read(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _read(SEED)


@pytest.fixture(scope="module")
def by_key(rows) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["naics_code"], r["naics_version"]): r for r in rows}


def _script():
    spec = importlib.util.spec_from_file_location("build_naics_seed", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_header_and_primary_key(rows, by_key):
    with open(SEED, encoding="utf-8") as handle:
        header = handle.readline().rstrip("\n").split(",")
    assert header[:9] == [
        "naics_code",
        "naics_version",
        "code_level",
        "title",
        "naics_sector",
        "subsector_code",
        "subsector_title",
        "industry_group_code",
        "naics_2022_code",
    ]
    assert len(by_key) == len(rows), "(naics_code, naics_version) is not unique"
    assert {r["naics_version"] for r in rows} == {"2017", "2022"}
    for r in rows:
        assert r["naics_code"].isdigit() and 2 <= len(r["naics_code"]) <= 6, r
        assert r["code_level"] == str(len(r["naics_code"])), r
        assert r["title"] and r["title"] == r["title"].strip() and not r["title"].endswith("T"), r


def test_counts_per_version_and_level_match_the_published_structure(rows):
    levels = Counter((r["naics_version"], int(r["code_level"])) for r in rows)
    # 20 sectors = 17 two-digit codes + 31-33, 44-45, 48-49 written as 31, 32, 33, 44, 45, 48, 49.
    assert levels == {
        ("2017", 2): 24,
        ("2017", 3): 99,
        ("2017", 4): 311,
        ("2017", 5): 709,
        ("2017", 6): 1057,
        ("2022", 2): 24,
        ("2022", 3): 96,
        ("2022", 4): 308,
        ("2022", 5): 689,
        ("2022", 6): 1012,
    }


def test_every_code_has_a_sector_of_ref_naics_sectors(rows):
    sectors = {r["naics_sector"] for r in _read(SEEDS / "ref_naics_sectors.csv")}
    for r in rows:
        assert r["naics_sector"] in sectors, r
        assert r["naics_sector"] == sector_of(r["naics_code"]), r
    six = {(r["naics_version"], r["naics_sector"]) for r in rows if r["code_level"] == "6"}
    # Every real sector (all but 99 Unclassified) has six-digit industries in both revisions.
    for version in ("2017", "2022"):
        assert {s for v, s in six if v == version} == sectors - {"99"}
    assert {r["naics_sector"] for r in rows if r["naics_code"] in {"31", "32", "33"}} == {"31-33"}
    assert {r["naics_sector"] for r in rows if r["naics_code"] in {"44", "45"}} == {"44-45"}
    assert {r["naics_sector"] for r in rows if r["naics_code"] in {"48", "49"}} == {"48-49"}


def test_hierarchy_columns_point_at_the_rows_above(rows, by_key):
    for r in rows:
        code, version, level = r["naics_code"], r["naics_version"], len(r["naics_code"])
        for column, title_column, n in (
            ("subsector_code", "subsector_title", 3),
            ("industry_group_code", "industry_group_title", 4),
            ("industry_code", "industry_title", 5),
        ):
            if level < n:
                assert r[column] == "" and r[title_column] == "", r
            else:
                assert r[column] == code[:n], r
                assert r[title_column] == by_key[(code[:n], version)]["title"], r
        if level > 2:
            assert (code[:-1], version) in by_key, f"{code} ({version}) has no parent"


def test_spot_checks(by_key):
    for version in ("2017", "2022"):
        row = by_key[("111219", version)]
        assert row["title"] == "Other Vegetable (except Potato) and Melon Farming"
        assert (row["naics_sector"], row["subsector_code"], row["subsector_title"]) == ("11", "111", "Crop Production")
        assert (row["industry_group_code"], row["industry_code"]) == ("1112", "11121")
        assert row["naics_2022_code"] == "111219"
        flc = by_key[("115115", version)]
        assert flc["title"] == "Farm Labor Contractors and Crew Leaders"
        assert (flc["subsector_code"], flc["subsector_title"]) == (
            "115",
            "Support Activities for Agriculture and Forestry",
        )
        assert by_key[("33", version)]["title"] == "Manufacturing"
        assert by_key[("722511", version)]["title"] == "Full-Service Restaurants"

    electronics = by_key[("443142", "2017")]
    assert electronics["title"] == "Electronics Stores"
    assert electronics["naics_sector"] == "44-45"
    assert (electronics["subsector_code"], electronics["subsector_title"]) == (
        "443",
        "Electronics and Appliance Stores",
    )
    assert electronics["naics_2022_code"] == "449210"
    assert ("443142", "2022") not in by_key
    retailers = by_key[("449210", "2022")]
    assert retailers["title"] == "Electronics and Appliance Retailers"
    assert retailers["naics_sector"] == "44-45"

    # 2022 moved Publishing Industries into subsector 513.
    assert by_key[("511110", "2017")]["naics_2022_code"] == "513110"
    assert by_key[("513110", "2022")]["title"] == "Newspaper Publishers"


def test_naics_2022_code(rows, by_key):
    six_2022 = {code for code, version in by_key if version == "2022" and len(code) == 6}
    for r in rows:
        if r["naics_version"] == "2022":
            assert r["naics_2022_code"] == r["naics_code"], r
        elif r["code_level"] != "6":
            assert r["naics_2022_code"] == "", r
        elif r["naics_2022_code"]:
            assert r["naics_2022_code"] in six_2022, r
    # Empty only where the concordance splits a 2017 code across several 2022 codes.
    unmapped = {r["naics_code"] for r in rows if r["naics_version"] == "2017" and r["code_level"] == "6"} - {
        r["naics_code"] for r in rows if r["naics_version"] == "2017" and r["naics_2022_code"]
    }
    assert unmapped == {"212113", "325314", "453998", "454110", "454390", "515120", "517312", "517911", "519130"}
    # A 2017 code still published in 2022 maps to itself unless it was split.
    for r in rows:
        if r["naics_version"] == "2017" and r["naics_2022_code"] and r["naics_code"] in six_2022:
            assert r["naics_2022_code"] == r["naics_code"], r


def test_every_sample_industry_is_in_both_revisions(by_key):
    codes = {code for industries in NAICS_SAMPLE_INDUSTRIES.values() for code in industries}
    assert codes
    for code in codes:
        for version in ("2017", "2022"):
            assert (code, version) in by_key, f"sample industry {code} missing from NAICS {version}"


def test_the_script_regenerates_the_committed_seed_byte_for_byte():
    assert _script().build().encode("utf-8") == SEED.read_bytes()
    assert _script().main(["--check"]) == 0


def test_the_concordance_inputs_are_checked():
    module = _script()
    changes = module._read_changes(module.CHANGES)
    assert len(changes) == 140 and sum(map(len, changes.values())) == 233
    codes_2017 = module._expand_ranges(module._read_codes(module.CODES_2017))
    codes_2022 = module._expand_ranges(module._read_codes(module.CODES_2022))
    mapping = module._concordance(codes_2017, codes_2022, changes)
    assert sum(map(len, mapping.values())) == 1150
    assert len(mapping["454110"]) == 42
    broken = {k: v for k, v in changes.items() if k != "443142"}
    with pytest.raises(SystemExit, match="443142"):
        module._concordance(codes_2017, codes_2022, broken)
