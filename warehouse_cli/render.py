"""How the command line shows results: run outcomes, rejections, source status, query rows."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer
from rich.table import Table

from warehouse.settings import WarehousePaths
from warehouse_cli.app import console, out


def _print_nothing_published(paths: WarehousePaths) -> None:
    from warehouse.publish.versions import newest_version, versions

    newest = newest_version(paths)
    current = next((v for v in versions(paths) if v.is_current), None)
    label = f"version {newest.name} (run {newest.run_id})" if newest else "publish"
    console.print(
        f"[green]Nothing changed[/green] since the newest published {label}: dbt, linkage and publish were "
        "skipped and nothing was published. `--force` rebuilds everything."
    )
    if newest and current and current.name != newest.name:
        console.print(
            f"The current version is {current.name} (rolled back); `warehouse publish` publishes the build again."
        )


def _print_table_outcomes(outcome) -> None:
    """One line per raw table the run touched: loaded, rejected, or unchanged and kept (per fiscal year)."""
    for table, by_partition in sorted(outcome.table_outcomes.items()):
        out.print(f"  {table}: {_outcome_text(by_partition)}")


def _outcome_text(by_partition: dict[str, list]) -> str:
    """'unchanged, kept', or per outcome the fiscal years it applies to (listed when few, else counted)."""
    from warehouse.quality.gate import LOADED, OUTCOMES

    if list(by_partition) == ["all"]:
        status, rows = by_partition["all"]
        return f"{status} ({rows:,} rows)" if status == LOADED else status
    parts = []
    for status in OUTCOMES:
        partitions = sorted(p for p, (outcome, _) in by_partition.items() if outcome == status)
        if not partitions:
            continue
        years = ", ".join(partitions) if len(partitions) <= 4 else f"{len(partitions)} fiscal years"
        rows = sum(by_partition[p][1] for p in partitions)
        parts.append(f"{status}: {years}" + (f" ({rows:,} rows)" if status == LOADED else ""))
    return "; ".join(parts)


def _print_source_status(db_path: Path) -> None:
    """One line per table: fresh, or stale because a newest file was rejected (per H-2A fiscal year), and
    the rows set aside at parsing from the files it holds."""
    from warehouse.quality.audit import FRESH, rejected_row_counts, source_status

    set_aside = rejected_row_counts(db_path)
    by_table: dict[str, list[dict]] = {}
    for row in source_status(db_path):
        by_table.setdefault(row["table_name"], []).append(row)
    if not by_table:
        return
    table = Table(title="Source status (audit.source_status)")
    for column in ("table", "status", "last accepted file(s)", "loaded at", "rows", "rows set aside"):
        table.add_column(column, justify="right" if column.startswith("rows") else "left")
    for name, rows in sorted(by_table.items()):
        stale = [r for r in rows if r["status"] != FRESH]
        status = "; ".join(_stale_label(r) for r in stale) if stale else FRESH
        files = sorted({f for r in rows if r["last_accepted_file"] for f in r["last_accepted_file"].split(", ")})
        loaded = max((r["loaded_at"] for r in rows if r["loaded_at"]), default=None)
        table.add_row(
            name,
            f"[red]{status}[/red]" if stale else status,
            files[0] + (f" (+{len(files) - 1} more)" if len(files) > 1 else "") if files else "-",
            str(loaded or "-")[:19],
            f"{sum(r['row_count'] for r in rows):,}",
            f"[yellow]{set_aside[name]:,}[/yellow]" if set_aside.get(name) else "0",
        )
    out.print(table)
    if set_aside:
        out.print("Rows set aside at parsing (a value that does not parse, a blank key): audit.rejected_rows.")


def _stale_label(row: dict) -> str:
    return (f"[{row['partition_key']}] " if row["partition_key"] != "all" else "") + row["status"]


def _rejected_in_run(db_path: Path, run_id: str) -> list[dict]:
    from warehouse.quality.audit import FRESH, source_status

    return [row for row in source_status(db_path) if row["run_id"] == run_id and row["status"] != FRESH]


def _print_rejections(rows: list[dict]) -> None:
    """One line per rejected load (table or fiscal-year partition), with its reason and report."""
    for row in rows:
        where = row["table_name"] + (f" [{row['partition_key']}]" if row["partition_key"] != "all" else "")
        kept = (
            f"keeps {row['last_accepted_file']} ({row['row_count']:,} rows)"
            if row["last_accepted_file"]
            else f"has no accepted load yet ({row['row_count']:,} rows)"
        )
        console.print(f"[red]✗ {where}[/red]: {row['status']}; {kept}")
        console.print(f"    {(row['rejection_reason'] or '')[:400]}")
        for report in filter(None, (row["report_path"] or "").split(", ")):
            console.print(f"    report: {report}")


def _print_failure(outcome, paths: WarehousePaths) -> None:
    from warehouse.ingest.acquire import OFFLINE_HINT
    from warehouse.publish.versions import last_publish, published_path

    console.print(f"[red bold]Build failed[/red bold] (run {outcome.run_id}); nothing new was published.")
    downloads = outcome.download_failures
    for message in downloads.values():
        console.print(f"[red]✗[/red] {message}")
    if downloads:
        console.print(OFFLINE_HINT)
    for failure in outcome.failures:
        if failure.download_error is None:
            console.print(f"[red]✗ {failure.step}[/red]\n  " + "\n  ".join(failure.message.splitlines()[:40]))
    published = last_publish(paths)
    if published:
        console.print(
            f"The last good warehouse (published {published.get('published_at')}) is still at "
            f"{published_path(paths, published)}."
        )
    console.print(f"Validation reports: {paths.reports_dir}")


def _print_published_summary(paths: WarehousePaths) -> None:
    from warehouse.access.report import REPORT_FILE
    from warehouse.publish.versions import last_publish

    info = last_publish(paths) or {"tables": {}}
    table = Table(title="Published warehouse", show_lines=False)
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in info["tables"].items():
        if name.split(".")[0] in ("raw", "marts", "audit"):
            table.add_row(name, f"{rows:,}")
    out.print(table)
    out.print(f"Published read-only copy: [bold]{paths.published_db}[/bold]")
    report = paths.published_dir / REPORT_FILE
    if report.is_file():
        out.print(f"Report for leadership:    [bold]{report}[/bold]")
    out.print('Query it:  warehouse query "select * from marts.mart_industry_year limit 5"')
    out.print("Explore:   warehouse tables | warehouse describe mart_industry_year | warehouse shell")


OUTPUT_FORMATS = ("table", "csv", "json", "parquet")  # parquet only into a file (--output)


DEFAULT_TABLE_ROWS = 1000  # the table view prints at most this many rows unless --limit says otherwise


def table_cell(value: object) -> str:
    """How the table view shows a value: integers (also integral doubles and decimals) as integers (a fiscal
    year stays 2016), other numbers with their significant digits (0.004 is never shown as 0.00)."""
    import decimal

    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | decimal.Decimal):
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        if abs(value) >= 1000:
            return f"{value:.2f}"
        return f"{value:.4g}" if abs(value) >= 1e-4 else f"{value:.3g}"
    return str(value)


def _print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    if output_format == "csv":
        _write_rows(sys.stdout, columns, rows, output_format)
    elif output_format == "json":
        out.print_json(json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str))
    else:
        table = Table(*columns)
        for row in rows:
            table.add_row(*(table_cell(v) for v in row))
        out.print(table)
        out.print(f"{len(rows)} row(s)")


def _print_emerging_blocks(columns: list[str], rows: list[tuple]) -> None:
    """Emerging patterns (warehouse emerging) for a narrow terminal: per row a line naming the cell, a line of
    its numbers and its sentence, so no column is cut to a few letters."""
    for row in rows:
        cell = dict(zip(columns, row, strict=True))
        rank = f"{cell['emerging_rank']}." if cell["emerging_rank"] is not None else "-"
        flag = "" if cell.get("is_emerging", True) else "  (not flagged)"
        out.print(f"{rank} FY{cell['fiscal_year']}  {cell['scope_label']}  {cell['measure']}{flag}", markup=False)
        numbers = ", ".join(f"{name} {table_cell(cell[name])}" for name in ("observed", "expected", "q_value"))
        out.print(f"   {numbers}", markup=False)
        if cell["sentence"]:
            out.print(f"   {cell['sentence']}", markup=False)
    out.print(f"{len(rows)} row(s)")


def _write_rows(handle, columns: list[str], rows: list[tuple], output_format: str) -> int:
    """csv or json text of the rows into an open text file."""
    return _write_batches(handle, columns, [rows], output_format)


def _write_batches(handle, columns: list[str], batches: Iterable[list[tuple]], output_format: str) -> int:
    """csv or json text of rows that arrive in batches, each written as it comes (a result is never
    held whole); the number of rows written. json is one array, an object per line."""
    written = 0
    if output_format == "csv":
        import csv

        writer = csv.writer(handle)
        writer.writerow(columns)
        for batch in batches:
            writer.writerows(batch)
            written += len(batch)
        return written
    handle.write("[")
    for batch in batches:
        for row in batch:
            handle.write(
                ("," if written else "") + "\n" + json.dumps(dict(zip(columns, row, strict=True)), default=str)
            )
            written += 1
    handle.write("\n]\n")
    return written


@contextmanager
def _atomic_output(path: Path) -> Iterator[Path]:
    """A temporary file next to `path`, renamed over it once written whole (so a reader never sees
    half a file) and removed if the writing fails."""
    path = path.expanduser()
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        yield tmp
        os.replace(tmp, path)
    except OSError as error:
        console.print(f"[red]--output: cannot write {path}: {error}[/red]")
        raise typer.Exit(1) from error
    finally:
        tmp.unlink(missing_ok=True)


def _name_table(name: str, *columns: str, title: str | None = None) -> Table:
    """A rich table whose first column (a table or column name) is never cut, so it can be copied."""
    table = Table(title=title)
    table.add_column(name, no_wrap=True)
    for column in columns:
        table.add_column(column, justify="right" if column == "rows" else "left")
    return table


_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)\.\s+(?=[A-Z(\"'])")


def _first_sentence(text: str) -> str:
    """The first sentence of a description ("e.g." and "i.e." do not end one)."""
    match = _SENTENCE_END.search(text)
    return text[: match.start() + 1] if match else text


def _rows_text(rows: int | None) -> str:
    return "" if rows is None else f"{rows:,}"


def _published_label(info: dict, paths: WarehousePaths) -> str:
    from warehouse.publish.versions import published_path

    version = f" (version {info['version']})" if info.get("version") else ""
    return f"{info.get('published_at')}{version} at {published_path(paths, info)}"


def _print_damage(paths: WarehousePaths, then: str) -> list[str]:
    """One line per problem of the current published version (warehouse.publish.versions.verify_published), then
    what happens next; returns the problems."""
    from warehouse.publish.versions import verify_published

    problems = verify_published(paths)
    for problem in problems:
        console.print(f"✗ published: {problem}", style="red", markup=False)  # a file name is not markup
    if problems:
        console.print(f"[yellow]The current published version fails verification: {then}.[/yellow]")
    return problems
