"""The dbt project as Dagster sees it, with its manifest kept up to date.

`dbt parse` costs ~13 s, so the manifest is reused and regenerated only when a file of the dbt
project (or a source contract, which generates `_sources.yml`) is newer than it. The checksum of
the same files (and of the employer-linkage code) tells a build whether the marts must be rebuilt
although no raw table changed (warehouse/ingest/changes.py).
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtProject

from warehouse.ingest.changes import code_checksum

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO / "dbt_project"
LINKAGE_CODE = REPO / "warehouse" / "linkage"  # the Python step between dbt's intermediate models and marts
_WATCHED = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")


def _put_dbt_on_path() -> None:
    """dbt is installed beside this interpreter; make it findable when the venv is not activated."""
    if shutil.which("dbt") is None:
        os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ.get("PATH", "")


_put_dbt_on_path()
dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR)


def _newest_project_file(project_dir: Path) -> float:
    newest = 0.0
    for name in _WATCHED:
        path = project_dir / name
        candidates = [path] if path.is_file() else path.rglob("*") if path.exists() else []
        newest = max([newest, *(p.stat().st_mtime for p in candidates if p.is_file())])
    return newest


def manifest_is_stale(project: DbtProject = dbt_project) -> bool:
    manifest = Path(project.manifest_path)
    return not manifest.exists() or manifest.stat().st_mtime < _newest_project_file(Path(project.project_dir))


def ensure_manifest(project: DbtProject = dbt_project) -> Path:
    """Parse the dbt project if its manifest is missing or older than any project file."""
    if manifest_is_stale(project):
        log.info("dbt manifest missing or stale: running dbt parse (about 15 s)")
        project.preparer.prepare(project)
    return Path(project.manifest_path)


def transform_code_version(project: DbtProject = dbt_project) -> str:
    """A checksum of the code that turns raw tables into marts: the dbt project and employer linkage."""
    return code_checksum([*(Path(project.project_dir) / name for name in _WATCHED), LINKAGE_CODE])


__all__ = ["dbt_project", "ensure_manifest", "manifest_is_stale", "transform_code_version"]
