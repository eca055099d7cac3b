"""Parse the OFLC debarment PDFs (current program lists, expired H-2A list) into canonical tables.

The current "Program Debarments" PDF holds three ruled tables, each opened by a heading that is
also a merged first row: "Permanent Labor Certification Debarment List" (PERM, 7 columns with CFR
Citation), "H-2A ..." and "H-2B ..." (6 columns). A list continues on the next page without heading
or header; a page can end one list and start the next; cells wrap. The 2012-2015 editions have four
columns (``Employer Name | Employer Location | Start of Debarment | End of Debarment``: no entity
type, violation or citation), repeat the list heading on continuation pages, and in 2012-2014 merge
empty columns into the first table of a list. The expired H-2A PDF is one table:
``Name | City, State | Violation | Duration | Start date | End date``.

Rows are read with pdfplumber in page order, top to bottom, headings included (as a table row or
as page text). A row is data when its start or end cell parses as a date; header, heading and
spacer rows do not. Every header cell is read by meaning through the table's column dictionary
(case, whitespace and punctuation ignored) and the header checked against the known layouts (an
unknown one fails saying what matched and what is missing, never a guess), a data row must follow
a header of its list, and a date, duration or row shape that does not parse is an error naming
page, row, column and value. Other rows (footnotes, stray text) are skipped and reported in the
notes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sources.common.casting import cast_to_contract
from sources.common.contract import LINEAGE_COLUMNS, TableContract
from sources.common.duckdb_memory import in_memory_connection
from sources.common.errata import corrected
from sources.common.errors import MAX_EXAMPLES, ParseError, Problem, UnknownLayoutError
from sources.common.parsing import ParseResult
from sources.common.text_cells import load_arrow_as_text
from sources.debarment.cells import (
    _DASHES,
    PERMANENT,
    clean,
    duration_months,
    entity_type,
    header_key,
    looks_like_a_date,
    read_date,
    read_location,
    split_footnote,
)
from sources.debarment.contract import EXPIRED_H2A_DEBARMENTS, PROGRAM_DEBARMENTS

# The three lists of the current PDF, in publication order.
PROGRAM_HEADINGS: dict[str, str] = {
    "PERM": "Permanent Labor Certification Debarment List",
    "H-2A": "H-2A Labor Certification Debarment List",
    "H-2B": "H-2B Labor Certification Debarment List",
}
PROGRAM_COLUMNS = (
    "Entity",
    "Entity Type",
    "Employer Location",
    "Start of Debarment",
    "End of Debarment",
    "Violation",
    "CFR Citation",
)
EXPIRED_COLUMNS = ("Name", "City, State", "Violation", "Duration", "Start date", "End date")

# One column dictionary per table: canonical column -> every header spelling seen in a real file
# (tests/fixtures/real/debarment/PROVENANCE.md says where each was seen). Spellings are compared
# by meaning: case, whitespace and punctuation ignored (`header_key`), so a cell that wraps
# ('Start of\nDebarment') or runs its words together ('Start ofDebarment') is the same column.
PROGRAM_COLUMN_SPELLINGS: dict[str, tuple[str, ...]] = {
    "Entity": ("Entity", "Employer Name"),  # 'Employer Name': the 2012-2015 editions
    "Entity Type": ("Entity Type",),
    "Employer Location": ("Employer Location",),
    "Start of Debarment": ("Start of Debarment",),
    "End of Debarment": ("End of Debarment",),
    "Violation": ("Violation",),
    "CFR Citation": ("CFR Citation",),
}
# The column sets a program list is published with: PERM now (7), H-2A/H-2B now (6), and every list
# of the 2012-2015 editions (4: no Entity Type, Violation or CFR Citation).
PROGRAM_LAYOUTS: tuple[tuple[str, ...], ...] = (
    PROGRAM_COLUMNS,
    PROGRAM_COLUMNS[:6],
    ("Entity", "Employer Location", "Start of Debarment", "End of Debarment"),
)
EXPIRED_COLUMN_SPELLINGS: dict[str, tuple[str, ...]] = {column: (column,) for column in EXPIRED_COLUMNS}


def _heading_pattern(heading: str) -> str:
    return r"\s+".join(re.escape(word).replace(r"\-", _DASHES) for word in heading.split())


_HEADING_PATTERNS = {program: _heading_pattern(text) for program, text in PROGRAM_HEADINGS.items()}


# --------------------------------------------------------------------------------------------
# Cell helpers (also used by the sample and its tests)
# --------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------
# Reading the PDF into rows in reading order
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Item:
    page: int
    cells: tuple[str | None, ...] = ()
    heading: str | None = None  # program whose heading is at this position

    @property
    def text(self) -> str:
        return " ".join(c for c in self.cells if c)


def _read_items(path: Path, *, file: str, headings: dict[str, str]) -> tuple[list[_Item], list[str]]:
    """Every table row (and list heading) of the PDF, page by page, top to bottom.

    Raises:
        ParseError: empty or unreadable PDF, a page that cannot be read, or no table anywhere.
    """
    import pdfplumber

    if path.stat().st_size == 0:
        raise ParseError(file, "not_empty", "the file is empty (0 bytes)")
    try:
        pdf = pdfplumber.open(path)
    except Exception as error:  # pdfminer raises assorted types (PdfminerException, PSEOF, ...) for damaged files
        raise ParseError(file, "pdf_readable", f"not a readable PDF: {type(error).__name__}: {error}") from error
    items: list[_Item] = []
    without_tables: list[int] = []
    with pdf:
        if not pdf.pages:
            raise ParseError(file, "not_empty", "the PDF has no pages")
        for number, page in enumerate(pdf.pages, start=1):
            try:
                positioned = _page_items(page, number, headings)
            except Exception as error:  # a damaged page: name it
                raise ParseError(
                    file, "pdf_readable", f"page {number} could not be read: {type(error).__name__}: {error}"
                ) from error
            if not any(item.cells for _, _, item in positioned):
                without_tables.append(number)
            items += [item for _, _, item in sorted(positioned, key=lambda p: (p[0], p[1]))]
        page_count = len(pdf.pages)
    if len(without_tables) == page_count:
        raise ParseError(file, "pdf_tables", f"no table found on any page (pages 1-{page_count}): not a debarment list")
    notes = [f"{page_count} pages"]
    if without_tables:
        notes.append(f"pages without a table: {without_tables}")
    return items, notes


def _page_items(page, number: int, headings: dict[str, str]) -> list[tuple[float, int, _Item]]:
    positioned: list[tuple[float, int, _Item]] = []
    for table in page.find_tables():
        for row, cells in zip(table.rows, table.extract(), strict=True):
            positioned.append((row.bbox[1], 1, _Item(number, tuple(cells))))
    for program, pattern in headings.items():
        for match in page.search(pattern, regex=True, case=False, return_chars=False):
            positioned.append((match["top"], 0, _Item(number, heading=program)))
    return positioned


def _heading_in(text: str) -> str | None:
    for program, pattern in _HEADING_PATTERNS.items():
        if re.search(pattern, text, flags=re.IGNORECASE):
            return program
    return None


# --------------------------------------------------------------------------------------------
# Lists -> rows
# --------------------------------------------------------------------------------------------


class _Columns:
    """A table's column dictionary (canonical column -> real spellings) and the layouts it is published with."""

    def __init__(
        self, spellings: dict[str, tuple[str, ...]], layouts: tuple[tuple[str, ...], ...], start: str, end: str
    ):
        self.spellings, self.layouts, self.start, self.end = spellings, layouts, start, end
        self.first = next(iter(spellings))
        self._by_key = {header_key(s): column for column, known in spellings.items() for s in known}

    def column(self, cell: str) -> str | None:
        """The canonical column a header cell means, or None when no real file spells a column so."""
        return self._by_key.get(header_key(cell)) if cell else None


PROGRAM_TABLE = _Columns(PROGRAM_COLUMN_SPELLINGS, PROGRAM_LAYOUTS, "Start of Debarment", "End of Debarment")
EXPIRED_TABLE = _Columns(EXPIRED_COLUMN_SPELLINGS, (EXPIRED_COLUMNS,), "Start date", "End date")


@dataclass(frozen=True)
class _Header:
    """A checked header: the canonical column of every cell, None under an empty (merged) header cell."""

    positions: tuple[str | None, ...]

    @property
    def named(self) -> tuple[str, ...]:
        return tuple(c for c in self.positions if c)

    def read(self, cells: list[str]) -> dict[str, str] | None:
        """A row's cells by canonical column; None when the row does not have the header's shape.

        The 2012-2014 editions merge empty columns into the header and rows of a list's first table,
        and continue the list on the next page in a table without them: both shapes are read."""
        if len(cells) == len(self.positions):
            if any(cell for cell, column in zip(cells, self.positions, strict=True) if column is None):
                return None
            return {column: cell for column, cell in zip(self.positions, cells, strict=True) if column}
        if len(cells) == len(self.named):
            return dict(zip(self.named, cells, strict=True))
        return None


@dataclass
class _ListReader:
    """Walks the items, tracking the current list and its header; yields data rows with their page."""

    file: str
    columns: _Columns
    needs_heading: bool
    skipped: list[str]

    def rows(self, items: list[_Item]):
        program = None
        header: _Header | None = None
        pending: list[str] | None = None
        for item in items:
            heading = item.heading or _heading_in(item.text)
            if heading:
                if not self.needs_heading:
                    raise UnknownLayoutError(
                        self.file,
                        "header",
                        f"page {item.page}: the {heading} list heading "
                        "belongs to the current program-debarments PDF, not this list",
                    )
                # A new list; its heading repeated on a continuation page (2014-2015 editions) keeps the header.
                if heading != program:
                    program, header, pending = heading, None, None
                continue
            cells = [clean(c) for c in item.cells]
            if not any(cells):
                continue
            row = header.read(cells) if header else None
            is_data = self._is_data(cells, row)
            if not is_data and self._is_header(cells):
                pending = cells
                continue
            if pending is not None and not cells[0] and not is_data:  # header split over two rows
                pending = [f"{a} {b}".strip() for a, b in zip(pending, cells, strict=False)]
                continue
            if pending is not None:
                header, pending = self._check_header(pending, item.page, program), None
                row = header.read(cells)
                is_data = self._is_data(cells, row)
            if not is_data:
                self.skipped.append(f"page {item.page}: {item.text[:60]!r}")
                continue
            if self.needs_heading and program is None:
                raise ParseError(
                    self.file,
                    "list_heading",
                    f"page {item.page}: a debarment row comes before any list heading ({item.text[:60]!r})",
                )
            if header is None:
                raise UnknownLayoutError(
                    self.file,
                    "header",
                    f"page {item.page}: a data row comes before the {program or 'list'} header row "
                    f"(no row names the columns {list(self.columns.spellings)}); refusing to guess its columns",
                )
            if row is None:
                raise ParseError(
                    self.file,
                    "row_shape",
                    f"page {item.page}: a row has {len(cells)} cells but the "
                    f"header has {len(header.positions)} ({item.text[:60]!r})",
                )
            yield program, item.page, row
        if pending is not None and header is None:
            self._check_header(pending, items[-1].page, program)

    def _is_data(self, cells: list[str], row: dict[str, str] | None) -> bool:
        """A row whose start or end cell was meant as a date (readable or not: a bad date is an error).
        Without a header that fits the row, any date-like cell after the first makes it one."""
        if row is not None:
            return looks_like_a_date(row[self.columns.start]) or looks_like_a_date(row[self.columns.end])
        return any(looks_like_a_date(cell) for cell in cells[1:])

    def _is_header(self, cells: list[str]) -> bool:
        """A row that names the list's first column first, or names two of its columns."""
        first = next((cell for cell in cells if cell), "")
        known = [cell for cell in cells if self.columns.column(cell)]
        return self.columns.column(first) == self.columns.first or len(known) >= 2

    def _check_header(self, cells: list[str], page: int, program: str | None) -> _Header:
        """The header's columns by meaning; an unknown layout fails saying what matched and what is missing."""
        positions = tuple(self.columns.column(cell) for cell in cells)
        named = [column for column in positions if column]
        for layout in self.columns.layouts:
            if (
                len(named) == len(layout)
                and set(named) == set(layout)
                and all(column or not cell for cell, column in zip(cells, positions, strict=True))
            ):
                return _Header(positions)
        closest = max(self.columns.layouts, key=lambda layout: (len(set(layout) & set(named)), -len(layout)))
        matched = {cell: column for cell, column in zip(cells, positions, strict=True) if column}
        unknown = [cell for cell, column in zip(cells, positions, strict=True) if cell and not column]
        missing = [column for column in closest if column not in named]
        extra = [column for column in named if column not in closest]
        problems = [Problem("header", "column is in no known layout", column=c, row=0) for c in unknown]
        problems += [Problem("header", "column is not in the closest known layout", column=c, row=0) for c in extra]
        problems += [Problem("header", "required column is missing", column=c, row=0) for c in missing]
        raise UnknownLayoutError(
            self.file,
            "header",
            f"page {page}: unknown column layout of the {program or 'list'} table {cells}: "
            f"matched {matched}; not recognised {unknown}; missing {missing}"
            + (f"; not in that layout {extra}" if extra else "")
            + f" (closest known layout: {list(closest)})",
            problems,
        )


class _Cells:
    """Collects text cells for the contract, every tolerant read or erratum applied (per row, with its
    reason) and the values that fail to parse (with page and row)."""

    def __init__(self, file: str):
        self.file = file
        self.records: list[dict[str, str | None]] = []
        self.problems: list[Problem] = []
        self.failing = 0
        self.corrections: list[str] = []
        self.row_fixes: list[dict] = []
        self.warnings: list[str] = []

    def fix(self, column: str, published: str, corrected: str, reason: str, page: int) -> None:
        self.row_fixes.append({"column": column, "published": published, "corrected": corrected, "reason": reason})
        self.corrections.append(f"page {page}, {column}: {published!r} -> {corrected!r} ({reason})")

    def date(self, value: str, column: str, page: int, required: bool = False) -> str | None:
        value, erratum = corrected("debarment", column, value)
        if erratum:
            self.fix(
                column,
                erratum.published_value,
                value,
                f"erratum (sources/debarment/errata.csv): {erratum.reason}",
                page,
            )
        parsed, tolerated = read_date(value)
        if parsed is None and (value or required):
            self.fail(
                column,
                value,
                f"not a readable date (page {page}); add it to sources/debarment/errata.csv "
                "with the right date and the evidence if it is a known typo",
            )
        elif tolerated:
            self.fix(column, value, parsed.isoformat(), tolerated, page)
        return parsed.isoformat() if parsed else None

    def dates_in_order(self, record: dict[str, str | None], start: str, end: str, page: int) -> None:
        """Flag a row the publisher printed ending before it starts: loaded as published, with a warning."""
        inconsistent = bool(record["start_date"] and record["end_date"] and record["end_date"] < record["start_date"])
        record["has_inconsistent_dates"] = str(inconsistent).lower()
        if inconsistent:
            self.warnings.append(
                f"warning: {self.file}, page {page}, row {len(self.records) + 1}: {end} {record['end_date']} is "
                f"before {start} {record['start_date']} as published (rule: a debarment ends on or after it "
                "starts); loaded with has_inconsistent_dates = true"
            )

    def add(self, record: dict[str, str | None]) -> None:
        """Keep a row's cells with the corrections made while reading it."""
        record["corrections"] = json.dumps(self.row_fixes) if self.row_fixes else None
        self.records.append(record)
        self.row_fixes = []

    def fail(self, column: str, value: str, message: str) -> None:
        self.failing += 1
        if len(self.problems) < MAX_EXAMPLES:
            self.problems.append(Problem("types_parse", message, column=column, row=len(self.records) + 1, value=value))

    def raise_if_failed(self) -> None:
        if self.failing:
            columns = sorted({p.column for p in self.problems if p.column})
            raise ParseError(
                self.file,
                "types_parse",
                f"values that do not parse in: {', '.join(columns)}",
                self.problems,
                self.failing,
            )


def _name(cells: _Cells, published: str, column: str, page: int) -> tuple[str, str | None]:
    name, marker = split_footnote(published)
    if not name:
        cells.fail(column, published, f"the entity name is blank (page {page})")
    return name, marker


def _location(cells: _Cells, published: str, column: str, page: int, unknown: list[str]):
    city, state, known, tolerated = read_location(published)
    if tolerated:
        cells.fix(column, published, state, tolerated, page)
    if not known:
        unknown.append(published)
    return city, state


def parse_program_debarments(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse the current Program Debarments PDF into `raw_debarment__program_debarments` rows.

    Raises:
        ParseError: unreadable/empty PDF, no table, unknown header, a row before any list heading,
            a row of the wrong width, or a date that does not parse.
    """
    items, notes = _read_items(Path(path), file=file, headings=_HEADING_PATTERNS)
    skipped: list[str] = []
    reader = _ListReader(file, PROGRAM_TABLE, True, skipped)
    cells = _Cells(file)
    unknown_states: list[str] = []
    for program, page, row in reader.rows(items):
        name, marker = _name(cells, row["Entity"], "Entity", page)
        # Lists without an Entity Type column (2012-2015 editions): unknown, never guessed from 'Employer Name'.
        kind, cut_short = entity_type(row["Entity Type"]) if "Entity Type" in row else (None, None)
        if cut_short:
            cells.fix("Entity Type", row["Entity Type"], kind, cut_short, page)
        city, state = _location(cells, row["Employer Location"], "Employer Location", page, unknown_states)
        permanent = clean(row["End of Debarment"]).lower() == PERMANENT
        record = {
            "program": program,
            "entity_name": name,
            "is_marked_asterisk": str("*" in (marker or "")).lower(),
            "footnote_marker": marker,
            "entity_type": kind,
            "employer_location": row["Employer Location"],
            "city": city,
            "state_code": state,
            "start_date": cells.date(row["Start of Debarment"], "Start of Debarment", page, required=True),
            "end_date": None if permanent else cells.date(row["End of Debarment"], "End of Debarment", page),
            "is_permanent": str(permanent).lower(),
            "violation": row.get("Violation"),
            "cfr_citation": row.get("CFR Citation"),
            "source_page": str(page),
        }
        cells.dates_in_order(record, "Start of Debarment", "End of Debarment", page)
        cells.add(record)
    counts = {p: sum(r["program"] == p for r in cells.records) for p in PROGRAM_HEADINGS}
    notes.append("rows per list: " + ", ".join(f"{p} {n}" for p, n in counts.items()))
    return _finish(cells, PROGRAM_DEBARMENTS, notes, skipped, unknown_states, sha256=sha256)


def parse_expired_h2a_debarments(path: Path, *, file: str, sha256: str) -> ParseResult:
    """Parse the expired H-2A debarments PDF into `raw_debarment__expired_h2a_debarments` rows.

    Raises:
        ParseError: unreadable/empty PDF, no table, unknown header (including the current list's),
            a row of the wrong width, or a date or duration that does not parse.
    """
    items, notes = _read_items(Path(path), file=file, headings=_HEADING_PATTERNS)
    skipped: list[str] = []
    reader = _ListReader(file, EXPIRED_TABLE, False, skipped)
    cells = _Cells(file)
    unknown_states: list[str] = []
    for _, page, row in reader.rows(items):
        name, marker = _name(cells, row["Name"], "Name", page)
        city, state = _location(cells, row["City, State"], "City, State", page, unknown_states)
        months = duration_months(row["Duration"])
        if months is None and row["Duration"]:
            cells.fail("Duration", row["Duration"], f"not a duration like '2 years' or '18 months' (page {page})")
        record = {
            "entity_name": name,
            "is_marked_asterisk": str("*" in (marker or "")).lower(),
            "city": city,
            "state_code": state,
            "location_as_published": row["City, State"],
            "violation": row["Violation"],
            "duration_text": row["Duration"],
            "duration_months": None if months is None else str(months),
            "start_date": cells.date(row["Start date"], "Start date", page, required=True),
            "end_date": cells.date(row["End date"], "End date", page),
            "source_page": str(page),
        }
        cells.dates_in_order(record, "Start date", "End date", page)
        cells.add(record)
    return _finish(cells, EXPIRED_H2A_DEBARMENTS, notes, skipped, unknown_states, sha256=sha256)


def _finish(
    cells: _Cells,
    contract: TableContract,
    notes: list[str],
    skipped: list[str],
    unknown_states: list[str],
    *,
    sha256: str,
) -> ParseResult:
    cells.raise_if_failed()
    if not cells.records:
        raise ParseError(cells.file, "not_empty", "no debarment rows found (no row with a date in its date columns)")
    if skipped:
        notes.append(f"skipped {len(skipped)} non-data rows: {skipped[:5]}")
    notes += [f"read tolerantly or corrected (kept per row in corrections): {c}" for c in cells.corrections]
    notes += cells.warnings
    if unknown_states:
        notes.append(
            f"{len(unknown_states)} locations without a recognised state (state_code NULL or kept as "
            f"published): {sorted(set(unknown_states))[:10]}"
        )
    names = [c.name for c in contract.columns if c.name not in LINEAGE_COLUMNS]
    text = pa.table({n: pa.array([r[n] for r in cells.records], pa.string()) for n in names})
    with in_memory_connection() as con:
        load_arrow_as_text(con, text, "_text")
        cast = cast_to_contract(con, "_text", contract, {n: n for n in names}, file=cells.file, sha256=sha256)
    return ParseResult.of(cast, notes)


def _first_page_text(path: Path) -> str:
    import pdfplumber

    try:
        with pdfplumber.open(path) as pdf:
            return pdf.pages[0].extract_text() or "" if pdf.pages else ""
    except Exception:  # not a readable PDF: not recognised; the parser names the problem
        return ""


def is_program_debarments_pdf(path: Path) -> bool:
    """The PDF opens with one of the PERM / H-2A / H-2B debarment list headings."""
    return _heading_in(_first_page_text(path)) is not None


def is_expired_h2a_debarments_pdf(path: Path) -> bool:
    """The PDF's first page has the expired list's columns (a Duration column) and no current-list heading."""
    text = _first_page_text(path)
    return _heading_in(text) is None and bool(re.search(r"\bDuration\b", text)) and "City, State" in text
