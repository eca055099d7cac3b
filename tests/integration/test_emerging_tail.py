"""The emerging-pattern p-value (docs/emerging.md, step 3): `count_upper_tail()` (dbt_project/macros/emerging.sql)
compiled by dbt and run on DuckDB against the tail summed term by term in numpy and against scipy, over cells
of every kind the mart meets: Poisson and negative binomial, counts of a few and of millions, dispersions up
to 60,000 (where the tail runs over millions of counts), observed counts from just above the mean to far out."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import special, stats

from orchestration.defs.dbt_project import DBT_PROJECT_DIR

pytestmark = pytest.mark.integration

RELATIVE_ERROR = 1e-7  # the mart keeps the p-value to single precision (6e-8)


@pytest.fixture(scope="module")
def tail_sql(tmp_path_factory) -> str:
    """count_upper_tail() over a table `cells` (cell_key, value, expected, dispersion), as dbt compiles it."""
    scratch = tmp_path_factory.mktemp("emerging_tail")
    env = {**os.environ, "WAREHOUSE_BUILD_DB": str(scratch / "scratch.duckdb")}
    where = ["--project-dir", DBT_PROJECT_DIR, "--profiles-dir", DBT_PROJECT_DIR, "--target-path", scratch]
    inline = "{{ count_upper_tail('cells', ['cell_key']) }}"
    dbt = Path(sys.executable).with_name("dbt")
    compiled = subprocess.run(
        [dbt, "compile", "--quiet", "--inline", inline, *where, "--log-path", scratch],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stdout[-4000:] + compiled.stderr[-2000:]
    return compiled.stdout


def _log_probability(k: np.ndarray, mu: float, phi: float) -> np.ndarray:
    if phi < 1.0001:
        return -mu + k * np.log(mu) - special.gammaln(k + 1)
    size = mu / (phi - 1)
    return (
        special.gammaln(k + size)
        - special.gammaln(size)
        - special.gammaln(k + 1)
        + size * np.log(1 / phi)
        + k * np.log(1 - 1 / phi)
    )


def _summed_tail(y: int, mu: float, phi: float) -> float:
    """P(Y >= y) term by term, far past where the terms matter (60 times the scales the tail decays on)."""
    reach = int(60 * (max(phi, 1) + np.sqrt(phi * mu))) + 100
    return float(np.exp(_log_probability(np.arange(y, y + reach, dtype=float), mu, phi)).sum())


def _scipy_tail(y: int, mu: float, phi: float) -> float:
    if phi < 1.0001:
        return float(stats.poisson.sf(y - 1, mu))
    return float(stats.nbinom.sf(y - 1, mu / (phi - 1), 1 / phi))


def _cells() -> list[tuple[int, float, float]]:
    """(observed, expected, dispersion): the mart tests cells of at least 5 above their expectation."""
    cells = []
    for mu, phi, sds in itertools.product(
        [0.2, 3.4, 120.6, 4_869.6, 496_704.6], [1.0, 1.0344, 2.5, 16.0, 1_199.2, 58_782.0], [0.05, 0.7, 3, 9, 40]
    ):
        y = max(5, int(np.ceil(mu + sds * np.sqrt(phi * mu))) + 1)
        if np.sqrt(phi * mu) * sds < 3e6:  # the summed reference stays a few million terms
            cells.append((y, mu, phi))
    return cells


def _upper_tails(sql: str, cells: list[tuple[int, float, float]]) -> list[float]:
    with duckdb.connect() as con:
        con.execute("create table cells (cell_key integer, value double, expected double, dispersion double)")
        con.executemany("insert into cells values (?, ?, ?, ?)", [(i, *cell) for i, cell in enumerate(cells)])
        return [tail for _, tail in con.execute(f"select * from ({sql}) order by cell_key").fetchall()]


def test_the_tail_equals_the_sum_of_its_terms_on_every_kind_of_cell(tail_sql):
    cells = _cells()
    assert len(cells) > 120
    references = [_summed_tail(*cell) for cell in cells]
    errors = {
        cell: abs(tail - reference) / reference
        for cell, tail, reference in zip(cells, _upper_tails(tail_sql, cells), references, strict=True)
        if reference > 1e-300
    }
    worst = max(errors, key=errors.get)
    assert errors[worst] < RELATIVE_ERROR, (worst, errors[worst])


def test_the_tail_agrees_with_scipy_where_scipy_is_exact(tail_sql):
    """scipy's Poisson tail drifts (2e-3 at a mean of 3 million): the comparison stops at a mean of 1e5."""
    cells = [cell for cell in _cells() if cell[1] < 1e5]
    for cell, tail in zip(cells, _upper_tails(tail_sql, cells), strict=True):
        assert tail == pytest.approx(_scipy_tail(*cell), rel=RELATIVE_ERROR, abs=1e-300), cell


def test_a_wide_tail_is_not_cut_short(tail_sql):
    """A count of half a million with dispersion 1,199, a twelfth of a standard deviation above its mean: the
    tail runs over ~100,000 counts. The sum that stopped at 4,000 terms and added a geometric rest said 1.0."""
    cell = (498_758, 496_704.6, 1_199.2)
    (tail,) = _upper_tails(tail_sql, [cell])
    assert tail == pytest.approx(0.46, abs=0.01)
    assert tail == pytest.approx(_scipy_tail(*cell), rel=RELATIVE_ERROR)
