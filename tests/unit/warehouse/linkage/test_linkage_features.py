"""Name and address normalisation for employer linkage, on real published spellings (the pairs file
of tests/fixtures/real/linkage/ and the issue's examples)."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from warehouse.linkage.features import features_sql, with_name_rarity

COLUMNS = ("employer_name", "alternate_name", "street_address", "city", "state_code", "zip_code", "phone")


def _features(*rows: tuple) -> list[dict]:
    data = {name: [row[i] for row in rows] for i, name in enumerate(COLUMNS)}
    count = len(rows)
    table = pa.table(
        {
            "source": ["h2a"] * count,
            "record_id": [str(i) for i in range(count)],
            "role": ["employer"] * count,
            **{k: pa.array(v, pa.string()) for k, v in data.items()},
            "fein": pa.array([None] * count, pa.string()),
            "naics_code": pa.array([None] * count, pa.string()),
            "agent_key": pa.array([None] * count, pa.string()),
            "record_date": pa.array([None] * count, pa.date32()),
        }
    )
    with duckdb.connect() as con:
        con.register("records_in", table)
        con.execute(f"CREATE TABLE plain AS {features_sql('records_in')}")
        return con.sql(f"{with_name_rarity('plain')} ORDER BY record_key").to_arrow_table().to_pylist()


def _row(name, alternate=None, street=None, city=None, state=None, zip_code=None, phone=None):
    return (name, alternate, street, city, state, zip_code, phone)


@pytest.mark.parametrize(
    ("left", "right", "column"),
    [
        ("B & W QUALITY GROWERS, INC.", "B and W Quality Growers", "name_key"),
        ("Henderson and Ross Trucking L.L.C.", "HENDERSON & ROSS TRUCKING, LLC", "name_key"),
        ("NÚÑEZ FIELD SERVICES CORP", "Nunez Field Services", "name_key"),
        ("Smith Bros. Fms, Co.", "SMITH BROTHERS FARMS", "name_key"),
        ("Dionisio Farms and Produce Inc", "Dionisio Produce and Farms, LLC", "sorted_key"),
        ("RAY E. HOLES/LAZY H LIVESTOCK", "LAZY H LIVESTOCK/RAY E HOLES", "sorted_key"),
    ],
)
def test_spellings_of_one_name_share_a_key(left, right, column):
    first, second = _features(_row(left), _row(right))
    assert first[column] == second[column] is not None


def test_dba_forms_give_both_names_either_way_round():
    x_dba_y, y_dba_x, trade = _features(
        _row("MANUEL BARAJAS DBA TM HARVESTING"),
        _row("TM Harvesting d/b/a Manuel Barajas"),
        _row("Manuel Barajas", alternate="T.M. Harvesting"),
    )
    assert (x_dba_y["name_key"], x_dba_y["alt_key"]) == ("MANUEL BARAJAS", "TM HARVESTING")
    assert (y_dba_x["name_key"], y_dba_x["alt_key"]) == ("TM HARVESTING", "MANUEL BARAJAS")
    assert trade["alt_key"] == "TM HARVESTING"


def test_addresses_numbers_and_phones_are_normalised():
    (row,) = _features(
        _row(
            "X",
            street="1200 North Main Street, Suite 4",
            city="Pueblo",
            state="co",
            zip_code="81001-1234",
            phone="(719) 555-0101",
        )
    )
    assert (
        row["street_key"],
        row["street_number"],
        row["city_key"],
        row["state"],
        row["zip5"],
        row["phone_digits"],
    ) == (
        "1200 N MAIN ST",
        "1200",
        "PUEBLO",
        "CO",
        "81001",
        "7195550101",
    )
    (box,) = _features(_row("X", street="29955 Richardson Dr P.O. Box 807"))
    assert "POBOX 807" in box["street_key"], "a PO box is one word wherever it stands"


def test_a_name_with_a_word_no_other_name_has_is_distinctive():
    selby, selby_again, smith, smith_other = _features(
        _row("SELBY HONEY LLC", state="MS"),
        _row("Selby Honey, LLC", state="SD"),
        _row("SMITH FARMS", state="TN"),
        _row("SMITH & JONES FARMS", state="KY"),
    )
    assert selby["distinctive_key"] == selby_again["distinctive_key"] == "HONEY SELBY"
    assert smith["distinctive_key"] is None and smith_other["name_rarity"] == 1  # JONES: no other name has it
