"""`warehouse sample`: every source's files under their real names, deterministic, with ground truth."""

from __future__ import annotations

import csv
import hashlib

from typer.testing import CliRunner

from sources import all_tables
from sources.common.sample_world import GROUND_TRUTH_FILE
from warehouse_cli import app


def _run(*args):
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def _digests(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_sample_command_writes_every_table_and_the_ground_truth(tmp_path):
    result = _run("sample", "--out", str(tmp_path / "a"), "--scale", "0.002", "--seed", "11")
    assert result.exit_code == 0, result.output
    names = [p.name for p in (tmp_path / "a").iterdir()]
    for _spec, table in all_tables():
        assert table.pick(sorted((tmp_path / "a").iterdir())), f"no sample file for {table.contract.table_name}"
    assert (
        "WHD_enforcement.zip" in names
        and "H2A_FY2013.xls" in names
        and "H-2A_Disclosure_Data_FY16_updated.xlsx" in names
    )
    with open(tmp_path / "a" / GROUND_TRUTH_FILE, encoding="utf-8") as handle:
        truth = list(csv.DictReader(handle))
    datasets = {row["dataset"] for row in truth}
    assert {"whd", "h2a", "debarment", "mspa"} <= datasets
    entities = {}
    for row in truth:
        entities.setdefault(row["entity_id"], set()).add(row["dataset"])
    assert any({"whd", "h2a", "debarment"} <= found for found in entities.values()), "some employer spans the datasets"


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path):
    for folder, seed in (("a", "5"), ("b", "5"), ("c", "6")):
        assert _run("sample", "--out", str(tmp_path / folder), "--scale", "0.002", "--seed", seed).exit_code == 0
    first, again, other = (_digests(tmp_path / f) for f in "abc")
    assert first == again
    assert first["WHD_enforcement.zip"] != other["WHD_enforcement.zip"]
