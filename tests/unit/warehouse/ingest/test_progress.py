"""Download progress is logged every 10% for big files and drawn as a bar on a terminal."""

from __future__ import annotations

import io

from warehouse.ingest.progress import DownloadProgress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_big_downloads_log_each_tenth_and_draw_a_bar():
    logged: list[str] = []
    terminal = _Terminal()
    progress = DownloadProgress(logged.append, stream=terminal)
    total = 50 << 20
    for done in range(0, total + 1, 1 << 20):
        progress("WHD_enforcement.zip", done, total)
    assert [line.split(": ")[1].split(" of")[0] for line in logged] == [f"{p}%" for p in range(0, 101, 10)]
    assert "[" + "#" * 30 + "]" in terminal.getvalue() and terminal.getvalue().endswith("\n")


def test_small_or_unsized_files_stay_quiet():
    logged: list[str] = []
    progress = DownloadProgress(logged.append, stream=io.StringIO())
    progress("qcew_2020_a_industry_11.csv", 1000, 2000)
    progress("stream.zip", 5 << 20, None)
    assert logged == []
