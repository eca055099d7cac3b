"""Download faults, each from a real server on 127.0.0.1: a 500, a stalled transfer (timeout), a body
shorter than its Content-Length, a connection cut mid-file, a host that refuses connections, a
fiscal year not published yet. After each fault the raw archive holds only complete files with
their manifests; an unfinished download lives only as a ``.part`` under ``.tmp``."""

from __future__ import annotations

import hashlib
import json
import logging
import socket
import struct
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from sources.common.archive import (
    MANIFEST,
    PARTIAL_DOWNLOAD_SUFFIX,
    PARTIAL_DOWNLOAD_VERSION_SUFFIX,
    RawArchive,
)
from sources.common.fetch import (
    FetchError,
    FetchPolicy,
    HostUnreachable,
    RemoteFile,
    UnreachableHosts,
    fetch_to_archive,
)
from sources.common.sample_world import SampleConfig
from sources.h2a import SOURCE as H2A
from sources.whd import SOURCE as WHD
from warehouse.ingest.acquire import DOWNLOAD_MODE, DownloadFailed, acquire, unreachable_publishers
from warehouse.settings import WarehousePaths

TIMEOUT = 0.5
FAST = FetchPolicy(
    timeout_seconds=TIMEOUT, connect_timeout_seconds=2, max_attempts=3, backoff_seconds=0.01, chunk_bytes=4096
)
BODY = bytes(range(256)) * 400  # 100 kB, not a multiple of any chunk size below


# --- a scripted HTTP server on a raw socket: pytest-httpserver always sends whole bodies -----------


def whole(body: bytes) -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        conn.sendall(_headers(200, f"Content-Length: {len(body)}") + body)

    return respond


def status(code: int) -> Callable[[socket.socket], None]:
    def respond(conn: socket.socket) -> None:
        conn.sendall(_headers(code, "Content-Length: 4") + b"oops")

    return respond


def short_body(body: bytes) -> Callable[[socket.socket], None]:
    """Announce the whole body, send half, then close the connection cleanly."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(_headers(200, f"Content-Length: {len(body)}") + body[: len(body) // 2])

    return respond


def cut_mid_file(body: bytes) -> Callable[[socket.socket], None]:
    """Stream chunked (no length announced), then reset the connection half-way."""

    def respond(conn: socket.socket) -> None:
        half = body[: len(body) // 2]
        conn.sendall(_headers(200, "Transfer-Encoding: chunked") + f"{len(half):x}\r\n".encode() + half + b"\r\n")
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST

    return respond


def stall(body: bytes) -> Callable[[socket.socket], None]:
    """Send a third of the body, then nothing for longer than the client waits."""

    def respond(conn: socket.socket) -> None:
        conn.sendall(_headers(200, f"Content-Length: {len(body)}") + body[: len(body) // 3])
        time.sleep(TIMEOUT * 4)

    return respond


def _headers(code: int, *lines: str) -> bytes:
    return ("\r\n".join([f"HTTP/1.1 {code} X", "Connection: close", *lines]) + "\r\n\r\n").encode()


class ScriptedServer:
    """Answers the n-th connection with the n-th script (the last one repeats); records each request."""

    def __init__(self, scripts: list[Callable[[socket.socket], None]]):
        self.scripts = scripts
        self.requests: list[str] = []
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}{path}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            self.requests.append(_read_request(conn))
            script = self.scripts[min(len(self.requests), len(self.scripts)) - 1]
            threading.Thread(target=self._answer, args=(conn, script), daemon=True).start()

    @staticmethod
    def _answer(conn: socket.socket, script: Callable[[socket.socket], None]) -> None:
        with conn:
            script(conn)

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(timeout=5)
        self.listener.close()


def _read_request(conn: socket.socket) -> str:
    data = b""
    while b"\r\n\r\n" not in data:
        block = conn.recv(4096)
        if not block:
            break
        data += block
    return data.decode("latin-1")


@pytest.fixture
def serve():
    servers: list[ScriptedServer] = []

    def start(*scripts: Callable[[socket.socket], None]) -> ScriptedServer:
        servers.append(ScriptedServer(list(scripts)))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def closed_port_url(path: str = "/f.zip") -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


PARTIAL_DOWNLOADS = (PARTIAL_DOWNLOAD_SUFFIX, PARTIAL_DOWNLOAD_VERSION_SUFFIX)


def assert_archive_holds_only_complete_files(root: Path) -> None:
    """Every file outside .tmp is a complete archived file with its manifest, or a manifest; any
    unfinished download is a .part under .tmp."""
    for path in root.rglob("*"):
        if path.is_dir():
            continue
        relative = path.relative_to(root)
        if relative.parts[0] == ".tmp":
            assert path.name.endswith(PARTIAL_DOWNLOADS), f"unexpected file in .tmp: {relative}"
            continue
        assert not path.name.endswith((".part", ".tmp")), f"partial file in the archive: {relative}"
        assert len(relative.parts) == 3, f"file outside <source>/<version>/: {relative}"
        manifest = json.loads((path.parent / MANIFEST).read_text())
        if path.name == MANIFEST:
            continue
        assert path.name == manifest["filename"], relative
        data = path.read_bytes()
        assert len(data) == manifest["bytes"] and hashlib.sha256(data).hexdigest() == manifest["sha256"], relative
        assert relative.parts[1] == manifest["sha256"][:16], relative


# --- faults mid-transfer: retried with back-off, then the whole file, or nothing -------------------


FAULTS = {"HTTP 500": lambda: status(500), "timeout": lambda: stall(BODY), "short body": lambda: short_body(BODY)}
FAULTS["connection cut mid-file"] = lambda: cut_mid_file(BODY)


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_mid_download_is_retried_and_only_the_whole_file_is_archived(serve, tmp_path, fault):
    server = serve(FAULTS[fault](), whole(BODY))
    archive = RawArchive(tmp_path / "raw")
    unreachable = UnreachableHosts()

    archived = fetch_to_archive(
        RemoteFile(server.url("/WHD_enforcement.zip"), "WHD_enforcement.zip"),
        source="whd",
        archive=archive,
        policy=FAST,
        unreachable=unreachable,
    )

    assert Path(archived.path).read_bytes() == BODY
    assert len(server.requests) == 2, "one failed attempt, one retry"
    assert unreachable.reason(f"127.0.0.1:{server.listener.getsockname()[1]}") is None, "it connected: not unreachable"
    assert_archive_holds_only_complete_files(tmp_path / "raw")
    assert not list((tmp_path / "raw" / ".tmp").iterdir()), "the finished download left no .part behind"


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_on_every_attempt_archives_nothing_and_says_why(serve, tmp_path, fault):
    server = serve(FAULTS[fault]())
    archive = RawArchive(tmp_path / "raw")
    url = server.url("/WHD_enforcement.zip")

    with pytest.raises(FetchError, match="gave up after 3 attempts") as error:
        fetch_to_archive(RemoteFile(url, "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST)

    assert url in str(error.value)
    assert len(server.requests) == 3
    assert archive.files("whd") == []
    assert_archive_holds_only_complete_files(tmp_path / "raw")


def test_a_stalled_transfer_gives_up_after_the_timeout_not_later(serve, tmp_path):
    server = serve(stall(BODY))
    started = time.monotonic()
    with pytest.raises(FetchError, match=f"no data for {TIMEOUT:g}s"):
        fetch_to_archive(
            RemoteFile(server.url("/f.zip"), "f.zip"),
            source="whd",
            archive=RawArchive(tmp_path / "raw"),
            policy=FetchPolicy(timeout_seconds=TIMEOUT, max_attempts=1),
        )
    assert time.monotonic() - started < TIMEOUT * 3


def test_a_changed_file_at_the_same_url_is_archived_beside_the_old_one(serve, tmp_path):
    server = serve(whole(BODY), whole(BODY[::-1]))
    archive = RawArchive(tmp_path / "raw")
    remote = RemoteFile(server.url("/WHD_enforcement.zip"), "WHD_enforcement.zip")
    first = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    second = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    assert [Path(f.path).read_bytes() for f in archive.files("whd")] == [BODY, BODY[::-1]]
    assert first.filename == second.filename and first.version != second.version
    assert_archive_holds_only_complete_files(tmp_path / "raw")


# --- a host that cannot be connected to: one quick retry, then it fails at once --------------------


def test_a_refused_host_gets_one_quick_retry_then_fails_at_once_for_the_next_files(tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("sources.common.fetch.time.sleep", waits.append)
    archive = RawArchive(tmp_path / "raw")
    unreachable = UnreachableHosts()
    url = closed_port_url("/first.zip")
    policy = FetchPolicy(max_attempts=4, backoff_seconds=1.5)

    with pytest.raises(HostUnreachable, match=r"cannot connect to 127.0.0.1:[0-9]+ \(connection refused\)"):
        fetch_to_archive(
            RemoteFile(url, "first.zip"), source="whd", archive=archive, policy=policy, unreachable=unreachable
        )
    assert waits == [1.5], "one quick retry, not four attempts with growing back-off"

    with pytest.raises(HostUnreachable, match="earlier in this run"):
        fetch_to_archive(
            RemoteFile(url.replace("first", "second"), "second.zip"),
            source="whd",
            archive=archive,
            policy=policy,
            unreachable=unreachable,
        )
    assert waits == [1.5], "the second file on that host failed without trying"
    assert_archive_holds_only_complete_files(tmp_path / "raw")


def test_an_unresolvable_host_name_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.setattr("sources.common.fetch.time.sleep", lambda _: None)
    with pytest.raises(HostUnreachable, match="host name not resolved"):
        fetch_to_archive(
            RemoteFile("http://no-such-host.invalid/f.zip", "f.zip"),
            source="whd",
            archive=RawArchive(tmp_path / "raw"),
            policy=FAST,
        )


def test_a_whole_table_on_an_unreachable_host_fails_once_naming_the_source(tmp_path, monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr("sources.common.fetch.time.sleep", waits.append)
    monkeypatch.setattr("warehouse.ingest.acquire.UNREACHABLE_HOSTS", UnreachableHosts())
    disclosure = next(t for t in H2A.tables if t.is_partitioned and len(t.remote_files()) > 10)
    mirror = closed_port_url("/")

    with pytest.raises(DownloadFailed) as error:
        _download(H2A, disclosure, tmp_path, mirror, FetchPolicy(backoff_seconds=0.01))

    assert str(error.value).startswith("h2a fiscal year 2008: cannot connect to 127.0.0.1:")
    assert len(waits) == 1


def test_the_publisher_check_names_each_source_it_cannot_reach_and_passes_a_live_one(httpserver, monkeypatch):
    monkeypatch.setattr("sources.common.fetch.time.sleep", lambda _: None)
    monkeypatch.setattr("warehouse.ingest.acquire.UNREACHABLE_HOSTS", UnreachableHosts())
    httpserver.expect_request("/data.dol.gov/data-catalog/WHD/enforcement/WHD_enforcement.zip").respond_with_data("")

    assert unreachable_publishers([WHD], mirror=httpserver.url_for("/")) == {}
    problems = unreachable_publishers([WHD, H2A], mirror=closed_port_url("/"))

    assert list(problems) == ["whd", "h2a"]
    assert all(" (connection refused) for http://127.0.0.1:" in line for line in problems.values())
    assert problems["whd"].startswith("whd: cannot connect to 127.0.0.1:")


# --- a fiscal year not published yet --------------------------------------------------------------


def test_a_fiscal_year_not_published_yet_is_skipped_naming_it_and_the_other_years_load(httpserver, tmp_path, caplog):
    disclosure = next(t for t in H2A.tables if t.is_partitioned and len(t.remote_files()) > 10)
    remotes = disclosure.remote_files()
    newest = next(r for r in reversed(remotes) if r.optional)
    published = [r for r in remotes if r is not newest]
    for remote in remotes:
        handler = httpserver.expect_request("/www.dol.gov" + remote.url.split("www.dol.gov", 1)[1])
        if remote is newest:
            handler.respond_with_data("Not Found", status=404)
        else:
            handler.respond_with_data(remote.filename.encode())
    year = disclosure.partition_of(Path(newest.filename))

    with caplog.at_level(logging.WARNING, logger="warehouse.ingest.acquire"):
        archived = _download(H2A, disclosure, tmp_path, httpserver.url_for("/"), FAST)

    assert [a.filename for a in archived] == [r.filename for r in published]
    (warning,) = [r.getMessage() for r in caplog.records if "not published yet" in r.getMessage()]
    assert f"h2a fiscal year {year} is not published yet" in warning
    assert newest.url.split("//", 1)[1] in warning and "404" in warning
    assert_archive_holds_only_complete_files(WarehousePaths.at(tmp_path / "home").raw_archive)


def test_a_missing_file_that_must_be_published_fails_naming_source_year_and_url(httpserver, tmp_path):
    disclosure = next(t for t in H2A.tables if t.is_partitioned and len(t.remote_files()) > 10)
    httpserver.expect_request("/www.dol.gov/sites/dolgov/files/ETA/oflc/pdfs/H2A_FY2008.xlsx").respond_with_data(
        "Not Found", status=404
    )
    with pytest.raises(DownloadFailed) as error:
        _download(H2A, disclosure, tmp_path, httpserver.url_for("/"), FAST)
    message = str(error.value)
    assert message.startswith("h2a fiscal year 2008: ") and "H2A_FY2008.xlsx: HTTP 404" in message


def _download(spec, table, tmp_path: Path, mirror: str, policy: FetchPolicy):
    return acquire(
        spec,
        table,
        mode=DOWNLOAD_MODE,
        paths=WarehousePaths.at(tmp_path / "home").ensure(),
        sample_config=SampleConfig(),
        fetch_policy=policy,
        mirror=mirror,
    )
