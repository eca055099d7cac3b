"""A process killed while DuckDB spilled leaves its spill folder in the system's temp folder (DuckDB removes it
only when the database closes); the next writer removes it, and never one a running process uses."""

from __future__ import annotations

import subprocess
import sys
import tempfile

from sources.common.duckdb_memory import SPILL_FOLDER, in_memory_connection
from warehouse.operations.leftovers import remove_leftovers
from warehouse.settings import WarehousePaths


def _dead_pid() -> int:
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    finished.wait()
    return finished.pid


def test_the_spill_folder_of_a_dead_process_is_removed_and_a_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    with in_memory_connection() as con:
        con.execute("SET memory_limit = '20MB'")
        con.execute("CREATE TABLE big AS SELECT range AS i, repeat('x', 100) AS s FROM range(2000000)")
        (live,) = (tmp_path / "tmp").glob(f"{SPILL_FOLDER}-*")
        assert any(live.iterdir()), "DuckDB spilled nothing: the test does not show a live folder kept"
        dead = tmp_path / "tmp" / f"{SPILL_FOLDER}-{_dead_pid()}-0123abcd"
        dead.mkdir()
        (dead / "duckdb_temp_storage-0.tmp").write_bytes(b"\0" * 1024)
        not_ours = tmp_path / "tmp" / f"{SPILL_FOLDER}-abc"  # no process id in its name: left alone
        not_ours.mkdir()

        removed = remove_leftovers(WarehousePaths.at(tmp_path / "home"))

        assert dead in removed and not dead.exists()
        assert live.exists() and live not in removed
        assert not_ours.exists()
        assert con.execute("SELECT count(*) FROM big").fetchone() == (2000000,)
