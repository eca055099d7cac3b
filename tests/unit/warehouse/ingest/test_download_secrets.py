"""Download credentials stay secret: WAREHOUSE_DOWNLOAD_TOKEN goes to the server as a Bearer header
and nowhere else; a URL is shown and stored (manifest, errors, logs) with its user, password and
token-like query values replaced by ***; a mirror URL, which Dagster stores with each run, may not
hold a credential at all."""

from __future__ import annotations

import json
import logging

import pytest

from sources.common.archive import RawArchive
from sources.common.fetch import FetchError, FetchPolicy, RemoteFile, fetch_to_archive, redact_url
from sources.common.sample_world import SampleConfig
from sources.whd import SOURCE as WHD
from warehouse.ingest.acquire import DOWNLOAD_MODE, acquire
from warehouse.settings import MIRROR_ENV, TOKEN_ENV, WarehousePaths, download_mirror_from_env

SECRET = "s3cr3t-Tok3n-value"
FAST = FetchPolicy(timeout_seconds=5, max_attempts=2, backoff_seconds=0.01)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("https://data.dol.gov/a/b.zip", "https://data.dol.gov/a/b.zip"),
        (f"https://me:{SECRET}@mirror.example/a.zip", "https://***@mirror.example/a.zip"),
        (f"https://{SECRET}@mirror.example:8443/a.zip", "https://***@mirror.example:8443/a.zip"),
        (
            f"https://api.example/v1/x.csv?year=2020&api_key={SECRET}",
            "https://api.example/v1/x.csv?year=2020&api_key=***",
        ),
        (
            f"https://x.example/f?token={SECRET}&Signature={SECRET}&n=1",
            "https://x.example/f?token=***&Signature=***&n=1",
        ),
        (f"https://x.example/f?X-Amz-Credential={SECRET}&access_token={SECRET}", None),
    ],
)
def test_a_url_is_shown_without_its_credentials(url, shown):
    redacted = redact_url(url)
    assert SECRET not in redacted
    if shown is not None:
        assert redacted == shown


def test_the_token_is_sent_as_a_bearer_header_and_kept_out_of_manifest_errors_and_logs(
    httpserver, tmp_path, monkeypatch, caplog
):
    monkeypatch.setenv(TOKEN_ENV, SECRET)
    path = "/data.dol.gov/data-catalog/WHD/enforcement/WHD_enforcement.zip"
    httpserver.expect_ordered_request(path).respond_with_data("busy", status=503)
    httpserver.expect_ordered_request(path).respond_with_data(b"PK-whd-bytes")
    paths = WarehousePaths.at(tmp_path / "home").ensure()

    with caplog.at_level(logging.DEBUG):
        (archived,) = acquire(
            WHD,
            WHD.tables[0],
            mode=DOWNLOAD_MODE,
            paths=paths,
            sample_config=SampleConfig(),
            fetch_policy=FAST,
            mirror=httpserver.url_for("/"),
        )

    assert [request.headers["Authorization"] for request, _ in httpserver.log] == [f"Bearer {SECRET}"] * 2
    assert archived.url == httpserver.url_for(path)
    assert "retrying" in caplog.text and SECRET not in caplog.text
    for file in paths.home.rglob("*"):
        assert not file.is_file() or SECRET.encode() not in file.read_bytes(), file


def test_credentials_in_a_url_never_reach_the_manifest_or_an_error(httpserver, tmp_path):
    httpserver.expect_request("/f.csv").respond_with_data("a,b\n1,2\n")
    httpserver.expect_request("/gone.csv").respond_with_data("Not Found", status=404)
    base = httpserver.url_for("/").replace("http://", f"http://me:{SECRET}@")
    archive = RawArchive(tmp_path / "raw")

    archived = fetch_to_archive(RemoteFile(f"{base}f.csv?token={SECRET}", "f.csv"), source="qcew", archive=archive)
    with pytest.raises(FetchError) as error:
        fetch_to_archive(RemoteFile(f"{base}gone.csv?api_key={SECRET}", "g.csv"), source="qcew", archive=archive)

    manifest = json.loads((archived.folder / "manifest.json").read_text())
    assert manifest["url"].endswith("/f.csv?token=***") and "***@" in manifest["url"]
    assert "gone.csv?api_key=***" in str(error.value) and "404" in str(error.value)
    assert SECRET not in json.dumps(manifest) + str(error.value)


@pytest.mark.parametrize("mirror", [f"https://me:{SECRET}@mirror.example/", f"https://mirror.example/?token={SECRET}"])
def test_a_mirror_url_with_a_credential_is_refused_pointing_to_the_token_setting(monkeypatch, mirror):
    monkeypatch.setenv(MIRROR_ENV, mirror)
    with pytest.raises(ValueError, match=TOKEN_ENV) as error:
        download_mirror_from_env()
    assert SECRET not in str(error.value)
