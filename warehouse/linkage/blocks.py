"""How big the blocks of the prediction are: per blocking rule, the key values that put the most profiles
together, and the comparisons they make (docs/linkage.md, "Blocks and incremental linkage").

    python -m warehouse.linkage.blocks --home DIR   # a built home's int_employer_records
    python -m warehouse.linkage.blocks --real       # the records of the hand-judged real pairs
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sources.common.duckdb_memory import in_memory_connection
from warehouse.linkage.features import PROFILE_COLUMNS, features_sql, with_name_rarity
from warehouse.linkage.model import BLOCKING_RULES, compares_columns_with_themselves, rule_columns


@dataclass(frozen=True)
class Block:
    rule: str
    key: str  # the key value(s), as text
    profiles: int  # profiles on either side with that key
    comparisons: int  # pairs the rule makes for that key


@dataclass(frozen=True)
class RuleBlocks:
    rule: str
    comparisons: int  # all pairs the rule makes (before the rules before it take theirs)
    largest: list[Block]


def profiles_of(records: pa.Table) -> pa.Table:
    """The distinct feature tuples (profiles) of employer records (as linkage forms them, overrides aside)."""
    if "agent_key" not in records.column_names:
        records = records.append_column("agent_key", pa.nulls(records.num_rows, pa.string()))
    with in_memory_connection() as con:
        con.register("records_in", records)
        con.execute(f"CREATE TABLE plain_features AS {features_sql('records_in')}")
        columns = ", ".join(PROFILE_COLUMNS)
        return con.sql(f"SELECT DISTINCT {columns} FROM ({with_name_rarity('plain_features')})").to_arrow_table()


def measure(profiles: pa.Table, *, top: int = 3) -> list[RuleBlocks]:
    """Per blocking rule: its comparisons, and its `top` largest blocks by comparisons."""
    with in_memory_connection() as con:
        con.register("profiles", profiles)
        return [_rule_blocks(con, rule, top) for rule in BLOCKING_RULES]


def _rule_blocks(con, rule: str, top: int) -> RuleBlocks:
    columns = rule_columns(rule)
    left = ", ".join(f"{lc} AS k{i}" for i, (lc, _) in enumerate(columns))
    right = ", ".join(f"{rc} AS k{i}" for i, (_, rc) in enumerate(columns))
    keys = ", ".join(f"k{i}" for i in range(len(columns)))
    not_null = " AND ".join(f"k{i} IS NOT NULL" for i in range(len(columns)))
    same_sides = compares_columns_with_themselves(rule)
    itself = " AND ".join(f"{lc} = {rc}" for lc, rc in columns)
    # One side's count n: n(n-1)/2 pairs; two sides (l.alt_key = r.name_key): every left with every right
    # but itself, in either order (splink keeps the pairs with l before r of each rule).
    pairs = "n_l * (n_l - 1) // 2" if same_sides else "n_l * n_r - coalesce(n_s, 0)"
    sides = "SELECT {0}, count(*) AS n_{1} FROM (SELECT {2} FROM profiles{4}) WHERE {3} GROUP BY ALL"
    rows = con.execute(
        f"""WITH l AS ({sides.format(keys, "l", left, not_null, "")}),
                 r AS ({sides.format(keys, "r", right, not_null, "")}),
                 s AS ({sides.format(keys, "s", left, not_null, f" WHERE {itself}")}),
                 blocks AS (
                     SELECT concat_ws(' | ', {keys}) AS key, n_l, n_r, CAST({pairs} AS HUGEINT) AS comparisons
                     FROM l JOIN r USING ({keys}) LEFT JOIN s USING ({keys}))
            SELECT key, CASE WHEN {same_sides} THEN n_l ELSE n_l + n_r END, comparisons,
                   sum(comparisons) OVER () FROM blocks ORDER BY comparisons DESC, key LIMIT {top}"""
    ).fetchall()
    largest = [Block(rule, key, int(n), int(c)) for key, n, c, _ in rows if c > 0]
    return RuleBlocks(rule, int(rows[0][3]) if rows else 0, largest)


def report(measured: list[RuleBlocks]) -> str:
    lines = []
    for rule in measured:
        lines.append(f"{rule.rule}: {rule.comparisons:,} comparisons")
        lines += [f"    {b.key!r}: {b.profiles:,} profiles, {b.comparisons:,} comparisons" for b in rule.largest]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="The largest prediction blocks of employer linkage.")
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--home", type=Path, help="a built warehouse home")
    where.add_argument("--real", action="store_true", help="the records of the hand-judged real pairs")
    parser.add_argument("--top", type=int, default=3)
    args = parser.parse_args(argv)
    if args.real:
        from warehouse.linkage.evaluation_runs import REAL_PAIR_SETS, read_real_records

        for pair_set in REAL_PAIR_SETS:
            profiles = profiles_of(read_real_records(pair_set.records))
            print(f"== {pair_set.name}: {profiles.num_rows:,} profiles")
            print(report(measure(profiles, top=args.top)))
        return
    from warehouse.linkage.store import read_records
    from warehouse.settings import WarehousePaths

    profiles = profiles_of(read_records(WarehousePaths.at(args.home).build_db))
    print(f"== {args.home}: {profiles.num_rows:,} profiles")
    print(report(measure(profiles, top=args.top)))


if __name__ == "__main__":
    main()
