"""The README's "For analysts" questions run as written on the published warehouse and answer
something (issue #16): every SQL block of that section, through `warehouse query`."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.integration.conftest import run_cli

pytestmark = pytest.mark.integration
README = Path(__file__).resolve().parents[2] / "README.md"


def _analyst_queries() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("## For analysts", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)```", section, re.S)


def test_the_readme_has_five_analyst_questions():
    assert len(_analyst_queries()) == 5


@pytest.mark.parametrize("number", range(5))
def test_each_readme_question_answers_on_the_sample(built_home, number):
    sql = _analyst_queries()[number]
    result = run_cli("query", sql, "--format", "csv", "--home", str(built_home))
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert len(rows) > 1, f"question {number + 1} returned no row:\n{result.output}"
