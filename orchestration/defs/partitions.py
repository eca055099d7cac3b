"""Partitions: H-2A and H-2B data are published one file per federal fiscal year, so their assets are
partitioned by fiscal year and a single year can be reloaded (FY2000, H-2B's first file, to the current year)."""

from __future__ import annotations

from datetime import date

import dagster as dg

from orchestration.tags import FISCAL_YEARS_TAG, PARTITION_RANGE_END, PARTITION_RANGE_START

FIRST_FISCAL_YEAR = 2000  # H-2B: the first published file is FY2000 (H-2A: FY2006)


def current_fiscal_year(today: date | None = None) -> int:
    today = today or date.today()
    return today.year + (1 if today.month >= 10 else 0)


fiscal_year_partitions = dg.StaticPartitionsDefinition(
    [str(year) for year in range(FIRST_FISCAL_YEAR, current_fiscal_year() + 1)]
)

# Every partitioned asset shares this definition; a full build runs all of them in one run.
FULL_RANGE_TAGS = {
    PARTITION_RANGE_START: fiscal_year_partitions.get_partition_keys()[0],
    PARTITION_RANGE_END: fiscal_year_partitions.get_partition_keys()[-1],
}

# A run covers one range of partitions; to rebuild some fiscal years only (2016 and 2019, say), it
# spans their range and this tag names the years its assets work on: the others are left as they are.


def fiscal_years_tags(years: list[str]) -> dict[str, str]:
    """Run tags that rebuild only these fiscal years (partition keys) of the partitioned assets."""
    ordered = sorted(years)
    return {
        PARTITION_RANGE_START: ordered[0],
        PARTITION_RANGE_END: ordered[-1],
        FISCAL_YEARS_TAG: ",".join(ordered),
    }


def run_partition_keys(context) -> list[str]:
    """The fiscal years a run of a partitioned asset works on: its range, or the years FISCAL_YEARS_TAG names."""
    wanted = context.run.tags.get(FISCAL_YEARS_TAG)
    keys = list(context.partition_keys)
    return [key for key in keys if key in wanted.split(",")] if wanted else keys


default_partitions = [fiscal_year_partitions]

__all__ = [
    "FULL_RANGE_TAGS",
    "current_fiscal_year",
    "default_partitions",
    "fiscal_year_partitions",
    "fiscal_years_tags",
    "run_partition_keys",
]
