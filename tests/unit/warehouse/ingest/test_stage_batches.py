"""Many small files parsed in one pass (QCEW's hundreds of slices) are judged file by file: a file with
too many rows that do not cast is refused alone, the others parse (real QCEW slices)."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from sources import qcew
from sources.common.archive import RawArchive
from tests.real_fixtures import REAL
from warehouse.ingest.stage import FilesRejected, stage

QCEW = qcew.SOURCE.tables[0]
SLICES = ("api_2023_a_industry/10.csv", "api_2025_a_industry/10.csv", "api_2025_a_industry/3351.csv")


def _archived(tmp_path: Path, broken: str | None = None):
    archive = RawArchive(tmp_path / "raw")
    files = []
    for name in SLICES:
        source = REAL / "qcew" / name
        if name == broken:
            with open(source, encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            column = rows[0].index("annual_avg_emplvl")
            for row in rows[1:]:  # every row: more than half of the file
                row[column] = "N/A"
            source = tmp_path / "broken" / name.replace("/", "_")
            source.parent.mkdir(parents=True, exist_ok=True)
            with open(source, "w", encoding="utf-8", newline="") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
        files.append(archive.store_local(source, source="qcew", filename=name.replace("/", "_")))
    return files


def test_a_batch_of_good_slices_parses_every_row(tmp_path):
    files = _archived(tmp_path)
    parsed = stage(QCEW, files, tmp_path / "qcew.parquet", partition="all")
    by_file = pq.read_table(parsed.parquet_path).group_by("source_file").aggregate([("source_row", "count")])
    assert sorted(by_file.column("source_file").to_pylist()) == sorted(f.filename for f in files)
    assert parsed.row_count == sum(by_file.column("source_row_count").to_pylist())


def test_the_slice_with_too_many_bad_rows_is_refused_alone(tmp_path):
    files = _archived(tmp_path, broken="api_2025_a_industry/3351.csv")
    with pytest.raises(FilesRejected) as refused:
        stage(QCEW, files, tmp_path / "qcew.parquet", partition="all")
    ((archived, error),) = refused.value.rejected
    assert archived.filename == "api_2025_a_industry_3351.csv"
    assert error.rule == "types_parse" and "refused whole" in error.message
