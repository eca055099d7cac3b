"""What a build publishes beside the SQL interface: a DuckDB file that 1.x clients open, with every
description as a DuckDB comment, each mart as Parquet, and a datapackage.json describing them and
the source files (sha256) they were built from."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import duckdb
import frictionless
import pyarrow.parquet as pq
import pytest
from frictionless.formats.pandas import PandasParser
from frictionless.platform import platform

from tests.integration.conftest import sample_dir
from warehouse.publish.versions import in_published_format
from warehouse.settings import STORAGE_VERSION, WarehousePaths

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
UV = REPO / ".uv-bootstrap" / "bin" / "uv"  # the Makefile bootstraps it


def _published(home: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(WarehousePaths.at(home).published_db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _oldest_readable_client() -> str:
    """STORAGE_VERSION vX.Y.0 promises that DuckDB X.Y clients read the file."""
    major_minor = STORAGE_VERSION.removeprefix("v").rsplit(".", 1)[0]
    return f"duckdb=={major_minor}.*"


@pytest.mark.parametrize("client", [_oldest_readable_client(), "duckdb<2"], ids=["oldest-promised", "newest-1.x"])
def test_a_duckdb_1x_client_reads_the_published_file(built_home, client):
    assert UV.exists(), f"{UV} is missing: run `make install` (it bootstraps uv)"
    reader = (
        "import duckdb, json, sys\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "rows = con.execute('select count(*), sum(whd_cases) from marts.mart_industry_year').fetchone()\n"
        "comment = con.execute(\"select comment from duckdb_tables() where table_name = 'mart_industry_year'\")"
        ".fetchone()[0]\n"
        "print(json.dumps({'version': duckdb.__version__, 'rows': rows, 'comment': comment}, default=str))\n"
    )
    isolated_python = [str(UV), "run", "--quiet", "--no-project", "--python", sys.executable, "--with", client]
    result = subprocess.run(
        [*isolated_python, "python", "-c", reader, str(WarehousePaths.at(built_home).published_db)],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["version"].startswith("1."), seen
    expected = _published(built_home, "select count(*), sum(whd_cases) from marts.mart_industry_year")[0]
    assert seen["rows"] == json.loads(json.dumps(list(expected), default=str))
    assert seen["comment"], "the mart's description is readable by the 1.x client too"


def test_the_build_database_is_kept_in_the_published_format(built_home):
    """Then publishing copies the file (warehouse.publish.versions.copy_database), not every table."""
    paths = WarehousePaths.at(built_home)
    assert in_published_format(paths.build_db)
    assert in_published_format(paths.published_db)


def test_every_model_seed_and_source_is_described_in_duckdb_comments(built_home):
    undescribed_tables = _published(
        built_home,
        """select schema_name || '.' || table_name from duckdb_tables()
           where schema_name in ('marts', 'intermediate', 'reference', 'raw', 'audit') and coalesce(comment, '') = ''
           union all
           select schema_name || '.' || view_name from duckdb_views()
           where schema_name = 'staging' and coalesce(comment, '') = ''""",
    )
    assert undescribed_tables == []
    undescribed_columns = _published(
        built_home,
        """select schema_name || '.' || table_name || '.' || column_name from duckdb_columns()
           where schema_name in ('marts', 'intermediate', 'reference', 'raw', 'staging')
             and coalesce(comment, '') = ''""",
    )
    assert undescribed_columns == []


def test_every_mart_is_exported_as_parquet_with_all_its_rows(built_home):
    published = WarehousePaths.at(built_home).published_dir
    marts = [
        name for (name,) in _published(built_home, "select table_name from duckdb_tables() where schema_name = 'marts'")
    ]
    exported = {p.name for p in (published / "parquet").glob("*.parquet")}
    assert exported == {f"marts.{table}.parquet" for table in marts}
    for table in marts:
        (rows,) = _published(built_home, f"select count(*) from marts.{table}")[0]
        parquet = pq.ParquetFile(published / "parquet" / f"marts.{table}.parquet")
        assert parquet.metadata.num_rows == rows, table
        columns = _published(
            built_home,
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "order by column_index",
            [table],
        )
        assert parquet.schema_arrow.names == [name for (name,) in columns], table


def test_the_datapackage_describes_every_export_and_the_source_files(built_home):
    published = WarehousePaths.at(built_home).published_dir
    package = json.loads((published / "datapackage.json").read_text())
    info = json.loads((published / "published.json").read_text())
    assert package["profile"] == "tabular-data-package"
    assert package["created"] == info["published_at"]
    resources = {r["name"]: r for r in package["resources"]}
    assert sorted(resources) == sorted(p.name.split(".")[1] for p in (published / "parquet").glob("*.parquet"))

    trends = resources["mart_trends"]
    assert (trends["path"], trends["format"]) == ("parquet/marts.mart_trends.parquet", "parquet")
    assert trends["rows"] == _published(built_home, "select count(*) from marts.mart_trends")[0][0]
    assert (
        trends["description"]
        == _published(
            built_home, "select comment from duckdb_tables() where schema_name = 'marts' and table_name = 'mart_trends'"
        )[0][0]
    )
    assert trends["hash"] == "sha256:" + hashlib.sha256((published / trends["path"]).read_bytes()).hexdigest()
    fields = {f["name"]: f for f in trends["schema"]["fields"]}
    assert (fields["fiscal_year"]["type"], fields["value"]["type"], fields["scope"]["type"]) == (
        "integer",
        "number",
        "string",
    )
    assert fields["is_complete_year"]["type"] == "boolean"
    assert all(f["description"] for r in resources.values() for f in r["schema"]["fields"])

    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sample_dir(built_home).iterdir()}
    sources = {(s["title"], s["sha256"]) for s in package["sources"]}
    assert sources <= set(on_disk.items()), "every listed source file is a loaded file with its true sha256"
    accepted = {
        sha
        for (shas,) in _published(built_home, "select last_accepted_sha256 from audit.source_status")
        for sha in shas.split(",")
    }
    assert {sha for _, sha in sources} == accepted
    assert on_disk["WHD_enforcement.zip"] in accepted


def _cells_of_each_row(self):
    """frictionless 5's PandasParser.read_cell_stream_create (its Parquet reader goes through it), which
    builds the dict of a whole row once per cell of it (quadratic in the columns: a minute for the wide
    marts), changed only in building it once per row: the same cells."""
    np, pd = platform.numpy, platform.pandas
    assert isinstance(self.resource.data, pd.DataFrame)
    schema = self._PandasParser__read_convert_schema()
    if not self.resource.schema:
        self.resource.schema = schema
    yield schema.field_names
    for pk, item in self.resource.data.iterrows():
        row = item.to_dict()
        cells = []
        for field in schema.fields:
            if field.name in schema.primary_key:
                pk = pk if isinstance(pk, tuple) else [pk]
                value = pk[schema.primary_key.index(field.name)]
            else:
                value = row[field.name]
            if value is np.nan:
                value = None
            elif isinstance(value, pd.Timestamp):
                value = value.to_pydatetime()
            cells.append(value)
        yield cells


def test_the_datapackage_passes_frictionless_validation(built_home, monkeypatch):
    monkeypatch.setattr(PandasParser, "read_cell_stream_create", _cells_of_each_row)
    report = frictionless.validate(str(WarehousePaths.at(built_home).published_dir / "datapackage.json"))
    errors = [
        f"{task.name} row {e.row_number} {e.field_name}: {e.type} {e.note}"
        for task in report.tasks
        for e in task.errors
    ]
    assert report.valid, "\n".join(errors)
    assert len(report.tasks) == len(_published(built_home, "select 1 from duckdb_tables() where schema_name = 'marts'"))
