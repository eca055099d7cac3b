"""The dbt project as Dagster sees it, with its manifest kept up to date.

`dbt parse` costs ~13 s, so the manifest is reused and regenerated only when a file of the dbt
project (or a source contract, which generates `_sources.yml`) is newer than it. The checksum of
the same files (and of the employer-linkage code) tells a build whether the marts must be rebuilt
although no raw table changed (warehouse/ingest/changes.py).

dbt's partial parse (`partial_parse.msgpack`) holds only for the profile it was made with, and the
profile names the build database: the project's own parse, made for no home, is parsed again in full
by every dbt call of a build (~4 s each). So each home keeps the parse its last dbt call made, and the
next call starts from it (`target_with_the_last_parse`, `keep_the_parse`); dbt still re-parses any
file changed since.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import uuid
from pathlib import Path

from dagster_dbt import DbtProject

from warehouse.ingest.changes import code_checksum
from warehouse.settings import TEMP_SUFFIX

log = logging.getLogger(__name__)

REPO = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO / "dbt_project"
LINKAGE_CODE = REPO / "warehouse" / "linkage"  # the Python step between dbt's intermediate models and marts
_WATCHED = ("models", "macros", "seeds", "tests", "dbt_project.yml", "profiles.yml")
PARTIAL_PARSE = "partial_parse.msgpack"


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


def target_with_the_last_parse(name: str, saved_parse: Path, project: DbtProject = dbt_project) -> Path:
    """A new target folder for one dbt call, holding `saved_parse` when there is one (else dagster-dbt
    copies the project's parse into it)."""
    target = Path(project.project_dir) / project.target_path / f"{name}-{uuid.uuid4().hex[:8]}"
    target.mkdir(parents=True)
    if saved_parse.exists():
        shutil.copyfile(saved_parse, target / PARTIAL_PARSE)
    return target


def keep_the_parse(target: Path, saved_parse: Path) -> None:
    """Save the parse a dbt call made in `target` as `saved_parse`, replaced whole."""
    parsed = target / PARTIAL_PARSE
    if parsed.exists():
        copying = saved_parse.with_name(saved_parse.name + TEMP_SUFFIX)  # a killed copy: the clean-up removes it
        shutil.copyfile(parsed, copying)
        os.replace(copying, saved_parse)


def transform_code_version(project: DbtProject = dbt_project) -> str:
    """A checksum of the code that turns raw tables into marts: the dbt project and employer linkage."""
    return code_checksum([*(Path(project.project_dir) / name for name in _WATCHED), LINKAGE_CODE])


__all__ = [
    "dbt_project",
    "ensure_manifest",
    "keep_the_parse",
    "manifest_is_stale",
    "target_with_the_last_parse",
    "transform_code_version",
]
