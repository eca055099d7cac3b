"""What a parser returns (`ParseResult`) and how per-member results of one file are stacked.

The steps of every parser live beside this: `text_cells` (load cells as text), `columns` (map the
header by meaning), `casting` (cast to the contract, set bad rows aside)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pyarrow as pa

from sources.common.casting import Cast
from sources.common.contract import TableContract


@dataclass
class ParseResult:
    """What a parser returns: the canonical table, notes on what it recognised or fixed, the
    published columns no layout knew (kept in `extra_columns`, reported by the gate as a warning),
    and the rows set aside at casting (SET_ASIDE_SCHEMA, one row per failing cell; None when none):
    plain data, written to audit.rejected_rows by the load."""

    table: pa.Table
    notes: list[str] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()
    set_aside: pa.Table | None = None

    @classmethod
    def of(cls, cast: Cast, notes: list[str], extra_columns: tuple[str, ...] = ()) -> ParseResult:
        """The result of one cast: its rows, and its rows set aside."""
        return cls(cast.table, notes, extra_columns, cast.set_aside if cast.set_aside.num_rows else None)


def concat_results(results: list[ParseResult], contract: TableContract) -> ParseResult:
    """Stack per-member/per-sheet results of one file into one result."""
    if not results:
        return ParseResult(contract.arrow_schema().empty_table())
    table = pa.concat_tables([r.table for r in results])
    notes = [note for r in results for note in r.notes]
    set_aside = [r.set_aside for r in results if r.set_aside is not None]
    return ParseResult(
        table,
        notes,
        unique_in_order(c for r in results for c in r.extra_columns),
        pa.concat_tables(set_aside) if set_aside else None,
    )


def unique_in_order(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))
