"""Download mode end to end for every source table: the real URL list of each source is fetched
from a local HTTP server (a mirror of the publishers' paths) serving sample files in the real
formats, archived, and parsed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest

from sources import all_tables
from sources.common.fetch import FetchPolicy
from sources.common.sample_world import SampleConfig
from warehouse.ingest.acquire import DOWNLOAD_MODE, acquire, sample_folder, via_mirror
from warehouse.settings import WarehousePaths

FAST = FetchPolicy(timeout_seconds=10, max_attempts=2, backoff_seconds=0.01)


@pytest.fixture(scope="module")
def published_files(tmp_path_factory) -> Path:
    """The sample, standing in for what the publishers serve."""
    return sample_folder(WarehousePaths.at(tmp_path_factory.mktemp("publisher")), SampleConfig(scale=0.002, seed=3))


def test_mirror_keeps_host_and_path():
    from sources.common.fetch import RemoteFile

    remote = RemoteFile("https://data.bls.gov/cew/data/api/2020/a/industry/31_33.csv", "qcew_2020_a_industry_31_33.csv")
    assert (
        via_mirror(remote, "http://127.0.0.1:8000/").url
        == "http://127.0.0.1:8000/data.bls.gov/cew/data/api/2020/a/industry/31_33.csv"
    )
    assert via_mirror(remote, None) == remote


@pytest.mark.parametrize(
    ("spec", "table"), all_tables(), ids=lambda v: getattr(getattr(v, "contract", None), "table_name", "")
)
def test_every_remote_file_downloads_archives_and_parses(httpserver, published_files, tmp_path, spec, table):
    remotes = table.remote_files()
    if not remotes:
        pytest.skip(f"{spec.name} publishes no downloadable file (documented in sources/{spec.name}/fetch.py)")
    published = [r for r in remotes if (published_files / r.filename).exists()]
    not_yet = [r for r in remotes if r not in published]
    assert all(r.optional for r in not_yet), "only files marked optional may be missing from the publisher"
    for remote in remotes:
        parts = urlsplit(remote.url)
        assert parts.scheme == "https", remote.url
        handler = httpserver.expect_request(f"/{parts.netloc}{parts.path}")
        if remote in published:
            handler.respond_with_data((published_files / remote.filename).read_bytes())
        else:
            handler.respond_with_data("Not Found", status=404)
    paths = WarehousePaths.at(tmp_path / "home").ensure()

    archived = acquire(
        spec,
        table,
        mode=DOWNLOAD_MODE,
        paths=paths,
        sample_config=SampleConfig(),
        fetch_policy=FAST,
        mirror=httpserver.url_for("/"),
    )

    assert [a.filename for a in archived] == [r.filename for r in published], "unpublished optional files are skipped"
    assert all(a.url.startswith(httpserver.url_for("/")) for a in archived)
    for archived_file in archived[:3]:
        result = table.parse_file(Path(archived_file.path), file=archived_file.filename, sha256=archived_file.sha256)
        assert result.table.num_rows > 0
