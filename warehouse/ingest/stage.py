"""Parsed tables staged as Parquet between parsing and the gate-protected load.

A parsed table is written atomically to ``build/parsed/<raw table>.parquet`` (or one file per
partition); nothing in the build database changes until the gates accept it. Files that fail
parsing are reported one by one: every file of the load is tried, so one run names every bad file.
Rows the parser set aside (a value that does not cast, a blank key) are staged beside it
(``<partition>.set_aside.parquet``) and loaded into audit.rejected_rows with the table; a file with
too many of them is refused whole (warehouse/settings.py MAX_SET_ASIDE_SHARE).
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sources.common.archive import ArchivedFile
from sources.common.casting import SET_ASIDE_SCHEMA, set_aside_error, set_aside_rows, too_many_set_aside
from sources.common.parsing import ParseResult, unique_in_order
from sources.common.sheet_shelf import sheets_shelved
from sources.common.spec import RawTableSpec
from sources.common.storage import StorageError, clear_storage_errors
from warehouse.settings import MIN_SET_ASIDE_ROWS, TEMP_SUFFIX, max_set_aside_share


@dataclass(frozen=True)
class ParsedTable:
    """A parsed, not yet accepted, table: where its Parquet is and which raw files it came from.

    `rejections` holds one validation report (as a dict) per file that could not be parsed; such a
    table has no Parquet and its last accepted load is kept. `unchanged` says why the files were not
    parsed at all (warehouse/ingest/changes.py); `reload` that they are the last accepted load, read again
    from the raw archive. `set_aside_path` is the Parquet of the rows set aside at parsing
    (SET_ASIDE_SCHEMA, one row per failing cell; "" when none), `set_aside_rows` how many rows.
    """

    table_name: str
    parquet_path: str
    row_count: int
    files: tuple[ArchivedFile, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)
    partition: str | None = None
    extra_columns: tuple[str, ...] = ()
    rejections: tuple[dict, ...] = ()
    unchanged: str = ""
    reload: bool = False
    set_aside_path: str = ""
    set_aside_rows: int = 0
    # Loading by content difference: the Parquet of the new and changed rows only, whose values the gate
    # checks (its set-wide rules still read `parquet_path`); "" checks every row.
    value_check_path: str = ""

    @property
    def has_input(self) -> bool:
        """False when no file was available this run: the table keeps its last accepted load."""
        return bool(self.files)

    @property
    def is_rejected(self) -> bool:
        return bool(self.rejections)

    def to_dict(self) -> dict:
        return asdict(self)


class FilesRejected(Exception):
    """Raw files failed parsing; carries each file with its error so the caller can quarantine them."""

    def __init__(self, rejected: list[tuple[ArchivedFile, Exception]]):
        super().__init__("; ".join(f"{archived.filename}: {error}" for archived, error in rejected))
        self.rejected = rejected


class ParquetSink:
    """A Parquet file written part by part (a zip's members, a table's files) and published atomically
    on a clean exit: a big file is never held in memory whole, and readers never see half a file."""

    def __init__(self, target: Path, schema: pa.Schema):
        self.target, self.schema, self.rows = target, schema, 0
        self._tmp = target.with_suffix(".parquet" + TEMP_SUFFIX)
        self._writer: pq.ParquetWriter | None = None

    def __enter__(self) -> ParquetSink:
        with clear_storage_errors(self.target):
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._tmp, self.schema, compression="zstd")
        return self

    def write(self, part: pa.Table) -> None:
        with clear_storage_errors(self.target):
            self._writer.write_table(part.cast(self.schema))
        self.rows += part.num_rows

    def __exit__(self, error_type, *exc) -> None:
        try:
            with clear_storage_errors(self.target):
                self._writer.close()
                if error_type is None:
                    os.replace(self._tmp, self.target)
        finally:
            self._tmp.unlink(missing_ok=True)


@dataclass
class Parsed:
    """What parsing a table's files gave besides its rows: notes, extra columns, rows set aside."""

    notes: list[str] = field(default_factory=list)
    extra_columns: tuple[str, ...] = ()
    set_aside: pa.Table | None = None


def parse_into(table: RawTableSpec, files: list[ArchivedFile], sink: ParquetSink) -> Parsed:
    """Parse every file of a table into `sink`, one part at a time, in the contract's schema.

    Returns the parse notes, the extra (unknown) published columns met and the rows set aside.

    Raises:
        FilesRejected: every file that does not parse, or that has too many rows set aside (each with
            its error); the sink's file is then discarded by its context.
    """
    results = _parse_many(table, files) if table.parse_many and len(files) > 1 else None
    if results is not None:
        counts = _batch_counts(results)
        if any(_refusal(counts.get(f.filename, (0, None))) for f in files):
            results = None  # a file has too many rows set aside: parse file by file, so it alone is refused
    notes: list[str] = []
    extra: list[str] = []
    set_aside: list[pa.Table] = []

    def take(result: ParseResult) -> None:
        sink.write(result.table)
        notes.extend(result.notes)
        extra.extend(result.extra_columns)
        if result.set_aside is not None:
            set_aside.append(result.set_aside)

    if results is not None:
        for result in results:
            take(result)
    else:
        rejected = []
        for archived in files:
            try:
                # Parsers unpack into temp folders: a full disk there is not the file's fault, never a rejection.
                with clear_storage_errors(Path(tempfile.gettempdir())):
                    rows, aside = 0, []
                    for part in _parts(table, archived):
                        take(part)
                        rows += part.table.num_rows
                        aside += [part.set_aside] if part.set_aside is not None else []
                    error = _refusal((rows, pa.concat_tables(aside) if aside else None))
                    if error:
                        raise error
            except StorageError:
                raise
            except Exception as error:
                rejected.append((archived, error))
        if rejected:
            raise FilesRejected(rejected)
    aside_all = pa.concat_tables(set_aside) if set_aside else None
    return Parsed(notes + _set_aside_notes(aside_all), unique_in_order(extra), aside_all)


def _batch_counts(results: list[ParseResult]) -> dict[str, tuple[int, pa.Table | None]]:
    """Per file of a batch parse (each row names its file): rows kept and rows set aside (None: none)."""
    kept = Counter(file_of_row(name) for r in results for name in r.table.column("source_file").to_pylist())
    asides = [r.set_aside for r in results if r.set_aside is not None and r.set_aside.num_rows]
    aside = pa.concat_tables(asides) if asides else None
    owners = [file_of_row(name) for name in aside.column("source_file").to_pylist()] if aside is not None else []
    counts = {name: (rows, None) for name, rows in kept.items()}
    for name in set(owners):
        counts[name] = (kept.get(name, 0), aside.filter(pa.array([owner == name for owner in owners])))
    return counts


def file_of_row(source_file: str) -> str:
    """The file a row came from: its `source_file` up to '!' (a member of an archive follows the '!')."""
    return str(source_file).split("!")[0]


def _refusal(counts: tuple[int, pa.Table | None]):
    """The ParseError refusing a file whole when too many of its rows were set aside, else None."""
    kept, aside = counts
    bad = set_aside_rows(aside)
    share = max_set_aside_share()
    if not too_many_set_aside(bad, kept + bad, max_share=share, min_rows=MIN_SET_ASIDE_ROWS):
        return None
    error = set_aside_error(aside)
    limit = (
        f"{bad} of {kept + bad} rows fail: more than {MIN_SET_ASIDE_ROWS} rows and {share:.1%} of the file, "
        "or more than half of it, is a layout problem, not a bad row; the file is refused whole"
    )
    return type(error)(error.file, error.rule, f"{error.message} ({limit})", error.problems, error.failing_count)


def _set_aside_notes(aside: pa.Table | None) -> list[str]:
    """One note per file with rows set aside: how many, and why (rule and column: failing cells)."""
    if aside is None or aside.num_rows == 0:
        return []
    by_file: dict[str, dict] = {}
    for cell in aside.select(["source_file", "source_row", "rule", "column"]).to_pylist():
        entry = by_file.setdefault(cell["source_file"], {"rows": set(), "why": {}})
        entry["rows"].add(cell["source_row"])
        why = f"{cell['rule']} in {cell['column']}"
        entry["why"][why] = entry["why"].get(why, 0) + 1
    return [
        f"warning: {file}: {len(entry['rows'])} row(s) set aside into audit.rejected_rows ("
        + ", ".join(f"{why}: {n}" for why, n in entry["why"].items())
        + ")"
        for file, entry in by_file.items()
    ]


def _parts(table: RawTableSpec, archived: ArchivedFile) -> Iterator[ParseResult]:
    path, name, sha256 = Path(archived.path), archived.filename, archived.sha256
    if table.parse_parts is not None:
        yield from table.parse_parts(path, file=name, sha256=sha256)
    else:
        yield table.parse_file(path, file=name, sha256=sha256)


def _parse_many(table: RawTableSpec, files: list[ArchivedFile]) -> list[ParseResult] | None:
    """One pass over many small files; None when anything fails, so each file is then tried alone."""
    try:
        return table.parse_many([(Path(f.path), f.filename, f.sha256) for f in files])
    except Exception:
        return None


def write_parquet(data: pa.Table, target: Path) -> Path:
    """Write a Parquet file atomically (temp file + rename), so readers never see half a file."""
    with ParquetSink(target, data.schema) as sink:
        sink.write(data)
    return target


def stage(
    table: RawTableSpec,
    files: list[ArchivedFile],
    target: Path,
    *,
    partition: str,
    reload: bool = False,
    sheets: Path | None = None,
) -> ParsedTable:
    """Parse `files` into `target` (Parquet). With no file, nothing is written: the table keeps its last load.

    Args:
        sheets: where acquiring the files left the workbook sheets it read (sources/common/sheet_shelf.py):
            a sheet found there is not read from its workbook again (and is removed from there).

    Raises:
        FilesRejected: files that do not parse.
    """
    name = table.contract.table_name
    if not files:
        return ParsedTable(name, "", 0, (), ("no input file this run: the last accepted load is kept",), partition)
    shelf = sheets_shelved(sheets, take=True) if sheets is not None else nullcontext()
    with shelf, ParquetSink(target, table.contract.arrow_schema()) as sink:
        parsed = parse_into(table, files, sink)
    aside_path = set_aside_path(target)
    aside_path.unlink(missing_ok=True)
    if parsed.set_aside is not None:
        write_parquet(parsed.set_aside.cast(SET_ASIDE_SCHEMA), aside_path)
    return ParsedTable(
        name,
        str(target),
        sink.rows,
        tuple(files),
        tuple(parsed.notes),
        partition,
        parsed.extra_columns,
        reload=reload,
        set_aside_path=str(aside_path) if parsed.set_aside is not None else "",
        set_aside_rows=set_aside_rows(parsed.set_aside),
    )


def set_aside_path(target: Path) -> Path:
    """Where the rows set aside of a staged table wait for its load: beside its Parquet."""
    return target.with_name(target.name.removesuffix(".parquet") + ".set_aside.parquet")


def unchanged_table(table: RawTableSpec, files: list[ArchivedFile], partition: str, verdict: str) -> ParsedTable:
    """The staged description of files not parsed because they did not change (`verdict` says how)."""
    return ParsedTable(table.contract.table_name, "", 0, tuple(files), (verdict,), partition, unchanged=verdict)


def rejected_table(table: RawTableSpec, files: list[ArchivedFile], reports: list[dict], partition: str) -> ParsedTable:
    """The staged description of a load whose files failed parsing: no Parquet, one report per bad file."""
    note = f"{len(reports)} file(s) rejected at parsing: the last accepted load is kept"
    return ParsedTable(table.contract.table_name, "", 0, tuple(files), (note,), partition, (), tuple(reports))
