"""The report's charts: Altair specifications rendered on the server to SVG (vl-convert), so the page
draws them without any script or network access."""

from __future__ import annotations

import re
from itertools import pairwise

import altair as alt
import pandas as pd
import vl_convert

from warehouse.access.report_numbers import NumberRule

COMPLETE = "complete year"
INCOMPLETE = "incomplete year"
INK = "#1f4e79"
RISE = "#b3261e"
_WIDTH, _TREND_HEIGHT = 380, 190
_MAX_YEAR_TICKS = 12
# Inline SVG in HTML takes its namespace from the parser; the declarations are the only URLs vl-convert writes.
_NAMESPACE_DECLARATIONS = re.compile(r'\s+xmlns(:\w+)?="[^"]*"')


def to_svg(chart: alt.TopLevelMixin) -> str:
    """The chart as an inline-ready <svg> element; rendering may fetch nothing."""
    svg = vl_convert.vegalite_to_svg(chart.to_json(), allowed_base_urls=[])
    return _NAMESPACE_DECLARATIONS.sub("", svg)


def trend_chart(years: pd.DataFrame, *, title: str, axis_title: str, numbers: NumberRule) -> alt.LayerChart:
    """A fiscal-year line: gaps where the value is null (not published), hollow points and dashed
    segments for incomplete years.

    Args:
        years: one row per fiscal year with `fiscal_year`, `value` (null = not published) and
            `is_complete_year`.
        numbers: how the measure's values are written (axis labels, and what a screen reader says of a point).
    """
    points = years.dropna(subset=["value"]).assign(
        year_kind=lambda d: d["is_complete_year"].map(_year_kind),
        description=lambda d: [
            f"{axis_title}, FY{year}: {numbers.write(value)}, {kind}"
            for year, value, kind in zip(d["fiscal_year"], d["value"], d["year_kind"], strict=True)
        ],
    )
    first, last = int(years["fiscal_year"].min()), int(years["fiscal_year"].max())
    x = alt.X(
        "fiscal_year:Q",
        title="Fiscal year",
        scale=alt.Scale(domain=[first, last], nice=False, zero=False),
        axis=alt.Axis(format="d", values=_year_ticks(first, last), labelAngle=0),
    )
    value_axis = alt.Axis(labelExpr=numbers.axis_expr, tickMinStep=1 if numbers.whole else alt.Undefined)
    y = alt.Y("value:Q", title=axis_title, axis=value_axis, scale=alt.Scale(zero=True))
    # The same domain on both channels merges them into one legend: filled solid vs hollow dashed.
    year_kinds = alt.Scale(domain=[COMPLETE, INCOMPLETE], range=[INK, "white"])
    dashes = alt.Scale(domain=[COMPLETE, INCOMPLETE], range=[[1, 0], [5, 3]])
    lines = (
        alt.Chart(_segments(years))
        .mark_line(color=INK, strokeWidth=2)
        .encode(
            x=x,
            y=y,
            detail="segment:N",
            strokeDash=alt.StrokeDash("segment_kind:N", scale=dashes, title=None),
            description="description:N",
        )
    )
    marks = (
        alt.Chart(points)
        .mark_point(filled=True, size=55, stroke=INK, strokeWidth=1.5, opacity=1)
        .encode(x=x, y=y, fill=alt.Fill("year_kind:N", scale=year_kinds, title=None), description="description:N")
    )
    return (
        alt.layer(lines, marks)
        .properties(title=title, width=_WIDTH, height=_TREND_HEIGHT)
        .configure_legend(orient="bottom")
    )


def ranking_chart(ranked: pd.DataFrame, *, title: str, axis_title: str) -> alt.LayerChart:
    """Horizontal bars, largest on top, each labelled with its value as the report writes it.

    Args:
        ranked: one row per member with `label`, `rate` and `rate_text` (the rate written out).
    """
    described = ranked.assign(description=ranked["label"] + ": " + ranked["rate_text"] + " " + axis_title.lower())
    y = alt.Y("label:N", sort="-x", title=None, axis=alt.Axis(labelLimit=320))
    x = alt.X("rate:Q", title=axis_title)
    bars = alt.Chart(described).mark_bar(color=INK).encode(x=x, y=y, description="description:N")
    values = bars.mark_text(align="left", dx=3, color="#222").encode(text="rate_text:N")
    return alt.layer(bars, values).properties(title=title, width=_WIDTH, height=alt.Step(20))


def emerging_chart(patterns: pd.DataFrame, *, title: str, numbers: NumberRule) -> alt.VConcatChart:
    """One row per emerging pattern, each on its own scale (a count of 19 and one of 30,000 side by side):
    a bar for the range of its baseline years, a tick for the value its history leads one to expect, and a
    labelled dot for the year's value.

    Args:
        patterns: one row per pattern with `label`, `fiscal_year`, `observed`, `expected`, `baseline_min`,
            `baseline_max`, `baseline_first_year` and `baseline_last_year`.
        numbers: how the values are written (labels, axes, and what a screen reader says of each mark).
    """
    rows = [_emerging_row(pattern, numbers) for pattern in patterns.to_dict("records")]
    return alt.vconcat(*rows, title=alt.TitleParams(title, anchor="start"), spacing=14).resolve_scale(x="independent")


def _emerging_row(pattern: dict, numbers: NumberRule) -> alt.LayerChart:
    label, write = pattern["label"], numbers.write
    years = f"FY{int(pattern['baseline_first_year'])} to FY{int(pattern['baseline_last_year'])}"
    words = pd.DataFrame(
        [
            {
                **pattern,
                "written": write(pattern["observed"]),
                "said_observed": f"{label}: {write(pattern['observed'])} in FY{int(pattern['fiscal_year'])}",
                "said_expected": f"{label}: about {write(pattern['expected'])} expected from its history",
                "said_range": f"{label}: {years} ranged from {write(pattern['baseline_min'])} to "
                f"{write(pattern['baseline_max'])}",
            }
        ]
    )
    highest = max(pattern["observed"], pattern["expected"], pattern["baseline_max"])
    scale = alt.Scale(domain=[0, highest * 1.25 or 1], nice=False, zero=True)  # room for the dot's label
    axis = alt.Axis(labelExpr=numbers.axis_expr, tickMinStep=1 if numbers.whole else alt.Undefined, tickCount=5)
    base = alt.Chart(words)
    band = base.mark_bar(color="#b9cde3", height=12).encode(
        x=alt.X("baseline_min:Q", scale=scale, axis=axis, title=None), x2="baseline_max:Q", description="said_range:N"
    )
    tick = base.mark_tick(color="#444", thickness=2, size=22).encode(
        x=alt.X("expected:Q", scale=scale), description="said_expected:N"
    )
    dot = base.mark_point(filled=True, size=90, color=RISE, opacity=1).encode(
        x=alt.X("observed:Q", scale=scale), description="said_observed:N"
    )
    # The label repeats the dot's value: a screen reader hears it once, from the dot.
    value = dot.mark_text(align="left", dx=8, color="#222", fontWeight="bold", aria=False).encode(text="written:N")
    return alt.layer(band, tick, dot, value).properties(
        title=alt.TitleParams(label, anchor="start", fontSize=12, fontWeight="normal"), width=_WIDTH, height=26
    )


def _year_ticks(first: int, last: int) -> list[int]:
    """A tick on every fiscal year, or every second, fifth, ... when there are many: never a half year."""
    step = next(step for step in (1, 2, 5, 10, 20, 50) if (last - first) / step <= _MAX_YEAR_TICKS)
    return list(range(-(-first // step) * step, last + 1, step))


def _year_kind(is_complete: bool) -> str:
    return COMPLETE if is_complete else INCOMPLETE


def _segments(years: pd.DataFrame) -> pd.DataFrame:
    """Two rows per pair of consecutive fiscal years that both have a value; a pair touching an
    incomplete year is an incomplete segment. Years without a value join no segment, so they are gaps."""
    rows = years.sort_values("fiscal_year").to_dict("records")
    segments = []
    for before, after in pairwise(rows):
        if pd.isna(before["value"]) or pd.isna(after["value"]) or after["fiscal_year"] != before["fiscal_year"] + 1:
            continue
        kind = _year_kind(bool(before["is_complete_year"] and after["is_complete_year"]))
        description = f"FY{before['fiscal_year']} to FY{after['fiscal_year']}, {kind}"
        for end in (before, after):
            segments.append({"segment": before["fiscal_year"], "segment_kind": kind, "description": description, **end})
    return pd.DataFrame(segments, columns=["segment", "segment_kind", "description", *years.columns])
