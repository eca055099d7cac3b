"""Downloading public files into the raw archive: streamed, resumable, retried, atomic.

A download goes to ``<archive>/.tmp/<hash of url>.part``; an interrupted download resumes from
there with an HTTP Range request, but only when the server named the version of the file the first
bytes came from (ETag or Last-Modified, sent back as If-Range), so two versions are never spliced;
only a complete file is renamed into the archive. A failure
mid-transfer (or a 5xx) is retried with back-off; a host we cannot connect to at all (name not
resolved, connection refused, connect timeout) gets one quick retry and is then remembered as
unreachable, so its next files fail at once. Credentials never leave the request: URLs are shown and
stored with their user, password and token-like query values replaced by ``***``. Parsing and
source-specific URLs live in each source's ``fetch`` module, not here.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError

from sources.common.archive import PARTIAL_DOWNLOAD_SUFFIX, PARTIAL_DOWNLOAD_VERSION_SUFFIX, ArchivedFile, RawArchive
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


class HostUnreachable(FetchError):
    """No connection to the host at all (name not resolved, refused, connect timeout): no byte came back."""

    def __init__(self, message: str, host: str):
        super().__init__(message)
        self.host = host


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
    timeout_seconds: float = 60.0  # longest wait for the response, then for each next block of bytes
    connect_timeout_seconds: float = 10.0
    max_attempts: int = 4  # failures mid-transfer and 5xx answers, retried with back-off
    connect_attempts: int = 2  # a host we cannot connect to: one quick retry, then it is unreachable
    backoff_seconds: float = 2.0
    chunk_bytes: int = 1 << 20


class UnreachableHosts:
    """Hosts a download could not connect to, so the next files on them fail at once.

    Forgotten after `forget_after_seconds`, so a long-lived process tries such a host again later.
    """

    def __init__(self, forget_after_seconds: float = 600.0):
        self.forget_after_seconds = forget_after_seconds
        self._seen: dict[str, tuple[float, str]] = {}

    def remember(self, host: str, reason: str) -> None:
        self._seen[host] = (time.monotonic(), reason)

    def reason(self, host: str) -> str | None:
        """Why `host` could not be reached, if that was recently; None otherwise."""
        seen = self._seen.get(host)
        if seen is None or time.monotonic() - seen[0] > self.forget_after_seconds:
            return None
        return seen[1]


# Query parameter names whose value is a credential (token=, api_key=, X-Amz-Signature=, ...).
_SECRET_PARAMETER = re.compile(r"token|key|secret|passw|pwd|sig|auth|credential|session", re.IGNORECASE)
REDACTED = "***"


def redact_url(url: str) -> str:
    """The URL as it may be shown or stored: user, password and token-like query values are ``***``."""
    parts = urlsplit(url)
    netloc = f"{REDACTED}@{parts.netloc.rpartition('@')[2]}" if "@" in parts.netloc else parts.netloc
    query = "&".join(_redact_parameter(pair) for pair in parts.query.split("&")) if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _redact_parameter(pair: str) -> str:
    name, equals, _ = pair.partition("=")
    return f"{name}={REDACTED}" if equals and _SECRET_PARAMETER.search(name) else pair


def host_of(url: str) -> str:
    """host[:port] of a URL, without any user or password."""
    return urlsplit(url).netloc.rpartition("@")[2]


_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


def fetch_to_archive(
    remote: RemoteFile,
    *,
    source: str,
    archive: RawArchive,
    policy: FetchPolicy = FetchPolicy(),
    session: requests.Session | None = None,
    progress: ProgressCallback | None = None,
    unreachable: UnreachableHosts | None = None,
    token: str | None = None,
) -> ArchivedFile:
    """Download one file into the archive, resuming and retrying; identical bytes are a no-op.

    Args:
        unreachable: hosts known to refuse connections; a host that does is added to it.
        token: sent as ``Authorization: Bearer <token>`` (requests drops it on a redirect to another host).

    Raises:
        HostUnreachable: the host could not be connected to (now, or earlier as `unreachable` says).
        FetchError: on a non-retryable HTTP status or when every attempt failed.
    """
    session = session or _new_session(token)
    unreachable = unreachable if unreachable is not None else UnreachableHosts()
    shown, host = redact_url(remote.url), host_of(remote.url)
    if known := unreachable.reason(host):
        raise HostUnreachable(cannot_connect_message(host, f"{known}, earlier in this run", shown), host)
    part = archive.tmp_dir / (hashlib.sha256(remote.url.encode()).hexdigest()[:24] + PARTIAL_DOWNLOAD_SUFFIX)
    last_error: Exception | None = None
    connect_failures = 0
    for attempt in range(1, policy.max_attempts + 1):
        try:
            with clear_storage_errors(part):
                _stream_into(part, remote, session, policy, progress)
            archived = archive.adopt(part, source=source, filename=remote.filename, url=shown)
            _forget_partial(part)
            return archived
        except _CannotConnect as error:
            connect_failures += 1
            if connect_failures >= policy.connect_attempts:
                unreachable.remember(host, str(error))
                raise HostUnreachable(cannot_connect_message(host, str(error), shown), host) from None
            last_error, wait = error, policy.backoff_seconds
        except _Retryable as error:
            last_error, wait = error, policy.backoff_seconds * 2 ** (attempt - 1)
        if attempt < policy.max_attempts:
            log.warning(
                "%s: attempt %d/%d failed (%s); retrying in %.1fs",
                shown,
                attempt,
                policy.max_attempts,
                last_error,
                wait,
            )
            time.sleep(wait)
    raise FetchError(f"{shown}: gave up after {policy.max_attempts} attempts: {last_error}") from None


def cannot_connect_message(host: str, reason: str, shown_url: str) -> str:
    return f"cannot connect to {host} ({reason}) for {shown_url}"


def unreachable_reason(
    url: str, *, policy: FetchPolicy = FetchPolicy(), unreachable: UnreachableHosts | None = None
) -> str | None:
    """Why the host of `url` cannot be connected to (after `policy.connect_attempts` tries), or None
    when it answers anything at all. One HEAD request, no credentials; a host that cannot be reached
    is added to `unreachable`."""
    unreachable = unreachable if unreachable is not None else UnreachableHosts()
    host = host_of(url)
    if known := unreachable.reason(host):
        return known
    session = _new_session()
    for attempt in range(1, policy.connect_attempts + 1):
        try:
            session.head(url, timeout=(policy.connect_timeout_seconds, policy.timeout_seconds)).close()
            return None
        except (requests.ConnectionError, requests.Timeout) as error:
            failure = _request_failure(error, policy)
            if not isinstance(failure, _CannotConnect):
                return None  # it connected: what broke after is the download's to retry
            if attempt == policy.connect_attempts:
                unreachable.remember(host, str(failure))
                return str(failure)
            time.sleep(policy.backoff_seconds)
    return None


class _Retryable(Exception):
    """A failure worth another try: the message is short and holds no URL."""


class _CannotConnect(_Retryable):
    """No connection could be made to the host; the message is the reason in a few words."""


def _new_session(token: str | None = None) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    if token:
        session.headers["Authorization"] = f"Bearer {token}"
    return session


def _request_failure(error: requests.RequestException, policy: FetchPolicy) -> _Retryable:
    """A request that failed before the response began: could we not connect, or did it break after?"""
    reason = error.args[0].reason if error.args and hasattr(error.args[0], "reason") else None
    if isinstance(reason, NameResolutionError):
        return _CannotConnect("host name not resolved")
    if isinstance(error, requests.ConnectTimeout) or (
        isinstance(reason, ConnectTimeoutError) and "timed out" in str(reason)
    ):
        return _CannotConnect(f"no connection within {policy.connect_timeout_seconds:g}s")
    if isinstance(reason, ConnectTimeoutError):  # urllib3's NewConnectionError: refused, no route, ...
        return _CannotConnect(_errno_text(reason) or "connection failed")
    if isinstance(error, requests.Timeout):
        return _Retryable(f"no response within {policy.timeout_seconds:g}s")
    return _Retryable(f"connection lost before the response: {type(error).__name__}")


def _errno_text(error: Exception) -> str | None:
    """'connection refused' from '... [Errno 111] Connection refused'."""
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", str(error))
    return found.group(1).strip().lower() if found else None


def _stream_into(part: Path, remote: RemoteFile, session, policy: FetchPolicy, progress) -> None:
    """Append the rest of the remote file to `part` (resuming if the server allows it)."""
    resume = _resume_point(part)
    have = resume["have"] if resume else 0
    headers = {"Range": f"bytes={have}-", "If-Range": resume["if_range"]} if resume else {}
    timeout = (policy.connect_timeout_seconds, policy.timeout_seconds)
    try:
        response = session.get(remote.url, headers=headers, stream=True, timeout=timeout)
    except (requests.ConnectionError, requests.Timeout) as error:
        raise _request_failure(error, policy) from None
    with response:
        if response.status_code == 416 and have:
            return  # we already hold every byte
        if response.status_code in _RETRYABLE_STATUS:
            raise _Retryable(f"HTTP {response.status_code}")
        if response.status_code not in (200, 206):
            raise FetchError(
                f"{redact_url(remote.url)}: HTTP {response.status_code} {response.reason}", response.status_code
            )
        resumed = response.status_code == 206
        if resumed and _content_range(response) != (have, resume["total"]):
            _forget_partial(part)
            raise _Retryable("the server resumed another version or byte of the file; starting over")
        done = have if resumed else 0
        total = _total_size(response, done)
        if not resumed:
            _remember_version(part, response, total)
        try:
            with open(part, "ab" if resumed else "wb") as out:
                for block in response.iter_content(chunk_size=policy.chunk_bytes):
                    out.write(block)
                    done += len(block)
                    if progress:
                        progress(remote.filename, done, total)
        except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as error:
            raise _Retryable(f"connection lost after {done:,} bytes ({_transfer_failure(error, policy)})") from None
    if total is not None and done < total:
        raise _Retryable(f"short read: {done:,} of {total:,} bytes")


def _version_file(part: Path) -> Path:
    return part.with_suffix(PARTIAL_DOWNLOAD_VERSION_SUFFIX)


def _remember_version(part: Path, response: requests.Response, total: int | None) -> None:
    """Note which version of the file `part` holds the start of: a strong ETag, else Last-Modified."""
    etag = response.headers.get("ETag", "")
    if_range = etag if etag and not etag.startswith("W/") else response.headers.get("Last-Modified", "")
    if if_range and total is not None:
        _version_file(part).write_text(json.dumps({"if_range": if_range, "total": total}), encoding="utf-8")
    else:
        _version_file(part).unlink(missing_ok=True)


def _resume_point(part: Path) -> dict | None:
    """Where to resume `part` and the version its bytes come from; None to start over. A download is
    resumed only when the server named that version, so bytes of two versions are never spliced."""
    version = _version_file(part)
    if not part.exists() or not part.stat().st_size or not version.exists():
        return None
    try:
        return {**json.loads(version.read_text(encoding="utf-8")), "have": part.stat().st_size}
    except (ValueError, OSError):
        return None


def _content_range(response: requests.Response) -> tuple[int, int] | None:
    """(first byte, total) of a 206 answer's Content-Range: bytes first-last/total."""
    found = re.fullmatch(r"bytes (\d+)-\d+/(\d+)", response.headers.get("Content-Range", "").strip())
    return (int(found.group(1)), int(found.group(2))) if found else None


def _forget_partial(part: Path) -> None:
    part.unlink(missing_ok=True)
    _version_file(part).unlink(missing_ok=True)


def _transfer_failure(error: Exception, policy: FetchPolicy) -> str:
    """Why a response broke off, in a few words and without the URL."""
    text = str(error)
    if "timed out" in text.lower():
        return f"no data for {policy.timeout_seconds:g}s"
    if "IncompleteRead" in text or "incomplete" in text.lower():
        return "the body ended before its announced length"
    return _errno_text(error) or type(error).__name__


def _total_size(response: requests.Response, already: int) -> int | None:
    length = response.headers.get("Content-Length")
    return int(length) + already if length and length.isdigit() else None
