"""H-2B sample: files in real layouts (headers byte-equal to real headers) that parse back to the cases
the generator intended, with non-farm employers, some of them also in the WHD sample."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
import python_calamine

from sources.common.sample_world import SampleConfig, World
from sources.h2b import SOURCE
from sources.h2b.parse import parse_disclosure
from sources.h2b.sample import H2B_INDUSTRIES, sample_cases, sample_layout
from sources.whd import SOURCE as WHD
from tests.conftest import TEST_SCALE
from tests.real_fixtures import REAL


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    world = World(SampleConfig(scale=TEST_SCALE, seed=7))
    out = tmp_path_factory.mktemp("h2b_sample")
    paths = SOURCE.write_sample(world, out)
    intended = sample_cases(World(world.config))
    return world, paths, intended


def _first_row(path: Path) -> list[str]:
    first = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python(nrows=1)[0]
    return [str(c) for c in first]


def test_every_file_has_the_header_of_a_real_file_verbatim(sample):
    world, paths, _ = sample
    fixtures = {}
    for fixture in (REAL / "h2b" / "headers").glob("h*.csv"):
        fixtures[fixture.name] = fixture.read_text(encoding="utf-8").splitlines()[0]
    assert len(paths) == len(world.config.fiscal_years)
    for path, year in zip(paths, world.config.fiscal_years, strict=True):
        from sources.h2b.headers import REAL_HEADERS

        assert tuple(_first_row(path)) == REAL_HEADERS[sample_layout(year)[0]], path.name
    written = {",".join(_first_row(p)) for p in paths}
    assert len(written & set(fixtures.values())) >= 4, "several sample layouts are the fixtures' byte for byte"


def test_each_file_parses_back_to_the_intended_cases(sample):
    _, paths, intended = sample
    parsed = {}
    for path in paths:
        result = parse_disclosure(path, file=path.name, sha256="0" * 64)
        assert result.extra_columns == ()
        for row in result.table.to_pylist():
            parsed.setdefault(row["case_number"], []).append(row)
    assert set(parsed) == {c.case_number for c in intended}
    for case in intended:
        rows = parsed[case.case_number]
        assert len(rows) == case.rows
        assert {r["file_fiscal_year"] for r in rows} == {case.fiscal_year}
        assert max(r["workers_certified"] or 0 for r in rows) == (case.certified or 0)
    assert any(len(rows) > 1 for rows in parsed.values()), "a case on two rows is planted"
    assert Counter(c.outcome for c in intended).keys() >= {"full", "partial", "denied", "withdrawn", "expired"}


def test_the_employers_are_non_farm_and_some_are_in_the_whd_sample(sample, tmp_path):
    world, _, intended = sample
    assert all(c.employer.kind == "other" and c.employer.naics.startswith(H2B_INDUSTRIES) for c in intended)
    WHD.write_sample(world, tmp_path)
    truth = world.truth.write(tmp_path)
    with open(truth, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    h2b = {r["entity_id"] for r in rows if r["dataset"] == "h2b"}
    whd = {r["entity_id"] for r in rows if r["dataset"] == "whd"}
    assert len(h2b) >= 5 and h2b & whd
