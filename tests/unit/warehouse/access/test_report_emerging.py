"""The report's trends open with the emerging patterns of the latest complete year (issue 29), read from a
hand-made marts.mart_emerging_patterns of the agreed schema: the strongest sentences in order, the first few
drawn against their history with what a screen reader says in words, a truthful sentence when nothing rose,
and a note (not a crash) for a warehouse built before the mart existed."""

from __future__ import annotations

import re
from dataclasses import replace

import duckdb

from tests.unit.warehouse.access.emerging_mart import CELLS, Cell, create_emerging_mart, strongest_first
from tests.unit.warehouse.access.test_report import _chart, _read, _section_of, _warehouse
from warehouse.access.report import CHARTED_EMERGING, TOP_EMERGING, write_report


def _report(tmp_path, cells=CELLS, *, with_mart: bool = True) -> str:
    db = _warehouse(tmp_path)
    if with_mart:
        with duckdb.connect(str(db)) as con:
            create_emerging_mart(con, cells)
    return write_report(db, tmp_path / "out").read_text(encoding="utf-8")


def _part(page: str, part: str) -> str:
    match = re.search(rf'<div class="part" id="{part}">(.*?)</div>(?=<div class="part"|</section>)', page, re.S)
    assert match, f"no part {part}"
    return match.group(1)


def _listed(part: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", re.search(r'<ol class="emerging">(.*?)</ol>', part, re.S).group(1))


def _whole(value: float) -> str:
    """A count as the report writes it (whole, thousands separated), computed here on its own."""
    return f"{int(value + 0.5):,}"


def test_the_trends_open_with_the_strongest_patterns_of_the_latest_year(tmp_path):
    page = _report(tmp_path)

    trends = _section_of(page, "trends")
    assert trends.index('id="emerging"') < trends.index('id="national-trends"'), "the section opens with them"
    part = _part(page, "emerging")
    flagged = strongest_first([c for c in CELLS if c.is_latest_year and c.is_emerging])
    assert _listed(part) == [c.sentence for c in flagged[:TOP_EMERGING]]
    assert "Older." not in page, "a flagged year that is not the latest is not reported"
    assert (
        f"In FY2024 or FY2025 (the latest complete year of each source), {len(flagged)} cells (a place, an "
        "industry or a filing agent, for one measure) rose above their own history by more than chance explains; "
        "all of them:" in part
    )
    assert "<code>warehouse emerging</code>" in part


def test_the_first_few_are_drawn_against_their_history_in_words(tmp_path):
    page = _report(tmp_path)

    chart = _chart(_part(page, "emerging"), "emerging-patterns")
    spoken = _read(chart).spoken
    drawn = strongest_first([c for c in CELLS if c.is_latest_year and c.is_emerging])[:CHARTED_EMERGING]
    for number, cell in enumerate(drawn, start=1):
        label = f"{number}. {cell.scope_label[0].upper()}{cell.scope_label[1:]}"
        first, last = cell.fiscal_year - 5, cell.fiscal_year - 1
        assert f"{label}: {_whole(cell.observed)} in FY{cell.fiscal_year}" in spoken
        assert f"{label}: about {_whole(cell.expected)} expected from its history" in spoken
        assert (
            f"{label}: FY{first} to FY{last} ranged from {_whole(cell.baseline_min)} to {_whole(cell.baseline_max)}"
        ) in spoken
    assert chart.count('aria-roledescription="bar"') == len(drawn) == CHARTED_EMERGING
    assert spoken.count(f"2. Texas, Construction: {_whole(19)} in FY2025") == 1, "the value's label is not said twice"
    assert "4. " not in " ".join(spoken), "only the first few are drawn"
    assert "30,500" in re.findall(r"<text[^>]*>([^<]*)</text>", chart), "the dot's value, written as a count"


def test_more_flagged_than_listed_says_how_many_and_lists_the_strongest(tmp_path):
    extra = [
        replace(c, scope_label=f"State {n}", emerging_rank=10 + n, q_value=0.04, sentence=f"Rise {n}.")
        for n, c in enumerate([CELLS[0]] * 4)
    ]
    cells = [*CELLS, *extra]

    part = _part(_report(tmp_path, cells), "emerging")

    flagged = [c for c in cells if c.is_latest_year and c.is_emerging]
    assert f"{len(flagged)} cells" in part and f"the strongest {TOP_EMERGING}:" in part
    assert _listed(part) == [c.sentence for c in strongest_first(flagged)[:TOP_EMERGING]]
    assert "Rise 0." not in part


def test_a_sentence_is_escaped(tmp_path):
    cell = replace(CELLS[0], sentence="Cases at <script>alert(1)</script> & Sons rose.")

    part = _part(_report(tmp_path, [cell]), "emerging")

    assert _listed(part) == ["Cases at &lt;script&gt;alert(1)&lt;/script&gt; &amp; Sons rose."]
    assert "1 cell (a place" in part and "above its own history" in part


def test_when_nothing_rose_the_report_says_so(tmp_path):
    unflagged = [c for c in CELLS if not c.is_emerging]

    page = _report(tmp_path, unflagged)

    part = _part(page, "emerging")
    tested = sum(c.is_latest_year for c in unflagged)
    assert (
        "No cell rose significantly above its own history in FY2024 or FY2025 (the latest complete year of each "
        f"source) ({tested} cells tested)." in part
    )
    assert "emerging-patterns" not in page and "<ol" not in part


def test_a_single_latest_year_is_named_once(tmp_path):
    whd = [c for c in CELLS if c.source != "h2a" and c.is_latest_year and not c.is_emerging]

    part = _part(_report(tmp_path, whd), "emerging")

    assert f"No cell rose significantly above its own history in FY2025 ({len(whd)} cells tested)." in part


def test_an_empty_mart_says_nothing_could_be_tested(tmp_path):
    part = _part(_report(tmp_path, []), "emerging")

    assert "No cell has enough complete years of history to be tested." in part


def test_a_warehouse_built_before_the_mart_leaves_the_part_out_with_a_note(tmp_path):
    page = _report(tmp_path, with_mart=False)

    part = _part(page, "emerging")
    assert (
        "This warehouse has no detection of what rose above its own history (table "
        "<code>marts.mart_emerging_patterns</code>), so this part is left out." in part
    )
    assert "<ol" not in part and "emerging-patterns" not in page
    assert 'data-chart="trend-whd_cases"' in _part(page, "national-trends"), "the national trends stay"


def test_the_cell_type_is_the_agreed_schema():
    """The hand-made rows have the agreed 26 columns (a drift here would test a schema nobody builds)."""
    assert len(CELLS[0].row()) == 26 and isinstance(CELLS[0], Cell)
