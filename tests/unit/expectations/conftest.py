"""The staged WHD table the validation tests share: a sample with a few known bad values."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from sources.whd import SOURCE
from sources.whd.parse import parse_file
from warehouse.ingest.stage import write_parquet


@pytest.fixture(scope="session")
def staged(tmp_path_factory):
    from sources.common.sample_world import SampleConfig, World

    folder = tmp_path_factory.mktemp("whd")
    (path,) = SOURCE.write_sample(World(SampleConfig(scale=0.01, seed=2)), folder)
    table = parse_file(path, file=path.name, sha256="0" * 64).table
    rows = table.num_rows
    # Two stray future dates (within the 0.1% tolerance) and three negative back wages.
    end = table.column("findings_end_date").to_pylist()
    end[10], end[2000] = date(3021, 5, 1), date(3021, 5, 1)
    wages = table.column("bw_atp_amt").to_pylist()
    for row in (5, 1500, 3000):
        wages[row] = -10.0
    table = table.set_column(
        table.schema.get_field_index("findings_end_date"), "findings_end_date", pa.array(end, pa.date32())
    )
    table = table.set_column(table.schema.get_field_index("bw_atp_amt"), "bw_atp_amt", pa.array(wages, pa.float64()))
    return write_parquet(table, folder / "staged.parquet"), rows
