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


def _breaking_server(versions: list[tuple[bytes, dict]], seen: list[dict], *, honours_if_range: bool = True):
    """Serves versions[n] (body, headers) to the n-th request (the last one repeats): the first answer
    is cut half-way; later ones honour Range, unless an If-Range names another version (RFC 9110) and
    the server `honours_if_range`."""

    def serve(request):
        seen.append(dict(request.headers))
        body, headers = versions[min(len(seen), len(versions)) - 1]
        if len(seen) == 1:

            def broken():
                yield body[: len(body) // 2]
                raise ConnectionResetError("simulated network failure")

            return Response(broken(), headers={**headers, "Content-Length": str(len(body))})
        wanted = request.headers.get("Range")
        if_range = request.headers.get("If-Range")
        if wanted and (not if_range or not honours_if_range or if_range in headers.values()):
            start = int(wanted.removeprefix("bytes=").rstrip("-"))
            content_range = f"bytes {start}-{len(body) - 1}/{len(body)}"
            return Response(body[start:], status=206, headers={**headers, "Content-Range": content_range})
        return Response(body, headers=headers)

    return serve


def test_interrupted_download_resumes_with_a_range_request(httpserver, tmp_path, whd_zip):
    seen: list[dict] = []
    httpserver.expect_request("/big.zip").respond_with_handler(_breaking_server([(whd_zip, {"ETag": '"v1"'})], seen))
    archive = RawArchive(tmp_path / "raw")
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/big.zip"), "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST
    )

    assert Path(archived.path).read_bytes() == whd_zip
    assert "Range" not in seen[0]
    assert seen[1]["Range"].startswith("bytes=") and seen[1]["Range"] != "bytes=0-" and seen[1]["If-Range"] == '"v1"'
    assert not list((tmp_path / "raw" / ".tmp").iterdir()), "nothing of the partial download is left behind"


def test_a_file_changed_before_a_resume_is_fetched_whole_never_spliced(httpserver, tmp_path, whd_zip):
    new = whd_zip[::-1]
    versions = [(whd_zip, {"ETag": '"v1"'}), (new, {"ETag": '"v2"'})]
    httpserver.expect_request("/big.zip").respond_with_handler(_breaking_server(versions, []))
    archive = RawArchive(tmp_path / "raw")
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/big.zip"), "WHD_enforcement.zip"), source="whd", archive=archive, policy=FAST
    )
    assert Path(archived.path).read_bytes() == new
    assert [f.sha256 for f in archive.files("whd")] == [hashlib.sha256(new).hexdigest()]


def test_a_server_that_resumes_another_version_anyway_is_caught_and_the_file_fetched_whole(
    httpserver, tmp_path, whd_zip
):
    """A server ignoring If-Range: the total in its Content-Range differs from the first answer's."""
    new = whd_zip + b"appended by a re-publication"
    seen: list[dict] = []
    versions = [(whd_zip, {"ETag": '"v1"'}), (new, {"ETag": '"v2"'})]
    serve = _breaking_server(versions, seen, honours_if_range=False)
    httpserver.expect_request("/big.zip").respond_with_handler(serve)
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/big.zip"), "WHD_enforcement.zip"),
        source="whd",
        archive=RawArchive(tmp_path / "raw"),
        policy=FAST,
    )
    assert Path(archived.path).read_bytes() == new
    assert "Range" not in seen[2], "after the mismatch it started over"


def test_without_a_version_from_the_server_an_interrupted_download_starts_over(httpserver, tmp_path, whd_zip):
    seen: list[dict] = []
    httpserver.expect_request("/big.zip").respond_with_handler(_breaking_server([(whd_zip, {})], seen))
    archived = fetch_to_archive(
        RemoteFile(httpserver.url_for("/big.zip"), "WHD_enforcement.zip"),
        source="whd",
        archive=RawArchive(tmp_path / "raw"),
        policy=FAST,
    )
    assert Path(archived.path).read_bytes() == whd_zip
    assert "Range" not in seen[1]


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
