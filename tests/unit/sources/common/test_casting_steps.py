"""The cast in two steps (numbers cast plainly before they are cleaned; a cell's number and a date's zone
computed once) gives what one expression per column gives (`typed_expression`, the reference), on real
files, the embedded sample and bad values, rows set aside included."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sources.common.casting import _cleaned_number, _number, _q, cast_to_contract, sql_literal, typed_expression
from sources.common.duckdb_memory import in_memory_connection
from sources.common.text_cells import load_csv_as_text
from sources.whd import SOURCE as WHD
from sources.whd.columns import COLUMNS
from sources.whd.contract import COMPLIANCE_ACTIONS
from tests.real_fixtures import SHARED_SAMPLES, shared_sample

# Cells a number column can hold: plain, with the separators the cleaning drops, and what a plain
# cast might read differently (exponents, underscores, hex, words, inner blanks, tabs).
TRICKY_CELLS = (
    "0", "12", "-3", "+4", "1.5", ".5", "5.", "1e3", "-2.5E-2", "1,234", "1,234.56", "$5", "$1,000.00",
    "(12.5)", "($7)", " 7 ", "\t8", "8\t", "1 000", "1_000", "0x1F", "nan", "NaN", "inf", "-Infinity",
    "1.2.3", "abc", "", " ", "()", "(-1)", "--1", "9007199254740993", "1e400", "12-", "١٢",
)  # fmt: skip


def _differ(column: str) -> str:
    """SQL: the plain-first number of a cell differs from the cleaned one."""
    plain, cleaned = _number(_q(column)), _cleaned_number(_q(column))
    return f"{plain} IS DISTINCT FROM {cleaned} AND NOT (isnan({plain}) AND isnan({cleaned}))"


def _disagreements(con, table: str, columns: list[str]) -> dict[str, int]:
    """column -> how many of its cells the two ways read differently (none expected), in one scan."""
    counts = con.execute(f'SELECT {", ".join(f"count_if({_differ(c)})" for c in columns)} FROM "{table}"').fetchone()
    return {c: n for c, n in zip(columns, counts, strict=True) if n}


def test_plain_cast_first_reads_every_tricky_cell_as_cleaning_does():
    con = in_memory_connection()
    values = ", ".join(f"({sql_literal(v)})" for v in TRICKY_CELLS)
    con.execute(f"CREATE TABLE cells AS SELECT * FROM (VALUES {values}) AS t(cell)")
    assert _disagreements(con, "cells", ["cell"]) == {}
    # The cleaning still does its work (a test of the comparison itself).
    read = dict(con.execute(f"SELECT cell, {_number('cell')} FROM cells").fetchall())
    assert (read["1,234"], read["$1,000.00"], read["(12.5)"], read[" 7 "], read["abc"]) == (1234, 1000, -12.5, 7, None)


def _real_csvs() -> list[Path]:
    return sorted(p for p in SHARED_SAMPLES.rglob("*.csv") if p.is_file())


def test_plain_cast_first_reads_every_real_cell_as_cleaning_does():
    files = _real_csvs()
    if not files:
        shared_sample("whd_enforcement_bulk_real_rows.csv")  # skips, saying where the files are expected
    for path in files:
        con = in_memory_connection()
        header = load_csv_as_text(con, path, "_text", file=path.name)
        assert _disagreements(con, "_text", header) == {}, path.name


def _one_expression_per_column(con, mapping: dict[str, str]) -> tuple[list[dict], set[tuple[int, str]]]:
    """The reference: each column cast by its whole `typed_expression`; a row with a non-blank cell that
    does not cast, or a blank case_id, is left out; returns the kept rows and the failing (row, column)s."""
    columns = [c for c in COMPLIANCE_ACTIONS.columns if c.name in mapping]
    typed = ", ".join(f"{typed_expression(mapping[c.name], c.type, False)} AS {_q(c.name)}" for c in columns)
    rows = con.execute(f'SELECT source_row, {typed} FROM "_text" ORDER BY source_row').fetchall()
    text = {
        r[0]: r[1:]
        for r in con.execute(
            f'SELECT source_row, {", ".join(_q(mapping[c.name]) for c in columns)} FROM "_text"'
        ).fetchall()
    }
    failing, kept = set(), []
    for row in rows:
        number, values = row[0], dict(zip([c.name for c in columns], row[1:], strict=True))
        for column, cell in zip(columns, text[number], strict=True):
            if column.type != "string" and values[column.name] is None and (cell or "").strip():
                failing.add((number, mapping[column.name]))
        if values["case_id"] is None:
            failing.add((number, mapping["case_id"]))
        if not any(r == number for r, _ in failing):
            kept.append(values)
    return kept, failing


def _compare(path: Path) -> int:
    con = in_memory_connection()
    header = load_csv_as_text(con, path, "_text", file=path.name)
    match = COLUMNS.match(header, path.name)
    expected, failing = _one_expression_per_column(con, match.mapping)
    cast = cast_to_contract(con, "_text", COMPLIANCE_ACTIONS, match.mapping, file=path.name, sha256="0" * 64)
    got = cast.table.select([c for c in expected[0]] if expected else []).to_pylist()
    assert got == expected
    assert {(r["source_row"], r["column"]) for r in cast.set_aside.to_pylist()} == failing
    return len(expected)


def test_two_step_cast_equals_one_expression_per_column_on_the_real_whd_rows():
    assert _compare(shared_sample("whd_enforcement_bulk_real_rows.csv")) > 0


@pytest.mark.parametrize("era", [1, 2, 3])
def test_two_step_cast_equals_one_expression_per_column_on_the_embedded_sample(world, tmp_path, era):
    (path,) = WHD.write_sample(world, tmp_path, era=era)
    if path.suffix == ".zip":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            member = sorted(n for n in archive.namelist() if n.endswith(".csv"))[0]
            path = Path(archive.extract(member, tmp_path / "members"))
    assert _compare(path) > 0


def test_two_step_cast_equals_one_expression_per_column_on_bad_values(tmp_path):
    with open(shared_sample("whd_enforcement_bulk_real_rows.csv"), encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    spoil = {"BW_ATP_AMT": "12,5x", "EE_ATP_CNT": "1.5", "FINDINGS_START_DATE": "2019-13-01", "LOAD_DT": "soon"}
    spoiled = []
    for n, (column, value) in enumerate(spoil.items()):
        row = list(rows[n % len(rows)])
        row[header.index(column)] = value
        spoiled.append(row)
    blank_key = list(rows[0])
    blank_key[header.index("CASE_ID")] = " "
    path = tmp_path / "spoiled.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows, *spoiled, blank_key])
    assert _compare(path) == len(rows)
