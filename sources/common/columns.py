"""Columns by meaning: one dictionary per table of every spelling a real file gave each column.

A published header is matched column by column, not as a whole era: each published name is
reduced to its key (`spelling_key`: case, spaces and punctuation dropped, so ``PRIMARY/SUB``,
``Primary_Sub`` and ``H-2A``/``H_2A``/``H2A`` agree) and looked up among the spellings of each
canonical column. A header that holds the table's small required core loads, whatever its era;
every other canonical column is optional; a column no real file of this table showed goes to
``extra_columns`` with a warning. Each spelling names the real files it was read from, so a test
can drop the spellings only one file uses and see what that file is then told.

What belongs here: the matching. The spellings themselves live beside each source
(``sources/<source>/columns.py``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from sources.common.errors import Problem, UnknownLayoutError


@dataclass(frozen=True)
class Layout:
    """One publication era's header: published column name -> canonical column (None = dropped).

    `required` columns must be present for a file to be of this layout; every other known column
    may be absent. A column the layout does not know is an *extra* column: kept, reported, never fatal.
    """

    name: str
    columns: Mapping[str, str | None]
    required: frozenset[str] = field(default_factory=frozenset)

    def missing(self, header: set[str]) -> set[str]:
        return set(self.required) - header

    def unmapped(self, header: set[str]) -> set[str]:
        return header - set(self.columns)


@dataclass(frozen=True)
class LayoutMatch:
    """The layout a header belongs to, with canonical -> published names and the extra columns."""

    layout: Layout
    mapping: dict[str, str]
    extra: tuple[str, ...] = ()

    @property
    def notes(self) -> list[str]:
        extra = f"; extra columns kept in extra_columns: {list(self.extra)}" if self.extra else ""
        return [self.layout.name + extra]


_NOT_KEY = re.compile(r"[^A-Z0-9]")


def spelling_key(name: str) -> str:
    """How published column names compare: upper case, letters and digits only."""
    return _NOT_KEY.sub("", str(name).upper())


Spellings = Mapping[str, tuple[str, ...]]  # published spelling -> the real files that show it


@dataclass(frozen=True)
class ColumnDictionary:
    """The canonical columns of one table with every real spelling of each.

    Attributes:
        name: what the table's files are called in messages ("H-2A disclosure").
        columns: canonical column -> {spelling: real files showing it}.
        core: groups of canonical columns; a header must hold at least one column of every group.
        known: spellings real files show that the table does not load (dropped without a warning).
        table: the warehouse table the files load into.
    """

    name: str
    columns: Mapping[str, Spellings]
    core: tuple[tuple[str, ...], ...]
    known: Spellings = field(default_factory=dict)
    table: str | None = None

    def __post_init__(self) -> None:
        seen: dict[str, str] = {}
        for canonical, spellings in self.columns.items():
            for spelling in spellings:
                other = seen.setdefault(spelling_key(spelling), canonical)
                if other != canonical:
                    raise ValueError(f"{spelling!r} is a spelling of both {other!r} and {canonical!r}")
        for group in self.core:
            unknown = set(group) - set(self.columns)
            if unknown:
                raise ValueError(f"core columns {sorted(unknown)} are not columns of {self.name}")

    # --- look-ups ---------------------------------------------------------------------------------

    def _by_key(self) -> dict[str, str]:
        return {spelling_key(s): canonical for canonical, spellings in self.columns.items() for s in spellings}

    def _known_keys(self) -> set[str]:
        return {spelling_key(s) for s in self.known}

    def canonical_of(self, published: str) -> str | None:
        """The canonical column a published name means, None when it is not one this table loads."""
        return self._by_key().get(spelling_key(published))

    def spellings_of(self, canonical: str) -> tuple[str, ...]:
        return tuple(self.columns[canonical])

    def real_files(self) -> set[str]:
        """Every real file some spelling was read from."""
        every = [*self.columns.values(), self.known]
        return {f for spellings in every for files in spellings.values() for f in files}

    def without(self, spellings: Iterable[str]) -> ColumnDictionary:
        """The same dictionary with these spellings forgotten (for leave-one-out tests)."""
        dropped = {spelling_key(s) for s in spellings}

        def keep(table: Spellings) -> dict[str, tuple[str, ...]]:
            return {s: files for s, files in table.items() if spelling_key(s) not in dropped}

        return ColumnDictionary(
            self.name, {c: keep(s) for c, s in self.columns.items()}, self.core, keep(self.known), self.table
        )

    # --- matching ---------------------------------------------------------------------------------

    def holds_core(self, header: Iterable[str]) -> bool:
        present = {self.canonical_of(h) for h in header}
        return all(present & set(group) for group in self.core)

    def match(self, header: list[str], file: str, *, looks_like: str | None = None) -> LayoutMatch:
        """Map a header by meaning: canonical -> published name, unknown columns as extra.

        Args:
            looks_like: what the file appears to be when it is not this table (said on failure).

        Raises:
            UnknownLayoutError: two published columns mean the same thing, or the header lacks a
                column of the core (the message names what matched, what is missing, and what the
                file looks like).
        """
        by_key, known = self._by_key(), self._known_keys()
        mapping: dict[str, str] = {}
        extra: list[str] = []
        for published in header:
            canonical = by_key.get(spelling_key(published))
            if canonical is None:
                if spelling_key(published) not in known:
                    extra.append(published)
                continue
            if canonical in mapping:
                raise UnknownLayoutError(
                    file,
                    "header",
                    f"columns {mapping[canonical]!r} and {published!r} both mean {canonical!r} in a {self.name} "
                    "file: the header is ambiguous",
                    [Problem("header", f"second column meaning {canonical}", column=published, row=1)],
                )
            mapping[canonical] = published
        missing = [group for group in self.core if not set(group) & set(mapping)]
        if missing:
            raise self._core_missing(file, header, mapping, missing, extra, looks_like)
        layout = Layout(
            f"{self.name} (columns by meaning)",
            {published: canonical for canonical, published in mapping.items()},
            frozenset(mapping.values()),
        )
        return LayoutMatch(layout, mapping, tuple(extra))

    def _core_missing(self, file, header, mapping, missing, extra, looks_like) -> UnknownLayoutError:
        wanted = "; ".join(
            " or ".join(f"{c} (e.g. {', '.join(sorted(self.columns[c])[:3]) or 'no spelling known'})" for c in group)
            for group in missing
        )
        matched = ", ".join(f"{c}<-{p}" for c, p in mapping.items()) or "nothing"
        what = f" It looks like {looks_like}." if looks_like else ""
        problems = [
            Problem("header", "required column is missing", column=" or ".join(group), row=1) for group in missing
        ]
        problems += [Problem("header", "column no real file of this table showed", column=c, row=1) for c in extra]
        return UnknownLayoutError(
            file,
            "header",
            f"not a file of the {self.name} table: its {len(header)} columns lack {wanted}. Matched: {matched}. "
            f"Unrecognised columns: {extra[:12] or 'none'}{' ...' if len(extra) > 12 else ''}.{what}",
            problems,
        )


def extra_columns_warning(match: LayoutMatch) -> list[str]:
    """The warning a file gets for columns no real file of its table showed (kept in extra_columns)."""
    if not match.extra:
        return []
    return [f"warning: columns no real file of this table showed, kept in extra_columns: {list(match.extra)}"]
