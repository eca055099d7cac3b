"""Backtest of the emerging-pattern detector (marts.mart_emerging_patterns, docs/emerging.md) on a warehouse
built from the embedded sample: the mart keeps every evaluated fiscal year, so the detector "as of" each
past year is the mart's rows of that year. For each rise the sample plants (sources.common.sample_world
.EMERGING_PLANTS) it reports the fiscal year the rise began and the first year its cell was flagged; for
each planted noise, the years it was flagged (it never should be); and per fiscal year the false flags:
flagged rows that no begun rise explains.

A flag is explained by a rise when it is of the rise's source, in or after the year it began, and its
cell holds the rise's cell: the nation, the rise's DOL region, state, sector, state x sector, hidden-work
industry or agent (a rise in Texas construction also lifts Texas, construction, the Dallas region and the
nation).

    .venv/bin/python -m warehouse.quality.emerging_backtest [--home data]
"""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from sources.common.sample_world import EmergingPlantCell, SampleConfig, World, emerging_plant_cells
from warehouse.settings import WarehousePaths

MART = "marts.mart_emerging_patterns"
# Cell columns of the mart, and the plant's value each must equal when the flag has it (None: any).
_CELL_COLUMNS = ("state_code", "region", "naics_sector", "hidden_work_code", "agent_id")


@dataclass(frozen=True)
class PlantResult:
    name: str
    is_rise: bool
    began: int | None
    flagged_years: tuple[int, ...]  # the years the plant's own cell and measure were flagged

    @property
    def first_flagged(self) -> int | None:
        later = [y for y in self.flagged_years if self.began is None or y >= self.began]
        return min(later) if later else None

    @property
    def found_in_first_year(self) -> bool:
        return self.is_rise and self.first_flagged == self.began


@dataclass(frozen=True)
class BacktestResult:
    plants: tuple[PlantResult, ...]
    false_flags: dict[int, int]  # fiscal year -> flagged rows no begun rise explains
    flags: dict[int, int]  # fiscal year -> flagged rows

    @property
    def rises_found_in_first_year(self) -> int:
        return sum(p.found_in_first_year for p in self.plants)

    @property
    def rises(self) -> int:
        return sum(p.is_rise for p in self.plants)

    @property
    def noise_flags(self) -> int:
        return sum(len(p.flagged_years) for p in self.plants if not p.is_rise)


def sample_config(home: Path) -> SampleConfig:
    """The config of the sample the warehouse at `home` was built from, read from the names of its sample
    folders (`scale-<scale>-seed-<seed>-<code digest>`; one per version of the sample code, all of one scale
    and seed unless builds asked for others: then --scale and --seed say which)."""
    samples = WarehousePaths.at(home).samples
    configs = set()
    for folder in samples.glob("scale-*-seed-*"):
        match = re.fullmatch(r"scale-([0-9.e+-]+)-seed-(\d+)-[0-9a-f]+", folder.name)
        if match:  # a `.partial` folder is a sample still (or never finished) being written
            configs.add((float(match[1]), int(match[2])))
    if len(configs) != 1:
        found = ", ".join(f"scale {scale} seed {seed}" for scale, seed in sorted(configs)) or "none"
        raise SystemExit(
            f"cannot tell which sample the warehouse at {home} was built from (samples under {samples}: {found}); "
            "say it with --scale and --seed"
        )
    ((scale, seed),) = configs
    return SampleConfig(scale=scale, seed=seed)


def backtest(con: duckdb.DuckDBPyConnection, config: SampleConfig) -> BacktestResult:
    """Score the mart in `con` against the plants of the sample `config` describes."""
    cells = emerging_plant_cells(World(config))
    footprints = [_footprint(con, cell) for cell in cells]
    flagged = con.execute(
        f"SELECT fiscal_year, scope_kind, measure, source, {', '.join(_CELL_COLUMNS)} FROM {MART} WHERE is_emerging"
    ).fetchall()
    plants = []
    for cell, footprint in zip(cells, footprints, strict=True):
        own = sorted(
            {
                row[0]
                for row in flagged
                if row[1] == cell.plant.scope_kind
                and row[2] == cell.plant.measure
                and all(row[4 + i] == footprint[c] for i, c in enumerate(_CELL_COLUMNS) if _keyed(cell, c))
            }
        )
        plants.append(
            PlantResult(cell.plant.name, cell.plant.is_rise, cell.plant.start_fiscal_year(config), tuple(own))
        )
    false_flags: dict[int, int] = {}
    flags: dict[int, int] = {}
    for row in flagged:
        year = row[0]
        flags[year] = flags.get(year, 0) + 1
        explained = any(
            cell.plant.is_rise
            and year >= cell.plant.start_fiscal_year(config)
            and row[3] == cell.plant.source
            and all(row[4 + i] in (None, footprint[c]) for i, c in enumerate(_CELL_COLUMNS))
            for cell, footprint in zip(cells, footprints, strict=True)
        )
        false_flags[year] = false_flags.get(year, 0) + (not explained)
    return BacktestResult(tuple(plants), dict(sorted(false_flags.items())), dict(sorted(flags.items())))


def _keyed(cell: EmergingPlantCell, column: str) -> bool:
    """Whether the plant's own cell is identified by this column (its scope kind's keys)."""
    keys = {
        "state_sector": ("state_code", "naics_sector"),
        "hidden_work_industry": ("hidden_work_code",),
        "filing_agent": ("agent_id",),
    }
    return column in keys[cell.plant.scope_kind]


def _footprint(con: duckdb.DuckDBPyConnection, cell: EmergingPlantCell) -> dict[str, str | None]:
    """The plant's value of each cell column: its state, that state's DOL region, sector, industry, agent."""
    region = None
    if cell.state_code:
        (region,) = con.execute(
            "SELECT dol_region FROM marts.dim_region WHERE state_code = ?", [cell.state_code]
        ).fetchone()
    agent_id = None
    if cell.agent_name:
        found = con.execute(
            "SELECT agent_id FROM marts.dim_filing_agent WHERE lower(agent_name) = lower(?)", [cell.agent_name]
        ).fetchall()
        agent_id = found[0][0] if len(found) == 1 else None
    return {
        "state_code": cell.state_code,
        "region": region,
        "naics_sector": cell.naics_sector,
        "hidden_work_code": cell.hidden_work_code,
        "agent_id": agent_id,
    }


def report(result: BacktestResult) -> str:
    lines = ["Planted patterns (rises must be flagged from the year they began; noise never):"]
    for plant in result.plants:
        if plant.is_rise:
            first = plant.first_flagged or "never"
            lines.append(f"  rise  {plant.name}: began FY{plant.began}, first flagged {first}")
        else:
            flagged = ", ".join(map(str, plant.flagged_years)) or "never"
            lines.append(f"  noise {plant.name}: flagged {flagged}")
    lines.append(
        f"Rises found in the year they began: {result.rises_found_in_first_year} of {result.rises}; "
        f"noise flags: {result.noise_flags}"
    )
    lines.append("False flags (flagged rows no begun rise explains) / all flagged rows, per fiscal year:")
    lines += [f"  FY{year}: {result.false_flags[year]} / {result.flags[year]}" for year in result.flags]
    lines.append(f"  total: {sum(result.false_flags.values())} / {sum(result.flags.values())}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--home", default=None, help="the warehouse home (default: $WAREHOUSE_HOME or data)")
    parser.add_argument("--scale", type=float, help="the sample's scale (default: read from the home's samples)")
    parser.add_argument("--seed", type=int, help="the sample's seed (default: read from the home's samples)")
    args = parser.parse_args(argv)
    paths = WarehousePaths.at(args.home) if args.home else WarehousePaths.from_env()
    given = (args.scale is not None, args.seed is not None)
    if any(given) and not all(given):
        parser.error("--scale and --seed go together")
    config = SampleConfig(scale=args.scale, seed=args.seed) if all(given) else sample_config(paths.home)
    with duckdb.connect(str(paths.published_db), read_only=True) as con:
        con.execute("SET enable_progress_bar = false")  # else drawn on stdout once a query passes 2 s
        print(report(backtest(con, config)))


if __name__ == "__main__":
    main()
