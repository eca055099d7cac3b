"""Partitions: H-2A data is published one workbook per federal fiscal year, so its assets are
partitioned by fiscal year and a single year can be reloaded (FY2008 to the current year)."""

from __future__ import annotations

from datetime import date

import dagster as dg

FIRST_H2A_FISCAL_YEAR = 2008


def current_fiscal_year(today: date | None = None) -> int:
    today = today or date.today()
    return today.year + (1 if today.month >= 10 else 0)


fiscal_year_partitions = dg.StaticPartitionsDefinition(
    [str(year) for year in range(FIRST_H2A_FISCAL_YEAR, current_fiscal_year() + 1)]
)

# Every partitioned asset shares this definition; a full build runs all of them in one run.
FULL_RANGE_TAGS = {
    "dagster/asset_partition_range_start": fiscal_year_partitions.get_partition_keys()[0],
    "dagster/asset_partition_range_end": fiscal_year_partitions.get_partition_keys()[-1],
}

default_partitions = [fiscal_year_partitions]

__all__ = ["FULL_RANGE_TAGS", "current_fiscal_year", "default_partitions", "fiscal_year_partitions"]
