"""Data-quality suites, one per parsed source table, run as blocking Dagster asset checks before
a table may be loaded. Rules are code (reviewable in `expectations/<source>.py`); Great
Expectations is the engine (`expectations/validate.py`)."""

from __future__ import annotations

from importlib import import_module

from expectations.rules import Suite

# source -> module holding `build_suites()`, which returns {raw table name: Suite}.
SUITE_MODULES = {
    "whd": "expectations.whd",
    "h2a": "expectations.h2a",
    "qcew": "expectations.qcew",
    "debarment": "expectations.debarment",
    "mspa": "expectations.mspa",
}


def suite_for(table_name: str) -> Suite:
    """The suite of a raw table, built fresh (date bounds depend on today).

    Raises:
        KeyError: no suite covers the table -- every parsed table must have one.
    """
    source = table_name.removeprefix("raw_").split("__")[0]
    module = SUITE_MODULES.get(source)
    suites = import_module(module).build_suites() if module else {}
    if table_name not in suites:
        raise KeyError(f"no data-quality suite for {table_name}; add one in expectations/{source}.py")
    return suites[table_name]
