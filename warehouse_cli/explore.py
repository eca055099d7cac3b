"""Commands that read the published warehouse: query, tables, describe, search, shell, docs, report,
leads, emerging, employer, agent."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from warehouse.settings import DEFAULT_QUERY_TIMEOUT_SECONDS, QUERY_MEMORY_LIMIT_ENV, SECRET_ENVS
from warehouse_cli.app import HomeOption, _paths, _read_paths, _sole_writer, app, console, out
from warehouse_cli.render import (
    DEFAULT_TABLE_ROWS,
    OUTPUT_FORMATS,
    _atomic_output,
    _first_sentence,
    _name_table,
    _print_emerging_blocks,
    _print_rows,
    _rows_text,
    _write_batches,
)

AllowFilesOption = typer.Option(
    False,
    "--allow-files",
    help="Let the SQL read any file you may (read_csv('my_list.csv')); without it, only files under the "
    f"published folder. Refused while {' or '.join(SECRET_ENVS)} is set. Never the network.",
)
TimeoutOption = typer.Option(
    DEFAULT_QUERY_TIMEOUT_SECONDS,
    "--timeout",
    min=0,
    metavar="SECONDS",
    help="Stop a query that runs longer than this (0: no limit). Memory: " + QUERY_MEMORY_LIMIT_ENV + ".",
)


@app.command()
def query(
    sql: str = typer.Argument(None, help="SQL to run on the published warehouse (read-only)."),
    sql_file: Path = typer.Option(None, "--sql-file", help="Read the SQL from this file instead of the argument."),
    output_format: str = typer.Option("table", "--format", help="table, csv, json or parquet (with --output)."),
    limit: int = typer.Option(
        None,
        "--limit",
        min=1,
        help=f"At most this many rows (default: all for csv/json/parquet, {DEFAULT_TABLE_ROWS} for table).",
    ),
    output: Path = typer.Option(None, "--output", "-o", help="Write the csv/json/parquet to this file (atomically)."),
    allow_files: bool = AllowFilesOption,
    timeout: float = TimeoutOption,
    home: Path = HomeOption,
) -> None:
    """Run read-only SQL on the published warehouse (one query, bounded in time and memory)."""
    from warehouse.access.query import run_query, write_parquet

    text = _sql_text(sql, sql_file)
    _check_output(output_format, output, limit)
    paths = _read_paths(home)
    if output is not None:
        _refuse_output_in_home(output, paths)
    bounds = {"allow_files": allow_files, "timeout": timeout}
    if output_format == "table":
        shown = limit or DEFAULT_TABLE_ROWS
        result = _guarded(lambda: run_query(text, paths, limit=shown, **bounds))
        _print_rows(result.columns, result.rows, output_format)
        _say_if_cut(len(result.rows), result.total_rows, limit)
    elif output_format == "parquet":
        with _atomic_output(output) as tmp:
            written = _guarded(lambda: write_parquet(text, paths, tmp, **bounds))
        console.print(f"wrote {written:,} row(s) to {output}")
    else:
        written, total = _guarded(lambda: _stream_rows(text, paths, output_format, output, limit, bounds))
        if output:
            console.print(f"wrote {written:,} row(s) to {output}")
        _say_if_cut(written, total, limit)


def _stream_rows(text: str, paths, output_format: str, output: Path | None, limit: int | None, bounds: dict):
    """Write the csv/json rows as they are fetched, to `output` or stdout; (rows written, rows in all)."""
    from warehouse.access.query import open_query

    with open_query(text, paths, **bounds) as result:
        batches = result.batches(at_most=limit)
        if output:
            with _atomic_output(output) as tmp, open(tmp, "w", encoding="utf-8", newline="") as handle:
                written = _write_batches(handle, result.columns, batches, output_format)
        else:
            written = _write_batches(sys.stdout, result.columns, batches, output_format)
        rest = result.count_rest() if limit is not None and written == limit else 0
    return written, written + rest


def _say_if_cut(shown: int, total: int, limit: int | None) -> None:
    if total > shown:
        hint = f" (--limit {limit})" if limit is not None else "; use --format csv --output FILE for all"
        console.print(f"[yellow]showing {shown:,} of {total:,} rows[/yellow]{hint}")


def _sql_text(sql: str | None, sql_file: Path | None) -> str:
    """The SQL from the argument or --sql-file (exactly one); blank SQL is refused."""
    if (sql is None) == (sql_file is None):
        problem = "both an SQL argument and --sql-file" if sql is not None else "no SQL"
        console.print(f"[red]query: got {problem}; give the SQL as the argument or with --sql-file PATH.[/red]")
        raise typer.Exit(2)
    if sql_file is not None:
        try:
            sql = sql_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            console.print(f"[red]--sql-file: cannot read {sql_file}: {error}[/red]")
            raise typer.Exit(2) from error
    if not sql.strip():
        where = f"{sql_file} is empty" if sql_file is not None else "the SQL argument is empty"
        console.print(f"[red]query: no SQL to run: {where}.[/red]")
        raise typer.Exit(2)
    return sql


def _check_output(output_format: str, output: Path | None, limit: int | None) -> None:
    if output_format not in OUTPUT_FORMATS:
        console.print(f"[red]--format must be one of {', '.join(OUTPUT_FORMATS)}; got {output_format!r}[/red]")
        raise typer.Exit(2)
    if output is not None and output_format == "table":
        console.print("[red]--output writes csv, json or parquet: add --format csv (or json, parquet).[/red]")
        raise typer.Exit(2)
    if output_format == "parquet" and (output is None or limit is not None):
        problem = "needs --output FILE" if output is None else "writes every row: put a LIMIT in the SQL"
        console.print(f"[red]--format parquet {problem}.[/red]")
        raise typer.Exit(2)


def _refuse_output_in_home(output: Path, paths) -> None:
    """--output may not write under WAREHOUSE_HOME (symlinks resolved): it would replace published files,
    links or the archive that readers and builds trust."""
    path = output.expanduser()
    homes = {paths.home.absolute(), paths.home.resolve()}
    if any(where.is_relative_to(home) for where in (path.absolute(), path.resolve()) for home in homes):
        console.print(
            f"[red]--output: {output} is inside the warehouse home {paths.home}; write the file somewhere else.[/red]"
        )
        raise typer.Exit(2)


@app.command()
def tables(home: Path = HomeOption) -> None:
    """List every table and view of the published warehouse: description, grain, rows."""
    from warehouse.publish.catalog import list_tables

    found = _guarded(lambda: list_tables(_read_paths(home)))
    if out.width < 110:  # a narrow terminal: one block per table, so descriptions are not one word per line
        for table in found:
            out.print(f"[bold]{table.name}[/bold]  ({_rows_text(table.row_count) or '?'} rows)", soft_wrap=True)
            out.print(f"  {_first_sentence(table.description)}", markup=False)
            if table.grain:
                out.print(f"  grain: {table.grain}", markup=False)
        return
    listing = _name_table("table", "description", "grain", "rows")
    for table in found:
        listing.add_row(table.name, _first_sentence(table.description), table.grain, _rows_text(table.row_count))
    out.print(listing)


@app.command()
def describe(
    name: str = typer.Argument(..., metavar="TABLE", help="schema.table, or a table name (e.g. mart_trends)."),
    home: Path = HomeOption,
) -> None:
    """Describe one table: what it holds, its grain and rows, and every column with type and description."""
    from warehouse.publish.catalog import describe_table

    table, columns = _guarded(lambda: describe_table(_read_paths(home), name))
    out.print(f"[bold]{table.name}[/bold] ({table.table_type}, {_rows_text(table.row_count)} rows)")
    out.print(f"grain: {table.grain or '-'}")
    out.print(table.description or "(no description)")
    listing = _name_table("column", "type", "description")
    for column in columns:
        listing.add_row(column.name, column.data_type, column.description)
    out.print(listing)


@app.command()
def search(
    word: str = typer.Argument(..., help="Text to find in table and column names and descriptions."),
    home: Path = HomeOption,
) -> None:
    """Find the tables and columns whose name or description contains WORD (case-insensitive)."""
    from warehouse.publish.catalog import search as search_catalog

    if not word.strip():
        console.print("[red]search: give a word to look for.[/red]")
        raise typer.Exit(2)
    found_tables, found_columns = _guarded(lambda: search_catalog(_read_paths(home), word))
    if not found_tables and not found_columns:
        out.print(f"Nothing matches {word!r}; `warehouse tables` lists every table.")
        raise typer.Exit(1)
    if found_tables:
        listing = _name_table("table", "description", title=f"Tables matching {word!r}")
        for table in found_tables:
            listing.add_row(table.name, table.description)
        out.print(listing)
    if found_columns:
        listing = _name_table("table", "column", "type", "description", title=f"Columns matching {word!r}")
        for column in found_columns:
            listing.add_row(column.table, column.name, column.data_type, column.description)
        out.print(listing)


@app.command()
def shell(allow_files: bool = AllowFilesOption, timeout: float = TimeoutOption, home: Path = HomeOption) -> None:
    """An interactive read-only SQL prompt on the published warehouse (end statements with ';')."""
    from warehouse.access.query import run_query
    from warehouse.access.shell import SqlShell

    paths = _read_paths(home)
    bounds = {"allow_files": allow_files, "timeout": timeout}

    def run(sql: str) -> None:
        try:
            result = run_query(sql, paths, limit=DEFAULT_TABLE_ROWS, **bounds)
        except (*_read_errors(), KeyboardInterrupt) as error:
            console.print(f"[red]{str(error) or 'query cancelled (Ctrl-C)'}[/red]")  # and the prompt stays open
            return
        if result.columns:
            _print_rows(result.columns, result.rows, "table")
        if result.was_cut:
            console.print(f"[yellow]showing {len(result.rows):,} of {result.total_rows:,} rows[/yellow]")

    # fail now, not at the first statement, if nothing is published (or files are refused)
    _guarded(lambda: run_query("SELECT 1", paths, **bounds))
    SqlShell(
        run, intro=f"Read-only SQL on {paths.published_db}. End statements with ';'; .quit or Ctrl-D leaves."
    ).cmdloop()


@app.command()
def docs(
    serve: bool = typer.Option(False, "--serve", help="Then serve the site on 127.0.0.1 until Ctrl-C."),
    port: int = typer.Option(8080, "--port", min=1, max=65535, help="Port to serve on (with --serve)."),
    home: Path = HomeOption,
) -> None:
    """Generate the dbt documentation site (models, columns, lineage) of the published warehouse."""
    from warehouse.publish.dbt_docs import docs_server, generate_docs

    paths = _paths(home)
    try:
        site = generate_docs(paths)
    except RuntimeError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    out.print(f"dbt docs written to {site}")
    if not serve:
        out.print("Serve them:  warehouse docs --serve   (then open http://127.0.0.1:8080)")
        return
    try:
        server = docs_server(site, port)
    except OSError as error:
        console.print(f"[red]cannot serve on 127.0.0.1:{port}: {error}; choose another --port[/red]")
        raise typer.Exit(1) from error
    out.print(f"Serving the dbt docs on http://127.0.0.1:{server.server_port} (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        out.print("stopped")
    finally:
        server.server_close()


@app.command()
def report(
    output: Path = typer.Option(
        None, "--output", "-o", help="Folder to write report.html into (default: the current published version)."
    ),
    home: Path = HomeOption,
) -> None:
    """Write the report for leadership (report.html: trends, top sectors and states, leads, data quality)."""
    from warehouse.access.report import write_report
    from warehouse.publish.versions import write_into_current

    paths = _read_paths(home)
    try:
        if output:
            written = write_report(paths.published_db, output)
        else:
            with _sole_writer(paths, "report"):  # it writes into the current published version
                written = write_into_current(paths, write_report)
    except FileNotFoundError as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error
    out.print(str(written))


LEAD_COLUMNS = (
    "lead_rank, employer_id, employer_name, state_code, naics_sector, score, h2a_workers_certified, "
    "whd_cases, back_wages, reasons"
)
# --scope: every lead, or the employers in a hidden-work industry (mart_employer_leads.hidden_work_industry).
LEAD_SCOPES = ("all", "hidden-work")


@app.command()
def leads(
    state: str = typer.Option(None, "--state", help="Two-letter state code, e.g. NC."),
    industry: str = typer.Option(None, "--industry", help="NAICS sector, e.g. 11 (agriculture) or 31 (31-33)."),
    scope: str = typer.Option(
        "all",
        "--scope",
        help="all, or hidden-work: employers in a hidden-work industry (seed ref_hidden_work_industries).",
    ),
    top: int = typer.Option(20, "--top", help="How many leads to print."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    home: Path = HomeOption,
) -> None:
    """Print the ranked employer leads (marts.mart_employer_leads): which employers to look at and why."""
    if scope not in LEAD_SCOPES:
        raise typer.BadParameter(f"{scope!r} is not one of {', '.join(LEAD_SCOPES)}", param_hint="--scope")
    columns = LEAD_COLUMNS + (", hidden_work_industry" if scope == "hidden-work" else "")
    sql = f"""SELECT {columns} FROM marts.mart_employer_leads
        WHERE ($state IS NULL OR state_code = upper($state))
          AND ($sector IS NULL OR naics_sector = $sector OR naics_sector LIKE $sector || '-%'
               OR naics_sector LIKE '%-' || $sector)
          AND (NOT $hidden_work OR hidden_work_industry IS NOT NULL)
        ORDER BY lead_rank, employer_id LIMIT $top"""
    params = {"state": state, "sector": industry, "hidden_work": scope == "hidden-work", "top": top}
    result = _published_query(sql, home, params=params)
    if not result.rows:
        out.print("No lead matches these filters.")
        return
    _print_rows(result.columns, result.rows, output_format)


ROW_FORMATS = ("table", "csv", "json")  # the formats of commands that print rows (leads, emerging)


@app.command()
def emerging(
    measure: str = typer.Option(None, "--measure", help="Only this measure, e.g. child_labor_violations."),
    state: str = typer.Option(None, "--state", help="Two-letter state code, e.g. TX."),
    top: int = typer.Option(20, "--top", min=1, help="How many patterns to print."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    year: int = typer.Option(
        None, "--year", metavar="FY", help="This fiscal year (default: each measure's latest complete year)."
    ),
    all_cells: bool = typer.Option(False, "--all", help="Every cell tested, not only the flagged ones."),
    home: Path = HomeOption,
) -> None:
    """Print the emerging patterns (marts.mart_emerging_patterns): cells whose latest year rose above their history."""
    from warehouse.access.emerging import EmergingFilters, emerging_patterns, nothing_rose

    if output_format not in ROW_FORMATS:
        raise typer.BadParameter(f"{output_format!r} is not one of {', '.join(ROW_FORMATS)}", param_hint="--format")
    if state is not None and not (len(state.strip()) == 2 and state.strip().isalpha()):
        raise typer.BadParameter(f"{state!r} is not a two-letter state code (e.g. TX)", param_hint="--state")
    filters = EmergingFilters(
        measure=measure.strip().lower() if measure else None,
        state=state.strip().upper() if state else None,
        year=year,
        include_unflagged=all_cells,
        top=top,
    )
    paths = _read_paths(home)
    found = _guarded(lambda: emerging_patterns(_reader(paths), filters), usage_errors=_emerging_usage_errors())
    if not found.rows:
        out.print(nothing_rose(found, filters))
        return
    if output_format == "table" and out.width < 110:  # a narrow terminal: one block per row, the sentence whole
        _print_emerging_blocks(found.columns, found.rows)
    else:
        _print_rows(found.columns, found.rows, output_format)
    if found.matching > len(found.rows):
        console.print(f"[yellow]showing {len(found.rows):,} of {found.matching:,}[/yellow] (--top {top})")


def _reader(paths):
    """A Reader (warehouse.access.emerging) over the published copy: each query read-only and bounded."""
    from warehouse.access.query import run_query

    def read(sql: str, params: dict) -> tuple[list[str], list[tuple]]:
        result = run_query(sql, paths, params=params)
        return result.columns, result.rows

    return read


def _emerging_usage_errors() -> tuple[type[Exception], ...]:
    from warehouse.access.emerging import UnknownMeasureError, UnknownYearError

    return (UnknownMeasureError, UnknownYearError)


@app.command()
def employer(
    name_or_id: str = typer.Argument(..., metavar="NAME_OR_ID", help="An employer id (E00001234) or part of a name."),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    home: Path = HomeOption,
) -> None:
    """Print one employer's records across every source: WHD cases, H-2A filings, debarments, MSPA."""
    from warehouse.access.employer import RECORD_SECTIONS, find_employers

    paths = _read_paths(home)
    matches = _guarded(lambda: find_employers(name_or_id, paths))
    match_columns = ["employer_id", "employer_name", "state_code", "records"]
    _print_profile("employer", name_or_id, matches, match_columns, RECORD_SECTIONS, home, output_format)


@app.command()
def agent(
    name_or_id: str = typer.Argument(
        ..., metavar="NAME_OR_ID", help="An agent id (A1B2C3D4E5F6A) or part of an agent's name or law firm."
    ),
    output_format: str = typer.Option("table", "--format", help="table, csv or json."),
    home: Path = HomeOption,
) -> None:
    """Print one agent or attorney who files for employers: its employers, their WHD violations and debarments."""
    from warehouse.access.agent import AGENT_SECTIONS, find_agents

    paths = _read_paths(home)
    matches = _guarded(lambda: find_agents(name_or_id, paths))
    match_columns = ["agent_id", "agent_name", "law_firm", "filings"]
    _print_profile("agent", name_or_id, matches, match_columns, AGENT_SECTIONS, home, output_format)


def _print_profile(
    noun: str, name_or_id: str, matches: list, match_columns: list[str], sections, home: Path, output_format: str
) -> None:
    """The first match's sections (each a title and SQL taking :<noun>_id), after the other matches if several;
    exit 1 when nothing matches."""
    if not matches:
        console.print(f"[red]No {noun} matches {name_or_id!r}.[/red]")
        raise typer.Exit(1)
    if len(matches) > 1:
        out.print(f"{len(matches)} {noun}s match {name_or_id!r}; showing the first (use an id to pick another):")
        _print_rows(match_columns, matches[:20], output_format)
    for title, sql in sections:
        result = _published_query(sql, home, params={f"{noun}_id": matches[0][0]})
        if result.rows:
            out.print(f"[bold]{title}[/bold]")
            _print_rows(result.columns, result.rows, output_format)


def _published_query(sql: str, home: Path | None, *, params: dict):
    from warehouse.access.query import run_query

    paths = _read_paths(home)
    return _guarded(lambda: run_query(sql, paths, params=params))


def _guarded(action, *, usage_errors: tuple[type[Exception], ...] = ()):
    """Run a read of the published warehouse; print a clear error instead of a traceback (Ctrl-C exits 130,
    `usage_errors` 2, the other errors of a read 1)."""
    from warehouse.access.query import QueryCancelledError

    try:
        return action()
    except (QueryCancelledError, KeyboardInterrupt) as error:
        console.print("[red]query cancelled (Ctrl-C)[/red]")
        raise typer.Exit(130) from error
    except usage_errors as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(2) from error
    except _read_errors() as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from error


def _read_errors() -> tuple[type[Exception], ...]:
    """Errors of a read of the published warehouse that are the user's to fix: printed, no traceback."""
    import duckdb

    from warehouse.access.emerging import MissingMartError
    from warehouse.access.query import (
        EmptyQueryError,
        FilesNotAllowedError,
        NotPublishedError,
        QueryMemoryError,
        QueryStoppedError,
        ReadOnlyError,
    )
    from warehouse.publish.catalog import UnknownTableError
    from warehouse.publish.versions import UnknownVersionError

    return (
        NotPublishedError,
        EmptyQueryError,
        ReadOnlyError,
        FilesNotAllowedError,
        QueryStoppedError,
        QueryMemoryError,
        UnknownTableError,
        UnknownVersionError,
        MissingMartError,
        duckdb.Error,
    )
