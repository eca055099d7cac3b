"""Inputs are data, never paths: a zip member with '../' or an absolute path refuses its zip naming
the file and the member, and no name from a download, a drop folder or a caller can make the raw
archive write outside its folder or over its own manifest."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sources.common.archive import RawArchive, UnsafeNameError
from sources.common.errors import ParseError
from sources.common.fetch import RemoteFile, fetch_to_archive
from sources.qcew import SOURCE as QCEW
from sources.whd import SOURCE as WHD
from warehouse.ingest.acquire import new_in_drop_folder, recognised_files
from warehouse_cli import app

ESCAPING_MEMBERS = ["../evil.csv", "/tmp/evil.csv", "..\\evil.csv", "C:/evil.csv", "data/../../evil.csv"]


def _zip_with(path: Path, members: dict[str, str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in members.items():
            archive.writestr(zipfile.ZipInfo(name), text)  # ZipInfo keeps the name as given
    return path


@pytest.mark.parametrize("member", ESCAPING_MEMBERS)
@pytest.mark.parametrize(("spec", "filename"), [(WHD, "WHD_enforcement.zip"), (QCEW, "2020_annual_singlefile.zip")])
def test_a_zip_member_that_leaves_its_folder_refuses_the_zip_naming_file_and_member(tmp_path, spec, filename, member):
    header = "case_id,trade_nm\n1,Acme\n"
    path = _zip_with(tmp_path / "in" / filename, {"fine.csv": header, member: header})
    (table,) = [t for t in spec.tables if t.matches(filename)]

    with pytest.raises(ParseError) as error:
        table.parse_file(path, file=filename, sha256="0" * 64)

    assert error.value.rule == "zip_member_path"
    assert error.value.file == filename
    assert repr(member) in str(error.value) and "'..'" in str(error.value)
    assert not list(tmp_path.parent.rglob("evil.csv")) and not Path("/tmp/evil.csv").exists()


def test_two_csv_members_with_one_name_are_refused_rather_than_one_overwriting_the_other(tmp_path):
    path = _zip_with(tmp_path / "WHD_enforcement.zip", {"a/whd.csv": "x\n", "b/whd.csv": "y\n"})
    (table,) = WHD.tables
    with pytest.raises(ParseError, match=re.escape("'a/whd.csv' and 'b/whd.csv' have the same file name")):
        table.parse_file(path, file="WHD_enforcement.zip", sha256="0" * 64)


UNSAFE_NAMES = ["../escaped.csv", "sub/dir.csv", "..\\escaped.csv", "..", ".hidden.csv", "manifest.json"]
UNSAFE_NAMES += ["QUARANTINED.json", "RELEASED.txt", "bad\0name.csv"]


@pytest.mark.parametrize("name", UNSAFE_NAMES)
def test_the_archive_refuses_a_file_name_that_is_not_one_plain_name(tmp_path, name):
    archive = RawArchive(tmp_path / "home" / "raw")
    local = tmp_path / "payload.csv"
    local.write_text("a,b\n1,2\n")

    with pytest.raises(UnsafeNameError, match="is refused") as error:
        archive.store_local(local, source="whd", filename=name)

    assert repr(name) in str(error.value)
    assert [p.name for p in tmp_path.rglob("*")] == ["payload.csv"], "nothing was written, in the archive or outside"


@pytest.mark.parametrize("source", ["../whd", "whd/../../x", ".", ""])
def test_the_archive_refuses_a_source_name_that_is_not_one_plain_name(tmp_path, source):
    local = tmp_path / "WHD_enforcement.zip"
    local.write_bytes(b"PK")
    with pytest.raises(UnsafeNameError, match="source name"):
        RawArchive(tmp_path / "raw").store_local(local, source=source)


def test_a_download_under_an_unsafe_name_fails_before_anything_is_archived(httpserver, tmp_path):
    httpserver.expect_request("/f.csv").respond_with_data("a,b\n1,2\n")
    archive = RawArchive(tmp_path / "raw")
    with pytest.raises(UnsafeNameError, match=re.escape("'../../outside.csv'")):
        fetch_to_archive(RemoteFile(httpserver.url_for("/f.csv"), "../../outside.csv"), source="qcew", archive=archive)
    assert not list(tmp_path.rglob("outside.csv"))
    assert archive.files("qcew") == []


def test_hidden_files_in_an_input_folder_are_not_inputs(tmp_path):
    drop = tmp_path / "drop"
    drop.mkdir()
    (drop / ".~lock.WHD_enforcement.zip#").write_text("lock")
    (drop / ".WHD_enforcement.zip").write_bytes(b"PK")
    (table,) = WHD.tables
    assert new_in_drop_folder(WHD, table, RawArchive(tmp_path / "raw"), drop) == []
    assert recognised_files(drop) == []


@pytest.mark.parametrize("name", ["manifest.json", ".WHD_enforcement.zip"])
def test_ingest_refuses_a_file_name_the_archive_cannot_take_before_doing_anything(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"PK")
    result = CliRunner().invoke(app, ["ingest", "whd", "--file", str(path), "--home", str(tmp_path / "home")])
    assert result.exit_code == 2, result.output
    assert f"file name {name!r} is refused" in result.stderr
    assert not (tmp_path / "home" / "raw" / "whd").exists()
