"""Commands that operate the warehouse: status, versions, rollback, sample, contracts, linkage-eval."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from warehouse.settings import WarehousePaths
from warehouse_cli.app import (
    HomeOption,
    _paths,
    _read_paths,
    _run,
    _sole_writer,
    _warehouse_resource,
    app,
    console,
    out,
)
from warehouse_cli.explore import _guarded
from warehouse_cli.render import _print_damage, _print_failure, _print_source_status, _published_label


@app.command()
def sample(
    out_dir: Path = typer.Option(..., "--out", "-o", help="Folder to write the sample files into."),
    scale: float = typer.Option(0.01, "--scale", help="Size factor: 1 is about real size."),
    seed: int = typer.Option(20261125, "--seed", help="Random seed (same seed, same bytes)."),
) -> None:
    """Write the sample files in their real publication names and formats, plus the ground truth."""
    from sources.common.sample_world import SampleConfig
    from warehouse.ingest.acquire import write_sample

    written = write_sample(
        out_dir, SampleConfig(scale=scale, seed=seed), on_source=lambda s: console.print(f"writing {s} ...")
    )
    for path in written:
        out.print(f"{path}  ({path.stat().st_size:,} bytes)")


@app.command()
def status(home: Path = HomeOption) -> None:
    """Show the published warehouse, quarantined raw files and the latest validation reports."""
    from sources import ALL_SOURCES
    from sources.common.archive import RawArchive
    from warehouse.publish.versions import last_publish, versions

    paths = _read_paths(home)
    published = last_publish(paths)
    kept = versions(paths)
    if published:
        out.print(f"Published: {_published_label(published, paths)}")
        if published.get("synthetic_sample"):
            out.print(
                "[yellow bold]This is a synthetic sample[/yellow bold]: built from the embedded sample, not real data."
            )
    elif kept:
        out.print(f"Published: no current version ({len(kept)} kept, the newest {kept[-1].name})")
    else:
        out.print("Published: nothing yet")
    problems = _print_damage(paths, then="`warehouse build` (or `warehouse publish`) publishes it anew")
    if problems:
        out.print("Source status below is the build database's.")
    _print_source_status(paths.published_db if published and not problems else paths.build_db)
    archive = RawArchive(paths.raw_archive)
    quarantined = [f for spec in ALL_SOURCES for f in archive.files(spec.name) if f.is_quarantined]
    out.print(f"Quarantined raw files: {len(quarantined)}")
    for archived in quarantined:
        out.print(
            f"  {archived.source}/{archived.version}/{archived.filename}  (see {archived.folder / 'QUARANTINED.txt'})"
        )
    reports = sorted(paths.reports_dir.glob("*.txt"))[-5:] if paths.reports_dir.exists() else []
    for report in reports:
        out.print(f"--- {report.name}\n{report.read_text(encoding='utf-8')}")


@app.command()
def versions(home: Path = HomeOption) -> None:
    """List the kept published versions (the newest WAREHOUSE_KEEP_VERSIONS, default 5)."""
    from warehouse.publish.versions import versions as kept_versions

    kept = kept_versions(_read_paths(home))
    if not kept:
        out.print("No published version yet: run `warehouse build`.")
        return
    listing = Table("version", "published at", "run id", "tables", "current")
    for version in kept:
        listing.add_row(
            version.name,
            version.published_at,
            version.run_id or "",
            str(version.table_count),
            "*" if version.is_current else "",
        )
    out.print(listing)


@app.command()
def rollback(
    to: str = typer.Option(None, "--to", metavar="VERSION", help="The version to restore (see `warehouse versions`)."),
    home: Path = HomeOption,
) -> None:
    """Make an earlier published version current again (default: the one before the current one)."""
    from warehouse.publish.versions import rollback as restore

    paths = _read_paths(home)
    with _sole_writer(paths, "rollback"):
        restored = _guarded(lambda: restore(paths, to))
    out.print(
        f"Restored version {restored.name} (published {restored.published_at}, run {restored.run_id}, "
        f"{restored.table_count} tables) as {paths.published_db}."
    )


@app.command()
def contracts(
    write: bool = typer.Option(False, "--write", help="Regenerate the files instead of checking them."),
) -> None:
    """Check (or regenerate) dbt _sources.yml and docs/contracts.md from the source contracts."""
    from warehouse.publish.contracts_docs import stale_files, write_all

    if write:
        for path in write_all():
            out.print(f"wrote {path}")
        return
    stale = stale_files()
    for path in stale:
        console.print(f"[red]out of date: {path}[/red] (run `warehouse contracts --write`)")
    raise typer.Exit(1 if stale else 0)


@app.command("linkage-eval")
def linkage_eval(
    scale: float = typer.Option(1.0, "--scale", help="Sample size (1 = real size) for the sample ground truth."),
    real: bool = typer.Option(False, "--real", help="Score on the real hand-judged H-2A and H-2B pairs instead."),
    home: Path = HomeOption,
) -> None:
    """Score employer linkage: pairwise precision, recall and F1, and the seconds linkage took.

    Sample truth: the sample's ground_truth_employers.csv at --scale (the sample warehouse is built once
    under WAREHOUSE_HOME/eval/). Real truth (--real): the hand-judged pairs of FY2012/FY2016 H-2A filings
    and of FY2012/FY2013 H-2B filings in tests/fixtures/real/linkage/, each set scored on its own line.
    The last line is `precision=... recall=... f1=... seconds=...` (for --real: both sets together).
    """
    from warehouse.linkage.evaluation_runs import evaluate_real, evaluate_sample

    paths = _paths(home)
    if real:
        report = evaluate_real()
    else:
        report = evaluate_sample(paths, scale, build=lambda eval_home: _build_sample(eval_home, scale))
    for line in report.details:
        out.print(line)
    print(report.scores.line(report.seconds))


def _build_sample(eval_home: Path, scale: float) -> None:
    """Build the sample warehouse the evaluation reads (the same job as `warehouse build`)."""
    from orchestration.defs.partitions import FULL_RANGE_TAGS
    from orchestration.run import definitions_for
    from warehouse.settings import SAMPLE_MODE

    console.print(f"building the scale-{scale:g} sample warehouse in {eval_home} (once) ...")
    eval_paths = WarehousePaths.at(eval_home).ensure()
    warehouse = _warehouse_resource(eval_paths, source=SAMPLE_MODE, sample_scale=scale)
    result = _run(definitions_for(warehouse), eval_paths, tags=FULL_RANGE_TAGS)
    if not result.success:
        _print_failure(result, eval_paths)
        raise typer.Exit(1)
