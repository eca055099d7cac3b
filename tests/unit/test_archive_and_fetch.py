"""Raw archive immutability and the downloader (streamed, resumable, retried) against a real
HTTP server on 127.0.0.1 serving files in the real publication formats."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from werkzeug import Response

from sources.common.archive import RawArchive
from sources.common.fetch import FetchError, FetchPolicy, RemoteFile, fetch_to_archive
from sources.whd import SOURCE as WHD

FAST = FetchPolicy(timeout_seconds=5, max_attempts=3, backoff_seconds=0.01, chunk_bytes=4096)


@pytest.fixture
def whd_zip(world, tmp_path):
    (path,) = WHD.write_sample(world, tmp_path / "published", era=3)
    return path.read_bytes()


def test_download_is_archived_immutably_with_provenance(httpserver, tmp_path, whd_zip):
    httpserver.expect_request("/data-catalog/WHD/enforcement/WHD_enforcement.zip").respond_with_data(whd_zip)
    archive = RawArchive(tmp_path / "raw")
    url = httpserver.url_for("/data-catalog/WHD/enforcement/WHD_enforcement.zip")

    archived = fetch_to_archive(RemoteFile(url, "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST)

    assert archived.sha256 == hashlib.sha256(whd_zip).hexdigest()
    assert archived.bytes == len(whd_zip)
    assert Path(archived.path).read_bytes() == whd_zip
    assert not os.stat(archived.path).st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    manifest = json.loads((archived.folder / "manifest.json").read_text())
    assert {manifest["url"], manifest["sha256"], manifest["bytes"]} == {url, archived.sha256, len(whd_zip)}
    assert manifest["fetched_at"]
    assert not list((tmp_path / "raw" / ".tmp").iterdir()), "no partial file left behind"


def test_refetching_identical_bytes_is_a_no_op(httpserver, tmp_path, whd_zip):
    httpserver.expect_request("/WHD_enforcement.zip").respond_with_data(whd_zip)
    archive = RawArchive(tmp_path / "raw")
    remote = RemoteFile(httpserver.url_for("/WHD_enforcement.zip"), "WHD_enforcement.zip")
    first = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    second = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    assert second == first
    assert len(archive.files("whd")) == 1


def test_changed_bytes_become_a_new_version_and_keep_the_old(httpserver, tmp_path, whd_zip):
    archive = RawArchive(tmp_path / "raw")
    remote = RemoteFile(httpserver.url_for("/f.zip"), "WHD_enforcement.zip")
    httpserver.expect_ordered_request("/f.zip").respond_with_data(whd_zip)
    httpserver.expect_ordered_request("/f.zip").respond_with_data(whd_zip + b"\n")
    first = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    second = fetch_to_archive(remote, source="whd", archive=archive, policy=FAST)
    assert first.version != second.version
    assert [f.sha256 for f in archive.files("whd")] == [first.sha256, second.sha256]
    assert Path(first.path).read_bytes() == whd_zip


def test_interrupted_download_resumes_with_a_range_request(httpserver, tmp_path, whd_zip):
    half = len(whd_zip) // 2
    seen_ranges = []

    def serve(request):
        seen_ranges.append(request.headers.get("Range"))
        if len(seen_ranges) == 1:
            # Announce the whole file, send half, then drop the connection.
            def broken():
                yield whd_zip[:half]
                raise ConnectionResetError("simulated network failure")

            return Response(broken(), headers={"Content-Length": str(len(whd_zip))})
        start = int(request.headers["Range"].removeprefix("bytes=").rstrip("-"))
        return Response(
            whd_zip[start:], status=206, headers={"Content-Range": f"bytes {start}-{len(whd_zip) - 1}/{len(whd_zip)}"}
        )

    httpserver.expect_request("/big.zip").respond_with_handler(serve)
    archive = RawArchive(tmp_path / "raw")
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/big.zip"), "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST
    )

    assert Path(archived.path).read_bytes() == whd_zip
    assert seen_ranges[0] is None and seen_ranges[1].startswith("bytes=") and seen_ranges[1] != "bytes=0-"


def test_server_errors_are_retried_with_backoff(httpserver, tmp_path, whd_zip):
    httpserver.expect_ordered_request("/flaky.zip").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/flaky.zip").respond_with_data("slow down", status=429)
    httpserver.expect_ordered_request("/flaky.zip").respond_with_data(whd_zip)
    archive = RawArchive(tmp_path / "raw")
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/flaky.zip"), "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST
    )
    assert archived.bytes == len(whd_zip)


def test_retries_are_bounded(httpserver, tmp_path):
    httpserver.expect_request("/down.zip").respond_with_data("down", status=503)
    with pytest.raises(FetchError, match="gave up after 3 attempts"):
        fetch_to_archive(
            RemoteFile(httpserver.url_for("/down.zip"), "x.zip"),
            source="whd",
            archive=RawArchive(tmp_path),
            policy=FAST,
        )
    assert len(httpserver.log) == 3


def test_missing_file_fails_at_once_naming_the_url(httpserver, tmp_path):
    httpserver.expect_request("/gone.zip").respond_with_data("not found", status=404)
    url = httpserver.url_for("/gone.zip")
    with pytest.raises(FetchError, match="404") as error:
        fetch_to_archive(RemoteFile(url, "x.zip"), source="whd", archive=RawArchive(tmp_path), policy=FAST)
    assert url in str(error.value)
    assert len(httpserver.log) == 1


def test_requests_identify_the_client(httpserver, tmp_path):
    httpserver.expect_request("/ua.csv").respond_with_data("a,b\n1,2\n")
    fetch_to_archive(
        RemoteFile(httpserver.url_for("/ua.csv"), "ua.csv"), source="qcew", archive=RawArchive(tmp_path), policy=FAST
    )
    user_agent = httpserver.log[0][0].headers["User-Agent"]
    assert "labor-warehouse" in user_agent and "python-requests" not in user_agent
