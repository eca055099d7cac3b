"""`warehouse employer NAME`: a name typed in decomposed Unicode (N + combining tilde) finds the employer
published in composed form, and a part of any of its names finds it too."""

from __future__ import annotations

import unicodedata

import duckdb

from warehouse.access.employer import find_employers
from warehouse.publish.versions import publish
from warehouse.settings import WarehousePaths


def _published(home) -> WarehousePaths:
    paths = WarehousePaths.at(home).ensure()
    with duckdb.connect(str(paths.build_db)) as con:
        con.execute("create schema marts")
        con.execute(
            """create table marts.dim_employer as select * from (values
                ('E00000001', 'PEÑA FARMS LLC', 'FL', 3, ['PEÑA FARMS LLC', 'Pena Farms']),
                ('E00000002', 'OTHER ORCHARDS', 'WA', 1, ['OTHER ORCHARDS'])
            ) t(employer_id, employer_name, state_code, records, name_variants)"""
        )
    publish(paths, run_id="one")
    return paths


def test_a_name_typed_in_decomposed_unicode_finds_the_composed_one(tmp_path):
    paths = _published(tmp_path)
    typed = unicodedata.normalize("NFD", "peña")
    assert typed != "peña"
    assert [row[0] for row in find_employers(typed, paths)] == ["E00000001"]
    assert [row[0] for row in find_employers("pena", paths)] == ["E00000001"], "a variant matches too"
    assert [row[0] for row in find_employers("E00000002", paths)] == ["E00000002"]
