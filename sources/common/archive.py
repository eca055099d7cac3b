"""The raw archive: every input file kept immutable, with where it came from.

Layout under the archive root (``$WAREHOUSE_HOME/raw``)::

    <source>/<version>/<file name>        the bytes exactly as received, read-only
    <source>/<version>/manifest.json      url, fetched_at, bytes, sha256
    <source>/<version>/QUARANTINED.json   present only when a gate rejected the file (and .txt)
    <source>/<version>/RELEASED.json      the quarantine report of a file later accepted (and .txt)

``version`` is the first 16 hex digits of the SHA-256, so storing identical bytes twice is a
no-op and a version can never change once written. Parsing, gating and loading live elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sources.common.digests import sha256_of
from sources.common.storage import clear_storage_errors

MANIFEST = "manifest.json"
QUARANTINE_JSON = "QUARANTINED.json"
QUARANTINE_TEXT = "QUARANTINED.txt"
RELEASED_JSON = "RELEASED.json"
RELEASED_TEXT = "RELEASED.txt"
PARTIAL_DOWNLOAD_SUFFIX = ".part"  # a download in progress under .tmp/: the next attempt resumes it
PARTIAL_DOWNLOAD_VERSION_SUFFIX = ".part-version.json"  # which version of the file that .part holds
_ARCHIVE_OWN_NAMES = frozenset({MANIFEST, QUARANTINE_JSON, QUARANTINE_TEXT, RELEASED_JSON, RELEASED_TEXT})


class UnsafeNameError(ValueError):
    """A file or source name that could write outside its archive folder, or over the archive's own files."""


def check_plain_name(name: str, *, what: str) -> str:
    """`name` if it is one plain file name the archive may write: no folder, not hidden (nor '..'), not
    one of the archive's own file names (manifest.json, QUARANTINED.json, ...).

    Raises:
        UnsafeNameError: naming the name and why it is refused.
    """
    problem = _name_problem(name)
    if problem:
        raise UnsafeNameError(f"{what} {name!r} is refused: {problem}; a plain file name is needed")
    return name


def _name_problem(name: str) -> str | None:
    if not name:
        return "it is empty"
    if "/" in name or "\\" in name:
        return "it holds a folder separator"
    if "\0" in name:
        return "it holds a NUL character"
    if name.startswith("."):
        return "it starts with '.' (hidden, or a parent folder)"
    if name in _ARCHIVE_OWN_NAMES:
        return "the archive names its own files so"
    return None


_TEMP_SUFFIX = ".tmp"  # a manifest or mark being written


@dataclass(frozen=True)
class ArchivedFile:
    """One immutable file in the raw archive and its provenance."""

    source: str
    filename: str
    version: str
    path: str
    url: str
    sha256: str
    bytes: int
    fetched_at: str

    @property
    def folder(self) -> Path:
        return Path(self.path).parent

    @property
    def is_quarantined(self) -> bool:
        return (self.folder / QUARANTINE_JSON).exists()

    def quarantine_report(self) -> dict:
        """The validation report that quarantined this file (empty when it is not quarantined)."""
        path = self.folder / QUARANTINE_JSON
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def to_dict(self) -> dict:
        return asdict(self)

    def manifest(self) -> dict:
        """What manifest.json holds: everything but the path, which follows the archive root."""
        return {k: v for k, v in self.to_dict().items() if k != "path"}


class RawArchive:
    """Stores files content-addressed and read-only; finds and quarantines them."""

    def __init__(self, root: Path | str):
        self.root = Path(root)

    @property
    def tmp_dir(self) -> Path:
        path = self.root / ".tmp"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def remove_temp_files(self) -> list[Path]:
        """Remove what an interrupted writer left: temp copies and half-written manifests or marks. A
        partial download stays (the next download resumes it). Only for a writer holding the writer lock."""
        tmp = self.root / ".tmp"
        partial_download = (PARTIAL_DOWNLOAD_SUFFIX, PARTIAL_DOWNLOAD_VERSION_SUFFIX)
        doomed = [p for p in tmp.glob("*") if p.is_file() and not p.name.endswith(partial_download)]
        doomed += [p for p in self.root.glob(f"*/*/*{_TEMP_SUFFIX}") if p.is_file()]
        for path in doomed:
            path.unlink(missing_ok=True)
        return doomed

    def adopt(self, tmp_file: Path, *, source: str, filename: str, url: str, sha256: str | None = None) -> ArchivedFile:
        """Move a finished temporary file into the archive (atomic rename); no-op if already there.

        Raises:
            UnsafeNameError: `source` or `filename` is not one plain name (nothing is written).
        """
        check_plain_name(source, what="source name")
        check_plain_name(filename, what="file name")
        sha256 = sha256 or sha256_of(tmp_file)
        version = sha256[:16]
        folder = self.root / source / version
        target = folder / filename
        manifest_path = folder / MANIFEST
        if target.exists() and manifest_path.exists():
            tmp_file.unlink(missing_ok=True)
            return self._read_manifest(manifest_path)
        size = tmp_file.stat().st_size
        with clear_storage_errors(target):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(tmp_file, 0o444)
            os.replace(tmp_file, target)
        archived = ArchivedFile(
            source=source,
            filename=filename,
            version=version,
            path=str(target.resolve()),
            url=url,
            sha256=sha256,
            bytes=size,
            fetched_at=datetime.now(UTC).isoformat(timespec="microseconds"),  # orders versions fetched within a second
        )
        with clear_storage_errors(manifest_path):
            _write_json_atomic(manifest_path, archived.manifest())
        return archived

    def store_local(
        self, path: Path, *, source: str, url: str | None = None, filename: str | None = None
    ) -> ArchivedFile:
        """Copy a local file into the archive (the original is left untouched).

        Raises:
            UnsafeNameError: `source` or the file name is not one plain name (nothing is written).
        """
        path = Path(path)
        check_plain_name(source, what="source name")
        check_plain_name(filename or path.name, what="file name")
        with clear_storage_errors(self.tmp_dir):
            with tempfile.NamedTemporaryFile(dir=self.tmp_dir, delete=False) as tmp:
                tmp_path = Path(tmp.name)
            try:
                shutil.copyfile(path, tmp_path)
            except BaseException:
                tmp_path.unlink(missing_ok=True)
                raise
        return self.adopt(
            tmp_path,
            source=source,
            filename=filename or path.name,
            url=url or path.resolve().as_uri(),
        )

    def files(self, source: str) -> list[ArchivedFile]:
        """Every archived file of a source, oldest first."""
        manifests = sorted((self.root / source).glob(f"*/{MANIFEST}"))
        return sorted((self._read_manifest(m) for m in manifests), key=lambda f: (f.fetched_at, f.filename))

    def find(self, source: str, sha256: str) -> ArchivedFile | None:
        """The archived file with these bytes, or None."""
        manifest = self.root / source / sha256[:16] / MANIFEST
        return self._read_manifest(manifest) if manifest.exists() else None

    def quarantine(self, archived: ArchivedFile, report: dict, summary: str) -> Path:
        """Mark an archived file as rejected, keeping the bytes and the validation report beside them."""
        _write_json_atomic(archived.folder / QUARANTINE_JSON, report)
        (archived.folder / QUARANTINE_TEXT).write_text(summary, encoding="utf-8")
        return archived.folder / QUARANTINE_JSON

    def release(self, archived: ArchivedFile) -> None:
        """Lift a quarantine mark (a later run accepted the same bytes, e.g. after a rule change); the
        report that had quarantined the file stays beside it as RELEASED.json/.txt."""
        for marked, kept in ((QUARANTINE_JSON, RELEASED_JSON), (QUARANTINE_TEXT, RELEASED_TEXT)):
            if (archived.folder / marked).exists():
                os.replace(archived.folder / marked, archived.folder / kept)

    @staticmethod
    def _read_manifest(path: Path) -> ArchivedFile:
        fields = json.loads(path.read_text(encoding="utf-8"))
        return ArchivedFile(path=str(path.parent.resolve() / fields["filename"]), **fields)


def _write_json_atomic(path: Path, payload: dict) -> None:
    tmp = path.with_suffix(path.suffix + _TEMP_SUFFIX)
    tmp.write_text(json.dumps(payload, indent=2, default=str), encoding="utf-8")
    os.replace(tmp, path)
