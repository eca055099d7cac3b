"""The Parquet lake mirrors the raw tables (provenance columns included, H-2A by fiscal year in the Hive
layout), swapped whole into place; and the trained linkage model translates to Spark SQL unchanged."""

from __future__ import annotations

import duckdb

from sources.h2a import SOURCE as H2A
from sources.whd import SOURCE as WHD
from warehouse.ingest.lake import lake_table_dir, write_raw_table
from warehouse.ingest.load import connect, ensure_raw_table
from warehouse.linkage.model import for_spark
from warehouse.operations.leftovers import remove_leftovers
from warehouse.settings import WarehousePaths

DISCLOSURE = H2A.table("disclosure").contract


def _insert(paths: WarehousePaths, rows: list[tuple[int, str]]) -> None:
    ensure_raw_table(paths.build_db, DISCLOSURE)
    with connect(paths.build_db) as con:
        con.execute(f"DELETE FROM raw.{DISCLOSURE.table_name}")
        for year, case in rows:
            con.execute(
                f"INSERT INTO raw.{DISCLOSURE.table_name} (file_fiscal_year, case_number, case_row, source_file, "
                "source_sha256, source_row) VALUES (?, ?, 1, 'H-2A_FY.xlsx', 'abc', 7)",
                [year, case],
            )


def _read(folder) -> list[tuple]:
    return duckdb.sql(
        f"SELECT file_fiscal_year, case_number, source_file, source_sha256, source_row "
        f"FROM read_parquet('{folder}/*/*.parquet', hive_partitioning = true) ORDER BY case_number"
    ).fetchall()


def test_a_partitioned_raw_table_is_written_by_fiscal_year_with_its_provenance(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    _insert(paths, [(2023, "H-300-1"), (2024, "H-300-2"), (2024, "H-300-3")])
    folder = write_raw_table(paths, DISCLOSURE, "file_fiscal_year")
    assert folder == paths.lake_dir / "h2a" / "raw_h2a__disclosure" == lake_table_dir(paths, DISCLOSURE.table_name)
    assert sorted(p.name for p in folder.iterdir()) == ["file_fiscal_year=2023", "file_fiscal_year=2024"]
    assert _read(folder) == [
        (2023, "H-300-1", "H-2A_FY.xlsx", "abc", 7),
        (2024, "H-300-2", "H-2A_FY.xlsx", "abc", 7),
        (2024, "H-300-3", "H-2A_FY.xlsx", "abc", 7),
    ]
    # Written again, the table is replaced whole: a year no longer loaded disappears, nothing is left beside it.
    _insert(paths, [(2024, "H-300-9")])
    write_raw_table(paths, DISCLOSURE, "file_fiscal_year")
    assert sorted(p.name for p in folder.iterdir()) == ["file_fiscal_year=2024"]
    assert [row[1] for row in _read(folder)] == ["H-300-9"]
    assert sorted(p.name for p in folder.parent.iterdir()) == ["raw_h2a__disclosure"]


def test_an_empty_raw_table_still_has_its_schema_in_the_lake(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    contract = WHD.tables[0].contract
    folder = write_raw_table(paths, contract)
    columns = [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{folder}/*.parquet')").fetchall()]
    assert columns == list(contract.column_names)
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{folder}/*.parquet')").fetchall()[0][0] == 0


def test_a_half_written_lake_table_is_a_leftover(tmp_path):
    paths = WarehousePaths.at(tmp_path).ensure()
    unfinished = paths.lake_dir / "h2a" / ".raw_h2a__disclosure.1a2b3c4d.tmp"
    unfinished.mkdir(parents=True)
    assert unfinished in remove_leftovers(paths)
    assert not unfinished.exists()


def test_the_trained_model_is_the_same_model_in_spark_sql():
    model = {
        "sql_dialect": "duckdb",
        "probability_two_random_records_match": 0.001,
        "comparisons": [
            {
                "output_column_name": "name",
                "comparison_levels": [
                    {"sql_condition": '"name_key_l" IS NULL OR "name_key_r" IS NULL', "is_null_level": True},
                    {
                        "sql_condition": 'jaro_winkler_similarity("name_key_l", "name_key_r") >= 0.94',
                        "m_probability": 0.5,
                    },
                    {
                        "sql_condition": "regexp_matches(street_key_l, '[0-9]') AND "
                        "distinctive_state_l IS DISTINCT FROM distinctive_state_r",
                        "m_probability": 0.3,
                        "u_probability": 0.01,
                    },
                    {"sql_condition": "ELSE", "m_probability": 0.2},
                ],
            }
        ],
        "blocking_rules_to_generate_predictions": [{"blocking_rule": "l.zip5 = r.zip5", "sql_dialect": "duckdb"}],
    }
    spark = for_spark(model)
    levels = spark["comparisons"][0]["comparison_levels"]
    assert spark["sql_dialect"] == "spark" and model["sql_dialect"] == "duckdb"  # the original is left alone
    assert "jaro_winkler(" in levels[1]["sql_condition"].lower()
    assert "jaro_winkler_similarity" not in levels[1]["sql_condition"].lower()
    assert "regexp_matches" not in levels[2]["sql_condition"].lower()
    assert "`name_key_l`" in levels[0]["sql_condition"]
    assert levels[3]["sql_condition"] == "ELSE"
    assert [lvl.get("m_probability") for lvl in levels] == [None, 0.5, 0.3, 0.2]
    assert levels[2]["u_probability"] == 0.01
    assert spark["probability_two_random_records_match"] == 0.001
    assert spark["blocking_rules_to_generate_predictions"][0] == {
        "blocking_rule": "l.zip5 = r.zip5",
        "sql_dialect": "spark",
    }
