"""Where `benchmarks/run.py` writes a result and which scale-1 result it compares scale 10 with."""

import json

from benchmarks.run import latest_scale1, result_path


def _write(folder, name, result):
    (folder / name).write_text(json.dumps(result), encoding="utf-8")


def test_the_scale1_baseline_is_the_newest_whole_build_before_the_run(tmp_path):
    _write(tmp_path, "2026-12-05-scale1.json", {"build": {}, "measured_at": "2026-12-05T13:06:00+00:00"})
    _write(tmp_path, "2026-12-06-scale1.json", {"build": {}, "measured_at": "2026-12-06T01:45:00+00:00"})
    _write(tmp_path, "2026-12-07-scale1.json", {"build": {}, "measured_at": "2026-12-07T09:00:00+00:00"})
    # benchmarks/linkage.py's figures: no build, no measured_at
    _write(tmp_path, "2026-12-06-linkage-relink-scale1.json", {"seconds": 32.8})

    found = latest_scale1(tmp_path, "2026-12-06T08:00:00+00:00")

    assert found["measured_at"] == "2026-12-06T01:45:00+00:00"
    assert latest_scale1(tmp_path, "2026-12-01T00:00:00+00:00") is None


def test_a_second_result_of_the_day_gets_its_time_and_overwrites_nothing(tmp_path):
    first = result_path(tmp_path, 1, "2026-12-06T07:22:27+00:00")
    assert first.name == "2026-12-06-scale1.json"
    first.write_text("{}", encoding="utf-8")

    assert result_path(tmp_path, 1, "2026-12-06T07:41:09+00:00").name == "2026-12-06-0741-scale1.json"
    assert result_path(tmp_path, 10, "2026-12-06T07:41:09+00:00").name == "2026-12-06-scale10.json"
