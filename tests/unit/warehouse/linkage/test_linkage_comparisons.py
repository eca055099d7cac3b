"""The comparison levels added for issue #27, each on real pairs of published names and addresses
(tests/fixtures/real/linkage/, the FY2006/FY2012 H-2A and FY2010/FY2014 H-2B pairs): a level's SQL
condition is evaluated on the two records' features as splink evaluates it (columns `_l` / `_r`)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from warehouse.linkage.features import PROFILE_COLUMNS, features_sql, with_name_rarity
from warehouse.linkage.model import _ADDRESS_HOLDS_STREET, _NAME_HOLDS_OTHER, _similar_name


def _features(*rows: tuple[str, str | None]) -> list[dict]:
    """Features of records given as (name, street)."""
    count = len(rows)
    nothing = pa.array([None] * count, pa.string())
    table = pa.table(
        {
            "source": ["h2b"] * count,
            "record_id": [str(i) for i in range(count)],
            "role": ["employer"] * count,
            "employer_name": [name for name, _ in rows],
            "alternate_name": nothing,
            "street_address": pa.array([street for _, street in rows], pa.string()),
            **{c: nothing for c in ("city", "state_code", "zip_code", "phone", "naics_code", "fein", "agent_key")},
            "record_date": pa.array([None] * count, pa.date32()),
        }
    )
    with duckdb.connect() as con:
        con.register("records_in", table)
        con.execute(f"CREATE TABLE plain AS {features_sql('records_in')}")
        return con.sql(f"{with_name_rarity('plain')} ORDER BY record_key").to_arrow_table().to_pylist()


def _holds(condition: str, left: dict, right: dict) -> bool:
    """Whether splink's condition holds for the pair (left as `_l`, right as `_r`)."""
    columns = [c for c in PROFILE_COLUMNS if c in left]
    values = {f"{c}_l": left[c] for c in columns} | {f"{c}_r": right[c] for c in columns}
    select = ", ".join(f"${name} AS {name}" for name in values)
    with duckdb.connect() as con:
        return bool(con.execute(f"SELECT ({condition}) FROM (SELECT {select})", values).fetchall()[0][0])


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("ELBERTA VALLEY AGRICULTURE", "ELBERTA VALLEY AG"),  # h2a06v12: a short form of the last word
        ("LAVA LAKE LAND & LVST", "LAVA LAKE LAND & LIVESTOCK, LLC"),
        ("RAY KLUMP FARMS", "RAY KLUMPP FARMS"),  # a typo
        ("CANAM GOLF GROUPS, LLC", "Can-Am Golf Group LLC"),
    ],
)
def test_a_typo_or_short_form_is_a_similar_name(left, right):
    first, second = _features((left, None), (right, None))
    assert _holds(_similar_name(0.88), first, second)


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("NANTUCKET SEAFOOD", "NANTUCKET TENTS, LLC"),  # h2b10v14: two businesses of one town
        ("GREEN HILL LANDSCAPE, INC.", "Green A Landscape Company"),
        ("CAPT CHARLIE'S SEAFOOD, INC.", "Capt Neill's Seafood Inc"),
    ],
)
def test_look_alike_names_are_not_similar_names(left, right):
    first, second = _features((left, None), (right, None))
    with duckdb.connect() as con:  # Jaro-Winkler alone would call them a typo of one name
        assert (
            con.execute("SELECT jaro_winkler_similarity(?, ?)", [first["name_key"], second["name_key"]]).fetchall()[0][
                0
            ]
            >= 0.88
        )
    assert not _holds(_similar_name(0.88), first, second)


@pytest.mark.parametrize(
    ("left", "right", "holds"),
    [
        ("D & H FARMS, C/O HANK DAWSON", "D & H FARMS LLC", True),  # an owner added
        ("CLAUDE MCGAUGHEY, BARN #20", "Claude McGaughey", True),  # a barn number added
        ("NATURE'S WAY COMPLETE GROUNDS CARE, INC.", "Nature's Way, Inc.", True),
        ("SMITH FARMS", "SMITHFIELD FARMS", False),  # whole words only
        ("NANTUCKET SEAFOOD", "NANTUCKET TENTS", False),
    ],
)
def test_one_name_holding_the_other(left, right, holds):
    first, second = _features((left, None), (right, None))
    assert _holds(_NAME_HOLDS_OTHER, first, second) is holds


@pytest.mark.parametrize(
    ("left", "right", "holds"),
    [
        # h2b10v14: the FY2014 row (Ft. Polk LA) keeps the FY2010 Caseyville IL street as its mailing address
        (
            "1000 MILBURN SCHOOL ROAD",
            "100 Pendleton Corp. Mailing: 1000 Milburn Sch. Rd., Caseyville IL 62232",
            True,
        ),
        ("7425 W. 161st St", "606 State Rd TT Mailing: 7425 W 161st St Overland Park KS", True),
        ("1000 MILBURN SCHOOL ROAD", "21000 MILBURN AVE", False),  # another number
        ("PO BOX 5", "PO BOX 5 MAIN ST", False),  # a PO box is no street
    ],
)
def test_an_address_line_holding_the_others_street(left, right, holds):
    first, second = _features(("X", left), ("X", right))
    assert _holds(_ADDRESS_HOLDS_STREET, first, second) is holds


def test_an_underflowing_probability_is_floored_while_training_only():
    from splink.internals.comparison_level import M_U_CLAMP_MIN, ComparisonLevel
    from splink.internals.dialects import SplinkDialect

    from warehouse.linkage.model import probabilities_floored_while_training

    level = ComparisonLevel("name_l = name_r", SplinkDialect.from_string("duckdb"))
    with probabilities_floored_while_training():
        level.m_probability = 3.5e-323
        level.u_probability = 0.0
    assert (level.m_probability, level.u_probability) == (M_U_CLAMP_MIN, M_U_CLAMP_MIN)
    with pytest.raises(ValueError, match="below the minimum allowed"):
        level.m_probability = 3.5e-323
