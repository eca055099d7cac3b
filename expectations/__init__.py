"""Data-quality suites, one per parsed source table, run as blocking Dagster asset checks before
a table may be loaded. Rules are code (reviewable in `expectations/<source>.py`); Great
Expectations is the engine (`expectations/validate.py`)."""

from __future__ import annotations

from importlib import import_module

from expectations.rules import Suite
from sources import all_tables


def suite_module(source: str) -> str:
    """Each source's suites live in `expectations.<source>`, whose `build_suites()` returns
    {raw table name: Suite}; the sources themselves are listed once, in `sources.SOURCE_MODULES`."""
    return f"expectations.{source}"


def suite_for(table_name: str) -> Suite:
    """The suite of a raw table, built fresh (date bounds depend on today).

    Raises:
        KeyError: no suite covers the table -- every parsed table must have one.
    """
    source = next((spec.name for spec, table in all_tables() if table.contract.table_name == table_name), None)
    source = source or table_name.removeprefix("raw_").split("__")[0]
    try:
        suites = import_module(suite_module(source)).build_suites()
    except ModuleNotFoundError as error:
        if error.name != suite_module(source):  # the module exists but something it imports does not
            raise
        suites = {}
    if table_name not in suites:
        raise KeyError(f"no data-quality suite for {table_name}; add one in expectations/{source}.py")
    return suites[table_name]
