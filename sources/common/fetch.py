"""Downloading public files into the raw archive: streamed, resumable, retried, atomic.

A download goes to ``<archive>/.tmp/<hash of url>.part``; an interrupted download resumes from
there with an HTTP Range request; only a complete file is renamed into the archive. Parsing and
source-specific URLs live in each source's ``fetch`` module, not here.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import requests

from sources.common.archive import PARTIAL_DOWNLOAD_SUFFIX, ArchivedFile, RawArchive
from sources.common.storage import clear_storage_errors

log = logging.getLogger(__name__)

# Some DOL servers refuse a bare client User-Agent; say who we are instead.
USER_AGENT = "labor-warehouse/0.1 (+https://github.com/; open labor-enforcement data warehouse)"

ProgressCallback = Callable[[str, int, int | None], None]
"""Called as (file name, bytes done, total bytes or None) while a download streams."""


class FetchError(RuntimeError):
    """A download failed for good (after retries, or with a non-retryable status)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class RemoteFile:
    """A file a source publishes: where to get it and the name it is archived under.

    `optional` marks files whose publication is expected but not confirmed (e.g. the newest fiscal
    year's workbook): a 404 for them is reported and skipped instead of failing the download.
    """

    url: str
    filename: str
    optional: bool = False


@dataclass(frozen=True)
class FetchPolicy:
    timeout_seconds: float = 60.0
    max_attempts: int = 4
    backoff_seconds: float = 2.0
    chunk_bytes: int = 1 << 20


_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def fetch_to_archive(
    remote: RemoteFile,
    *,
    source: str,
    archive: RawArchive,
    policy: FetchPolicy = FetchPolicy(),
    session: requests.Session | None = None,
    progress: ProgressCallback | None = None,
) -> ArchivedFile:
    """Download one file into the archive, resuming and retrying; identical bytes are a no-op.

    Raises:
        FetchError: on a non-retryable HTTP status or when every attempt failed.
    """
    session = session or _new_session()
    part = archive.tmp_dir / (hashlib.sha256(remote.url.encode()).hexdigest()[:24] + PARTIAL_DOWNLOAD_SUFFIX)
    last_error: Exception | None = None
    for attempt in range(1, policy.max_attempts + 1):
        try:
            with clear_storage_errors(part):
                _stream_into(part, remote, session, policy, progress)
            return archive.adopt(part, source=source, filename=remote.filename, url=remote.url)
        except _Retryable as error:
            last_error = error
            if attempt == policy.max_attempts:
                break
            wait = policy.backoff_seconds * 2 ** (attempt - 1)
            log.warning(
                "%s: attempt %d/%d failed (%s); retrying in %.1fs",
                remote.url,
                attempt,
                policy.max_attempts,
                error,
                wait,
            )
            time.sleep(wait)
    raise FetchError(f"{remote.url}: gave up after {policy.max_attempts} attempts: {last_error}") from last_error


class _Retryable(Exception):
    pass


def _new_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def _stream_into(part: Path, remote: RemoteFile, session, policy: FetchPolicy, progress) -> None:
    """Append the rest of the remote file to `part` (resuming if the server allows it)."""
    have = part.stat().st_size if part.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        response = session.get(remote.url, headers=headers, stream=True, timeout=policy.timeout_seconds)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _Retryable(str(error)) from error
    with response:
        if response.status_code == 416 and have:
            return  # we already hold every byte
        if response.status_code in _RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code not in (200, 206):
            raise FetchError(f"{remote.url}: HTTP {response.status_code} {response.reason}", response.status_code)
        resumed = response.status_code == 206
        done = have if resumed else 0
        total = _total_size(response, done)
        try:
            with open(part, "ab" if resumed else "wb") as out:
                for block in response.iter_content(chunk_size=policy.chunk_bytes):
                    out.write(block)
                    done += len(block)
                    if progress:
                        progress(remote.filename, done, total)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            raise _Retryable(f"connection lost after {done} bytes: {error}") from error
    if total is not None and done < total:
        raise _Retryable(f"short read: {done} of {total} bytes")


def _total_size(response: requests.Response, already: int) -> int | None:
    length = response.headers.get("Content-Length")
    return int(length) + already if length and length.isdigit() else None
