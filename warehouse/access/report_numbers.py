"""How the report writes numbers: one rule per kind, the same in its tables, its sentences and its charts.

- count: a whole number with thousands separators (3,848).
- money: dollars without cents ($570,245, as the leads' reasons write them); from a million up in millions
  or billions with at most one decimal ($2.5 million, $1 billion).
- percent: a whole percent (80%), with one decimal under 10% (4.5%; but 0%); `signed` puts + before a rise.
- rate: one decimal (12.5); a rate above zero that would round to 0.0 is "<0.1", so a bar never reads 0.

A value a source has not published is NOT_PUBLISHED (–), never 0. Charts write their values with these
functions and their axis labels with the same rules as Vega expressions (`COUNTS`, `MONEY`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

NOT_PUBLISHED = "–"
_MONEY_UNITS = ((1e9, "billion"), (1e6, "million"))


def count(value) -> str:
    return NOT_PUBLISHED if pd.isna(value) else _fixed(value, 0)


def money(value) -> str:
    if pd.isna(value):
        return NOT_PUBLISHED
    for size, unit in _MONEY_UNITS:
        if abs(value) >= size:
            return f"${_fixed(value / size, 1).removesuffix('.0')} {unit}"
    return f"${_fixed(value, 0)}"


def percent(share, *, signed: bool = False) -> str:
    if pd.isna(share):
        return NOT_PUBLISHED
    points = Decimal(float(share)) * 100
    decimals = 1 if Decimal("0.05") <= abs(points) < Decimal("9.95") else 0  # 0.04% is 0%; 9.96% is 10%
    return f"{'+' if signed and share > 0 else ''}{_fixed(points, decimals)}%"


def rate(value) -> str:
    if pd.isna(value):
        return NOT_PUBLISHED
    return "<0.1" if 0 < value < 0.05 else _fixed(value, 1)


def _fixed(value, decimals: int) -> str:
    """`value` (any real number, numpy's too) with `decimals` decimals and thousands separators, a half
    rounded away from zero (7.25 is 7.3) as the charts' renderer does, where Python's format rounds to even."""
    return f"{Decimal(float(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP):,}"


@dataclass(frozen=True)
class NumberRule:
    """One kind of number for a chart: `write` for the text the page shows (and screen readers say),
    `axis_expr` the same rule as a Vega expression over `datum.value` for axis labels, and whether
    axis ticks fall only on whole numbers (a count of 0.5 cases is no tick)."""

    write: Callable[[object], str]
    axis_expr: str
    whole: bool = False


def _vega_money() -> str:
    """`money` as a Vega expression."""
    expression = "'$' + format(datum.value, ',.0f')"
    for size, unit in reversed(_MONEY_UNITS):
        expression = (
            f"abs(datum.value) >= {size:.0f} ? '$' + format(datum.value / {size:.0f}, ',.1~f') + ' {unit}' "
            f": {expression}"
        )
    return expression


COUNTS = NumberRule(count, "format(datum.value, ',.0f')", whole=True)
MONEY = NumberRule(money, _vega_money())
