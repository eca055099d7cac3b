"""One package per public dataset, each with the same four parts: fetch, parse, sample, contract.

`ALL_SOURCES` is the registry the orchestration, CLI and docs iterate over.
"""

from __future__ import annotations

from importlib import import_module

from sources.common.spec import RawTableSpec, SourceSpec

SOURCE_MODULES = ("whd", "h2a", "h2b", "qcew", "debarment", "mspa")


def _load() -> tuple[SourceSpec, ...]:
    return tuple(import_module(f"sources.{name}").SOURCE for name in SOURCE_MODULES)


ALL_SOURCES: tuple[SourceSpec, ...] = _load()


def source(name: str) -> SourceSpec:
    for spec in ALL_SOURCES:
        if spec.name == name:
            return spec
    raise KeyError(f"unknown source {name!r}; known: {[s.name for s in ALL_SOURCES]}")


def all_tables() -> list[tuple[SourceSpec, RawTableSpec]]:
    return [(spec, table) for spec in ALL_SOURCES for table in spec.tables]
