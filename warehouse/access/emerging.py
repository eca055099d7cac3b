"""Emerging patterns (`marts.mart_emerging_patterns`, issue 29): cells whose latest complete fiscal year rose
above their own history. The one query `warehouse emerging` and the report share, and what they say when
nothing rose or when the warehouse was built before the mart existed.

Both callers pass a `Reader`: the command line reads the published copy through `run_query` (bounded,
read-only), the report through its own read-only connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from warehouse.access.report_numbers import count

EMERGING_SCHEMA, EMERGING_NAME = "marts", "mart_emerging_patterns"
EMERGING_TABLE = f"{EMERGING_SCHEMA}.{EMERGING_NAME}"

# What `warehouse emerging` shows of a row (and `is_emerging` too when unflagged cells are listed).
SHOWN_COLUMNS = (
    "emerging_rank",
    "fiscal_year",
    "sentence",
    "scope_label",
    "measure",
    "observed",
    "expected",
    "q_value",
)
# What the report draws of a row: the value against its expectation and its baseline's range.
CHARTED_COLUMNS = (
    "emerging_rank",
    "fiscal_year",
    "sentence",
    "scope_label",
    "observed",
    "expected",
    "baseline_first_year",
    "baseline_last_year",
    "baseline_min",
    "baseline_max",
)

# (sql, named parameters) -> (column names, rows)
Reader = Callable[[str, dict], tuple[list[str], list[tuple]]]


class MissingMartError(RuntimeError):
    """The warehouse was built before marts.mart_emerging_patterns existed."""


class UnknownMeasureError(ValueError):
    """--measure names no measure of the mart."""


class UnknownYearError(ValueError):
    """--year names a fiscal year the detector did not evaluate."""


@dataclass(frozen=True)
class EmergingFilters:
    measure: str | None = None
    state: str | None = None  # USPS code, any case
    year: int | None = None  # None: each measure's latest complete year (is_latest_year)
    include_unflagged: bool = False
    top: int | None = None  # None: every matching row


@dataclass(frozen=True)
class EmergingPatterns:
    columns: list[str]
    rows: list[tuple]  # flagged rows first, strongest first; at most `top`
    matching: int  # rows that match the filters before `top` cut them
    tested: int  # cells evaluated in those years (flagged or not)
    flagged: int
    years: list[int]  # the fiscal years evaluated (each measure's latest, or the one asked for)


# Rows of the year(s) asked for: `is_latest_year` is per measure's source, so the latest rows may span two years.
_EVALUATED = f"""FROM {EMERGING_TABLE}
    WHERE (CASE WHEN $year IS NULL THEN coalesce(is_latest_year, false) ELSE fiscal_year = $year END)
      AND ($measure IS NULL OR measure = $measure)
      AND ($state IS NULL OR state_code = upper($state))"""

_FLAGGED = "coalesce(is_emerging, false)"


def emerging_patterns(read: Reader, filters: EmergingFilters, columns: tuple[str, ...] = SHOWN_COLUMNS):
    """The flagged rows (and the unflagged ones with `include_unflagged`) of the year(s) asked for, strongest
    first: by emerging_rank, then the smallest q-value; with how many cells were tested.

    Raises:
        MissingMartError: the warehouse has no marts.mart_emerging_patterns.
        UnknownMeasureError, UnknownYearError: the filters name a measure or year the mart does not hold.
    """
    require_mart(read)
    _check_filters(read, filters)
    params = {"year": filters.year, "measure": filters.measure, "state": filters.state}
    _, ((tested, flagged, years),) = read(
        f"SELECT count(*), count(*) FILTER (WHERE {_FLAGGED}), list(DISTINCT fiscal_year ORDER BY fiscal_year) "
        + _EVALUATED,
        params,
    )
    shown = [*columns, "is_emerging"] if filters.include_unflagged and "is_emerging" not in columns else columns
    names, rows = read(
        f"SELECT {', '.join(shown)} {_EVALUATED} AND ($all OR {_FLAGGED})"
        f" ORDER BY {_FLAGGED} DESC, emerging_rank NULLS LAST, q_value NULLS LAST, fiscal_year DESC, scope_label,"
        " measure LIMIT $top",
        {**params, "all": filters.include_unflagged, "top": filters.top},
    )
    matching = tested if filters.include_unflagged else flagged
    return EmergingPatterns(names, rows, matching, tested, flagged, sorted(years or []))


def has_mart(read: Reader) -> bool:
    _, ((found,),) = read(
        "SELECT count(*) FROM information_schema.tables WHERE table_schema = $schema AND table_name = $name",
        {"schema": EMERGING_SCHEMA, "name": EMERGING_NAME},
    )
    return found > 0


def require_mart(read: Reader) -> None:
    if not has_mart(read):
        raise MissingMartError(
            f"this warehouse was built before {EMERGING_TABLE} existed, so it holds no emerging patterns; "
            "rebuild it with `warehouse build` (or `warehouse publish` to rebuild the marts from the raw "
            "tables it has)"
        )


def _check_filters(read: Reader, filters: EmergingFilters) -> None:
    if filters.measure is None and filters.year is None:
        return
    _, ((measures, years),) = read(
        f"SELECT list(DISTINCT measure ORDER BY measure), list(DISTINCT fiscal_year ORDER BY fiscal_year) "
        f"FROM {EMERGING_TABLE}",
        {},
    )
    measures, years = measures or [], years or []
    if filters.measure is not None and filters.measure not in measures:
        raise UnknownMeasureError(
            f"--measure: {filters.measure!r} is not a measure of {EMERGING_TABLE}; known: {', '.join(measures)}"
        )
    if filters.year is not None and filters.year not in years:
        held = f"it holds {year_range(years)}" if years else "it holds no year"
        raise UnknownYearError(f"--year: FY{filters.year} was not evaluated for emerging patterns; {held}")


def year_range(years: list[int]) -> str:
    """FY2024, or FY2012–FY2025."""
    first, last = min(years), max(years)
    return f"FY{first}" if first == last else f"FY{first}–FY{last}"


def years_phrase(years: list[int]) -> str:
    """Where a sentence says when: "in FY2025", or, when the sources' latest complete years differ, "in FY2024
    or FY2025 (the latest complete year of each source)"."""
    if len(years) == 1:
        return f"in FY{years[0]}"
    listed = ", ".join(f"FY{year}" for year in years[:-1]) + f" or FY{years[-1]}"
    return f"in {listed} (the latest complete year of each source)"


def nothing_rose(patterns: EmergingPatterns, filters: EmergingFilters = EmergingFilters()) -> str:
    """The truthful sentence when no cell is flagged: which year(s), and how many cells were tested."""
    narrowed = "".join(
        part
        for part in (
            filters.measure and f" of the measure {filters.measure}",
            filters.state and f" in {filters.state.upper()}",
        )
        if part
    )
    if not patterns.years:
        return f"No cell{narrowed} has enough complete years of history to be tested."
    tested = f"{count(patterns.tested)} cell{'' if patterns.tested == 1 else 's'} tested"
    when = f"in FY{filters.year}" if filters.year is not None else years_phrase(patterns.years)
    return f"No cell{narrowed} rose significantly above its own history {when} ({tested})."
