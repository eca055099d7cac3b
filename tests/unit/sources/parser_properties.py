"""Shared pieces of the parser property tests (hypothesis): value strategies, a publisher-style CSV
writer and the checks every parser must pass.

Nothing here knows a parser's header maps. Each test module reads its published header from a real
fixture (tests/fixtures/real/<source>/) and states, on the test side, which published column holds
which kind of value; a `Column` pairs a published name with a strategy drawing (cell as written,
value the parser must give).
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import strategies as st

from sources.common.errors import ParseError

Parse = Callable[[Path], object]  # path -> ParseResult; the file name given to the parser is path.name

# Text as agencies publish it: any letter (non-ASCII too), digits, punctuation, and the characters that
# force CSV quoting (comma, double quote, newline). Blanks around a value are not part of it (the
# parsers trim), and a text always holds a letter, so it never reads as a number or a date.
_TEXT_CHARS = st.characters(
    categories=("L", "N", "P", "S"), include_characters=' ,"\n', exclude_characters="\r\x85\u2028\u2029"
)
LETTER = st.characters(categories=("L",))


@st.composite
def texts(draw, max_size: int = 30) -> str:
    body = draw(st.text(_TEXT_CHARS, max_size=max_size))
    letter = draw(LETTER)
    at = draw(st.integers(0, len(body)))
    return (body[:at] + letter + body[at:]).strip()


@dataclass(frozen=True)
class Column:
    """A published column the test fills: its name, its kind and how a cell is drawn.

    `cells` draws (written cell, expected typed value); `kind` says which other kinds of value it
    accepts when columns are swapped ("text" values never parse as a number, date or flag).
    """

    published: str
    canonical: str
    kind: str  # text | int | money | date | timestamp | bool | code
    cells: st.SearchStrategy[tuple[object, object]]


def nullable(cells: st.SearchStrategy[tuple[object, object]]) -> st.SearchStrategy[tuple[object, object]]:
    """A cell that may be blank: the parsers document blank -> NULL."""
    return st.one_of(st.just(("", None)), cells)


def text_cells(max_size: int = 30) -> st.SearchStrategy[tuple[str, str]]:
    return texts(max_size).map(lambda t: (t, t))


def int_cells(low: int = 0, high: int = 10**9, *, thousands: bool = True) -> st.SearchStrategy[tuple[str, int]]:
    """Whole numbers, sometimes written with thousands separators (which the parsers drop)."""
    styles = st.sampled_from(["{:d}", "{:,d}"] if thousands else ["{:d}"])
    return st.tuples(st.integers(low, high), styles).map(lambda p: (p[1].format(p[0]), p[0]))


def money_cells(high_cents: int = 10**11) -> st.SearchStrategy[tuple[str, float]]:
    """Dollar amounts with cents, never whole (so they never pass for a count)."""
    cents = st.integers(0, high_cents).filter(lambda c: c % 100)
    return cents.map(lambda c: (f"{c // 100}.{c % 100:02d}", float(f"{c // 100}.{c % 100:02d}")))


def dates(low: date = date(1900, 1, 1), high: date = date(2099, 12, 31)) -> st.SearchStrategy[date]:
    return st.dates(low, high)


def date_cells(fmt: Callable[[date], str], low: date = date(1900, 1, 1), high: date = date(2099, 12, 31)):
    return dates(low, high).map(lambda d: (fmt(d), d))


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]], *, newline: str = "\n") -> Path:
    """Write a CSV the way the publishers do: minimal quoting (only fields that need it), UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode("utf-8"))
    return path


def permuted(order: Sequence[int], cells: Sequence[object]) -> list[object]:
    return [cells[i] for i in order]


def typed_rows(result, columns: Sequence[str]) -> list[dict]:
    """The parsed rows restricted to `columns`, in file order."""
    return result.table.select(list(columns)).to_pylist()


def expected_rows(drawn: Sequence[Sequence[tuple[object, object]]], columns: Sequence[Column]) -> list[dict]:
    return [{c.canonical: cell[1] for c, cell in zip(columns, row, strict=True)} for row in drawn]


def assert_clear_error(parse: Parse, path: Path, *, rules: set[str] | None = None) -> ParseError:
    """The parser refuses the file with a ParseError naming it (and, if given, one of `rules`)."""
    with pytest.raises(ParseError) as raised:
        parse(path)
    error = raised.value
    assert error.file.split("!")[0] == path.name, f"the error names the file: {error.summary()}"
    assert error.summary().startswith(error.file), error.summary()
    if rules is not None:
        assert error.rule in rules, error.summary()
    return error


def parse_or_clear_error(parse: Parse, path: Path):
    """Parse; a refusal must be a ParseError naming the file (anything else fails the test)."""
    try:
        return parse(path)
    except ParseError as error:
        assert error.file.split("!")[0] == path.name, f"the error names the file: {error.summary()}"
        return None


def midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


@contextmanager
def scratch():
    """A fresh folder per hypothesis example (pytest's tmp_path is shared by all examples of a test)."""
    with tempfile.TemporaryDirectory(prefix="prop-") as folder:
        yield Path(folder)


@dataclass(frozen=True)
class CsvFormat:
    """One published CSV layout as the test knows it: the real header (from a fixture), the columns
    the test fills, and how a file of it is written and parsed."""

    header: tuple[str, ...]
    columns: tuple[Column, ...]
    file_name: str
    parse: Parse
    write: Callable[[Path, Sequence[str], Sequence[Sequence[object]]], Path] = write_csv
    fixed: dict[str, str] = field(default_factory=dict)  # published column -> the text every row has

    def __post_init__(self) -> None:
        unknown = {c.published for c in self.columns} - set(self.header)
        assert not unknown, f"columns not in the real header: {unknown}"

    def rows(self, min_size: int = 1, max_size: int = 4):
        """Lists of rows, each a tuple of drawn (cell, value) pairs, one per column of `columns`."""
        return st.lists(st.tuples(*(c.cells for c in self.columns)), min_size=min_size, max_size=max_size)

    def cells(self, drawn_row: Sequence[tuple[object, object]]) -> list[object]:
        """A full published row: the drawn cells where the test fills a column, else fixed text or blank."""
        by_name = {c.published: cell[0] for c, cell in zip(self.columns, drawn_row, strict=True)}
        return [by_name.get(h, self.fixed.get(h, "")) for h in self.header]

    def write_file(self, folder: Path, drawn, order: Sequence[int] | None = None, header=None) -> Path:
        order = list(order) if order is not None else list(range(len(self.header)))
        header = list(header) if header is not None else list(self.header)
        rows = [permuted(order, self.cells(row)) for row in drawn]
        return self.write(folder / self.file_name, permuted(order, header), rows)

    def expected(self, drawn) -> list[dict]:
        return expected_rows(drawn, self.columns)

    def parsed(self, path: Path) -> list[dict]:
        return typed_rows(self.parse(path), [c.canonical for c in self.columns])


# --------------------------------------------------------------------------------------------
# The properties every CSV parser must have
# --------------------------------------------------------------------------------------------

_FLAGS = {"Y", "YES", "TRUE", "T", "1", "N", "NO", "FALSE", "F", "0"}
TYPED_KINDS = {"int", "money", "date", "timestamp", "bool"}  # kinds a text (with a letter) never passes for


def check_round_trip(fmt: CsvFormat, drawn) -> None:
    with scratch() as folder:
        assert fmt.parsed(fmt.write_file(folder, drawn)) == fmt.expected(drawn)


def check_column_order_does_not_matter(fmt: CsvFormat, drawn, order: Sequence[int]) -> None:
    with scratch() as folder:
        assert fmt.parsed(fmt.write_file(folder, drawn, order)) == fmt.expected(drawn)


def check_random_bytes_are_refused(parse: Parse, name: str, data: bytes) -> None:
    with scratch() as folder:
        path = folder / name
        path.write_bytes(data)
        assert_clear_error(parse, path)


def check_truncation(fmt: CsvFormat, drawn, cut_at: float) -> None:
    """A cut file is refused naming it, or holds the first rows unchanged (a cut at a line end is a
    shorter file; a cut inside the last field of a row leaves a row no rule can tell from a real one,
    so that field is not compared)."""
    with scratch() as folder:
        path = fmt.write_file(folder, drawn)
        data = path.read_bytes()
        path.write_bytes(data[: max(1, int(len(data) * cut_at))])
        result = parse_or_clear_error(fmt.parse, path)
        if result is None:
            return
        parsed, expected = fmt.parsed(path), fmt.expected(drawn)
        assert len(parsed) <= len(expected)
        last = {c.canonical for c in fmt.columns if c.published == fmt.header[-1]}
        if parsed:
            assert parsed[:-1] == expected[: len(parsed) - 1]
            keep = [k for k in parsed[-1] if k not in last]
            assert {k: parsed[-1][k] for k in keep} == {k: expected[len(parsed) - 1][k] for k in keep}


def check_swapped_names(fmt: CsvFormat, drawn, pair: tuple[int, int]) -> None:
    """Two header names swapped against their data. Text under a typed column sets its rows aside
    ("types_parse", naming file and row; the stage refuses the file when they are many). Columns of
    the same kind swap unnoticed: no rule can tell two names or two counts apart, so the values follow
    the names (the parser reads by name), except rows where a blank lands under a key column: those are
    set aside ("required_value")."""
    a, b = (fmt.columns[i] for i in pair)
    header = list(fmt.header)
    ia, ib = header.index(a.published), header.index(b.published)
    header[ia], header[ib] = header[ib], header[ia]
    with scratch() as folder:
        path = fmt.write_file(folder, drawn, header=header)
        if a.kind == b.kind:
            swapped = [r | {a.canonical: r[b.canonical], b.canonical: r[a.canonical]} for r in fmt.expected(drawn)]
            result = fmt.parse(path)
            aside = set_aside_cells(result)
            assert {rule for rule, *_ in aside} <= {"required_value"}, aside  # a blank moved under a key column
            rows = {row for _, row, *_ in aside}
            kept = [r for n, r in enumerate(swapped, start=1) if n not in rows]
            assert typed_rows(result, [c.canonical for c in fmt.columns]) == kept
        else:
            assert_set_aside_or_refused(fmt.parse, path, rules={"types_parse"})


def assert_set_aside_or_refused(parse: Parse, path: Path, *, rules: set[str]) -> list[tuple]:
    """The parser sets rows aside for one of `rules` (issue #24), or refuses the file naming it."""
    try:
        result = parse(path)
    except ParseError:
        assert_clear_error(parse, path, rules=rules)
        return []
    aside = set_aside_cells(result)
    assert aside and {rule for rule, *_ in aside} <= rules, aside
    return aside


def text_under_typed_column(fmt: CsvFormat, drawn, pair: tuple[int, int]) -> bool:
    """True when the swap puts at least one text value under a typed column (that must then fail)."""
    a, b = (fmt.columns[i] for i in pair)
    for text_col, typed_col in ((a, b), (b, a)):
        if text_col.kind != "text" or typed_col.kind not in TYPED_KINDS:
            continue
        index = fmt.columns.index(text_col)
        values = [row[index][1] for row in drawn if row[index][1] is not None]
        if typed_col.kind == "bool":
            values = [v for v in values if v.upper() not in _FLAGS]
        if typed_col.kind in ("date", "timestamp"):
            values = [v for v in values if not any(ch.isdigit() for ch in v)]
        if values:
            return True
    return False


def swappable_pairs(fmt: CsvFormat) -> st.SearchStrategy[tuple[int, int]]:
    """Pairs of filled columns of the same kind, or a text column with a typed one."""
    pairs = [
        (i, j)
        for i, a in enumerate(fmt.columns)
        for j, b in enumerate(fmt.columns)
        if i < j and (a.kind == b.kind or ({a.kind, b.kind} & {"text"} and {a.kind, b.kind} & TYPED_KINDS))
    ]
    return st.sampled_from(pairs)


def set_aside_cells(result) -> list[tuple]:
    """(rule, row, column, raw value) of every cell a parse result set aside."""
    if result.set_aside is None:
        return []
    return [(c["rule"], c["source_row"], c["column"], c["value"]) for c in result.set_aside.to_pylist()]
