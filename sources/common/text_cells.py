"""Loading a published file's cells as text into DuckDB (CSV, Excel sheets, Arrow), with its header
normalised and a 1-based ``source_row``; sniffing a header; safe extraction of zip members.

No Python loop touches rows: the text table is what `casting` turns into the contract's types."""

from __future__ import annotations

import codecs
import csv
import re
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

import duckdb
import pyarrow as pa

from sources.common.errors import ParseError, Problem
from sources.common.sheet_shelf import shelve_sheet, shelved_sheet


def normalise_header(header: Iterable[str]) -> list[str]:
    """Strip BOMs, surrounding blanks and non-breaking spaces from header cells."""
    return [str(h).replace("\ufeff", "").replace("\xa0", " ").strip() for h in header]


def sniff_header(path: Path) -> list[str] | None:
    """The header of a CSV, of the first CSV member of a zip, or of a workbook's first sheet.

    Used to recognise a file by its contents whatever its name; None when the file cannot be read
    that way (the parser then says why). Header cells are normalised; blank Excel header cells
    (``__UNNAMED__n``) are left out.
    """
    import zipfile

    suffix = Path(path).suffix.lower()
    try:
        if suffix in (".xlsx", ".xls", ".xlsm"):
            import fastexcel

            sheet = fastexcel.read_excel(str(path)).load_sheet(0, n_rows=0)
            names = [c.name for c in sheet.available_columns()]
            return [h for h in normalise_header(names) if not h.startswith("__UNNAMED__")]
        if suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                members = sorted(n for n in archive.namelist() if n.lower().endswith(".csv"))
                if not members:
                    return None
                with archive.open(members[0]) as handle:
                    first = handle.readline().decode("utf-8", errors="replace")
            return normalise_header(next(csv.reader([first]), []))
        return normalise_header(csv_header(Path(path)))
    except Exception:  # any unreadable file: not recognised here, the parser names the problem
        return None


def load_csv_as_text(con: duckdb.DuckDBPyConnection, path: Path, table: str, *, file: str) -> list[str]:
    """Load a CSV (header row + data) into `table` as all-VARCHAR columns plus `source_row`.

    Bytes that are not UTF-8 (cp1252/latin-1 employer names) are transcoded line by line first.
    Returns the normalised header.

    Raises:
        ParseError: empty file, or a row whose shape does not match the header (e.g. truncated).
    """
    if path.stat().st_size == 0:
        raise ParseError(file, "not_empty", "the file is empty (0 bytes)")
    try:
        published_header = csv_header(path)
    except duckdb.InvalidInputException as error:
        raise ParseError(file, "not_empty", "the file has no header row") from error
    refuse_duplicated_header(normalise_header(published_header), file=file)
    try:
        _read_csv_into(con, path, table)
    except duckdb.InvalidInputException as error:
        if "unicode" not in str(error).lower():
            raise _csv_error(file, error) from error
        with tempfile.TemporaryDirectory() as tmp:
            utf8 = Path(tmp) / "utf8.csv"
            transcode_to_utf8(path, utf8)
            try:
                _read_csv_into(con, utf8, table)
            except duckdb.Error as retry_error:
                raise _csv_error(file, retry_error) from retry_error
    except duckdb.Error as error:
        raise _csv_error(file, error) from error
    header = [c for c in _columns(con, table) if c != "source_row"]
    if not header:
        raise ParseError(file, "not_empty", "the file has no header row")
    unnamed = [n for n, name in enumerate(normalise_header(header), start=1) if not name]
    if unnamed:
        problems = [Problem("header", "the header cell is blank", column=f"column {n}", row=1) for n in unnamed]
        raise ParseError(file, "header", f"header cells without a name at positions {unnamed}", problems)
    return _rename_normalised(con, table, header)


def _read_csv_into(con: duckdb.DuckDBPyConnection, path: Path, table: str) -> None:
    # Explicit dialect (the publications use RFC-4180 quoting), no sniffing, strict rows: a truncated
    # last row or an unterminated quote must fail, not be padded. One thread keeps row numbers in
    # file order.
    header = csv_header(path)
    columns = "{" + ", ".join(f"'{name.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for name in header) + "}"
    con.execute("SET threads = 1")
    try:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE "{table}" AS
            SELECT *, row_number() OVER () AS source_row
            FROM read_csv(?, header = true, auto_detect = false, columns = {columns}, delim = ',',
                          quote = '"', escape = '"', strict_mode = true, null_padding = false,
                          encoding = 'utf-8')
            """,
            [str(path)],
        )
    finally:
        con.execute("RESET threads")


def csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8", errors="replace", newline="") as handle:
        header = next(csv.reader(handle), [])
    if not header:
        raise duckdb.InvalidInputException("the file has no header row")
    return header


def _csv_error(file: str, error: Exception) -> ParseError:
    text = str(error)
    line = re.search(r"[Ll]ine:? (\d+)", text)
    row = int(line.group(1)) - 1 if line else None  # DuckDB counts the header line
    if "Expected Number of Columns" in text or "unterminated" in text.lower() or "quote" in text.lower():
        rule, message = "row_shape", "a row does not have the header's columns (truncated or malformed file)"
    else:
        rule, message = "csv_readable", "the CSV could not be read"
    detail = text.splitlines()[0][:300]
    return ParseError(file, rule, message, [Problem(rule, detail, row=row)])


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as cp1252 (latin-1 for the 5 bytes cp1252 leaves undefined)."""
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="strict") if _cp1252_defined(chunk) else chunk.decode("latin-1"), error.end


def _cp1252_defined(chunk: bytes) -> bool:
    return not any(b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) for b in chunk)


codecs.register_error("utf8_else_cp1252", _cp1252_fallback)


def decode_mixed(data: bytes) -> str:
    """UTF-8 text where stray non-UTF-8 bytes (cp1252 names in a UTF-8 file) are decoded as cp1252."""
    return data.decode("utf-8", errors="utf8_else_cp1252")


def transcode_to_utf8(source: Path, target: Path) -> int:
    """Rewrite a file as UTF-8, decoding stray non-UTF-8 bytes as cp1252. Returns the lines fixed."""
    fixed = 0
    with open(source, "rb") as src, open(target, "wb") as out:
        for line in src:
            text = decode_mixed(line)
            encoded = text.encode("utf-8")
            fixed += encoded != line
            out.write(encoded)
    return fixed


def refuse_duplicated_header(header: list[str], *, file: str) -> None:
    """Two header cells with one name: the file is refused naming them (which column is which cannot be told).

    Raises:
        ParseError: rule ``header``, naming each duplicated name and its positions.
    """
    positions: dict[str, list[int]] = {}
    for number, name in enumerate(header, start=1):
        positions.setdefault(name, []).append(number)
    duplicated = {name: at for name, at in positions.items() if len(at) > 1 and name}
    if duplicated:
        listed = "; ".join(f"{name!r} at columns {at}" for name, at in duplicated.items())
        problems = [Problem("header", "duplicated column name", column=name, row=1) for name in duplicated]
        raise ParseError(file, "header", f"the header names a column twice: {listed}", problems)


def load_arrow_as_text(con: duckdb.DuckDBPyConnection, data: pa.Table, table: str) -> list[str]:
    """Register an Arrow table of text cells as `table` with a 1-based `source_row`."""
    con.register("_arrow_in", data)
    try:
        con.execute(
            f'CREATE OR REPLACE TEMP TABLE "{table}" AS SELECT *, row_number() OVER () AS source_row FROM _arrow_in'
        )
    finally:
        con.unregister("_arrow_in")
    return _rename_normalised(con, table, [c for c in data.column_names])


OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # a legacy .xls (BIFF) workbook
ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx workbook is a zip


def refuse_misnamed_workbook(path: Path, *, file: str) -> None:
    """A legacy .xls saved under an .xlsx name (or the reverse) is refused saying so, not with a zip error.

    Raises:
        ParseError: rule ``workbook_format``, naming the real format and the name to give the file.
    """
    with open(path, "rb") as handle:
        head = handle.read(8)
    suffix = Path(file).suffix.lower() or path.suffix.lower()
    if suffix in (".xlsx", ".xlsm") and head == OLE2_MAGIC:
        real, name = "an old Excel 97-2003 workbook (.xls)", Path(file).with_suffix(".xls").name
    elif suffix == ".xls" and head[:4] == ZIP_MAGIC:
        real, name = "an Excel .xlsx workbook", Path(file).with_suffix(".xlsx").name
    else:
        return
    raise ParseError(
        file, "workbook_format", f"this file is {real} saved under a {suffix} name: rename it to {name} and load that"
    )


def read_excel_sheet_as_text(path: Path, *, file: str, sheet: int | str = 0) -> tuple[pa.Table, str]:
    """Read one sheet of an .xlsx/.xls as text cells (header in row 1). Returns (table, sheet name).

    Raises:
        ParseError: the workbook cannot be opened, or the sheet is missing or empty.
    """
    import fastexcel

    refuse_misnamed_workbook(path, file=file)
    shelved = shelved_sheet(path, sheet)
    if shelved is not None:
        return shelved
    try:
        reader = fastexcel.read_excel(str(path))
    except Exception as error:  # fastexcel raises its own hierarchy for every kind of bad workbook
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ParseError(file, "workbook_readable", f"not a readable Excel workbook: {first_line}") from error
    names = reader.sheet_names
    if isinstance(sheet, str) and sheet not in names:
        raise ParseError(file, "sheet", f"sheet {sheet!r} not found; the workbook has {names}")
    if not names:
        raise ParseError(file, "sheet", "the workbook has no sheets")
    try:
        loaded = reader.load_sheet(sheet, dtypes="string")
    except Exception as error:
        raise ParseError(file, "sheet", f"sheet {sheet!r} could not be read: {error}") from error
    data = loaded.to_arrow()
    if data.num_columns == 0:
        raise ParseError(file, "not_empty", f"sheet {loaded.name!r} is empty")
    shelve_sheet(path, sheet, data, loaded.name)
    return data, loaded.name


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [row[0] for row in con.execute(f'DESCRIBE "{table}"').fetchall()]


def _rename_normalised(con: duckdb.DuckDBPyConnection, table: str, header: list[str]) -> list[str]:
    normalised = normalise_header(header)
    for old, new in zip(header, normalised, strict=True):
        if old != new and new not in header:
            con.execute(f'ALTER TABLE "{table}" RENAME COLUMN "{old}" TO "{new}"')
    return normalised


def refuse_unsafe_members(names: list[str], *, file: str) -> None:
    """A zip whose member paths could point outside the folder it is extracted into is refused whole.

    Raises:
        ParseError: a member path is absolute (``/x``, ``C:x``) or climbs up (``../x``), also with ``\\``.
    """
    for name in names:
        parts = PurePosixPath(name.replace("\\", "/")).parts
        if name.startswith(("/", "\\")) or ".." in parts or (parts and ":" in parts[0]):
            raise ParseError(
                file,
                "zip_member_path",
                f"zip member {name!r} has a path that leaves the folder it is extracted into "
                "(absolute, or with '..'); the zip is refused: ask the publisher, or repack it",
            )


def _refuse_same_names(names: list[str], *, file: str) -> None:
    seen: dict[str, str] = {}
    for name in names:
        base = PurePosixPath(name).name
        if base in seen:
            raise ParseError(file, "zip_members", f"zip members {seen[base]!r} and {name!r} have the same file name")
        seen[base] = name


# Zip members are checked before they are read: the real publications' CSV members are at most a few
# GB and compress 5-10 times; a zip bomb (1 MB of zip holding GBs of zeros) compresses ~1000 times.
MAX_MEMBER_BYTES = 20 * 1024**3
MAX_COMPRESSION_RATIO = 200


def _refuse_oversized_member(info, *, file: str, max_bytes: int, max_ratio: float) -> None:
    ratio = info.file_size / max(info.compress_size, 1)
    if info.file_size > max_bytes or ratio > max_ratio:
        raise ParseError(
            file,
            "zip_member_size",
            f"zip member {info.filename!r} declares {info.file_size:,} bytes from {info.compress_size:,} compressed "
            f"(ratio {ratio:,.0f}); the limits are {max_bytes:,} bytes and a ratio of {max_ratio:g}: "
            "not extracted (a zip bomb, or a file this warehouse does not expect)",
        )


def _extract_at_most(archive, info, target: Path, *, file: str) -> None:
    """Copy a member out, never more bytes than it declares (a lying header cannot fill the disk)."""
    written = 0
    with archive.open(info) as src, open(target, "wb") as out:
        while block := src.read(1 << 20):
            written += len(block)
            if written > info.file_size:
                raise ParseError(
                    file,
                    "zip_member_size",
                    f"zip member {info.filename!r} holds more than the {info.file_size:,} "
                    "bytes it declares: not extracted",
                )
            out.write(block)


def csv_members(
    zip_path: Path,
    target_dir: Path,
    *,
    file: str,
    skip: tuple[str, ...] = ("dictionary", "metadata"),
    keep: Callable[[str], bool] | None = None,
    max_bytes: int = MAX_MEMBER_BYTES,
    max_ratio: float = MAX_COMPRESSION_RATIO,
) -> list[Path]:
    """Extract the CSV members of a zip (skipping documentation members and those `keep` refuses), in name order.

    Raises:
        ParseError: not a zip, a member whose path leaves the folder it is extracted into (``../``, an
            absolute path), two CSV members with one name, no CSV member in it, or a member larger
            than `max_bytes` or compressed more than `max_ratio` times (a zip bomb), checked on its
            declared sizes before anything is read and on the bytes actually read.
    """
    import zipfile

    try:
        with zipfile.ZipFile(zip_path) as archive:
            refuse_unsafe_members(archive.namelist(), file=file)
            names = sorted(
                n
                for n in archive.namelist()
                if n.lower().endswith(".csv")
                and not any(s in n.lower() for s in skip)
                and not n.endswith("/")
                and (keep is None or keep(n))
            )
            if not names:
                raise ParseError(
                    file, "zip_members", f"no CSV file inside the zip (members: {archive.namelist()[:10]})"
                )
            _refuse_same_names(names, file=file)
            for name in names:
                _refuse_oversized_member(archive.getinfo(name), file=file, max_bytes=max_bytes, max_ratio=max_ratio)
            paths = []
            for name in names:
                target = target_dir / PurePosixPath(name).name
                _extract_at_most(archive, archive.getinfo(name), target, file=file)
                paths.append(target)
            return paths
    except zipfile.BadZipFile as error:
        raise ParseError(file, "zip_readable", f"not a readable zip file: {error}") from error
