"""The report writes each kind of number by one rule, and its chart axes by the same rule."""

from __future__ import annotations

import re

import altair as alt
import numpy as np
import pandas as pd
import pytest

from warehouse.access.report_charts import to_svg, trend_chart
from warehouse.access.report_numbers import COUNTS, MONEY, NOT_PUBLISHED, count, money, percent, rate


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (17.0, "17"),
        (np.int64(3848), "3,848"),
        (1_234_567.4, "1,234,567"),
        (None, NOT_PUBLISHED),
        (pd.NA, "–"),
    ],
)
def test_a_count_is_whole_with_thousands_separators(value, text):
    assert count(value) == text


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "$0"),
        (7_500, "$7,500"),
        (570_245.49, "$570,245"),
        (2_250_000, "$2.3 million"),
        (1_000_000, "$1 million"),
        (2_500_000, "$2.5 million"),
        (10_040_000, "$10 million"),
        (1_234_000_000, "$1.2 billion"),
        (float("nan"), NOT_PUBLISHED),
    ],
)
def test_money_has_no_cents_and_says_millions_in_words(value, text):
    assert money(value) == text


@pytest.mark.parametrize(
    ("share", "signed", "text"),
    [
        (0.8, False, "80%"),
        (0.25, False, "25%"),
        (8.53, True, "+853%"),
        (0.8, True, "+80%"),
        (-0.48, False, "-48%"),
        (0.045, False, "4.5%"),
        (0.0577, True, "+5.8%"),
        (0.0996, False, "10%"),
        (0, True, "0%"),
        (0.0004, False, "0%"),
        (None, False, NOT_PUBLISHED),
    ],
)
def test_a_percent_is_whole_with_one_decimal_under_ten(share, signed, text):
    assert percent(share, signed=signed) == text


@pytest.mark.parametrize(
    ("value", "text"), [(12.5, "12.5"), (4, "4.0"), (7.25, "7.3"), (1234.56, "1,234.6"), (0.0128, "<0.1"), (0, "0.0")]
)
def test_a_rate_has_one_decimal_and_a_small_one_never_reads_zero(value, text):
    assert rate(value) == text


@pytest.mark.parametrize("rule", [COUNTS, MONEY], ids=["counts", "money"])
def test_a_chart_axis_writes_numbers_as_the_tables_do(rule):
    values = [0, 3, 7_500, 570_245.49, 1_000_000, 2_250_000, 2_500_000, 10_040_000, 1_234_000_000]
    # The axis's Vega expression, evaluated by the renderer on each value as a text mark.
    chart = (
        alt.Chart(pd.DataFrame({"value": values, "row": range(len(values))}))
        .transform_calculate(text=rule.axis_expr)
        .mark_text()
        .encode(y=alt.Y("row:O", axis=None), text="text:N")
    )

    drawn = re.findall(r"<text[^>]*>([^<]*)</text>", to_svg(chart))

    assert [rule.write(value) for value in values] == drawn


def test_a_trend_chart_writes_each_fiscal_year_and_each_whole_count_once():
    years = pd.DataFrame({"fiscal_year": [2022, 2023, 2024], "value": [1.0, 2.0, 3.0], "is_complete_year": True})

    drawn = re.findall(
        r"<text[^>]*>([^<]*)</text>",
        to_svg(trend_chart(years, title="Debarments started", axis_title="Debarments", numbers=COUNTS)),
    )

    assert [text for text in drawn if text.startswith("20")] == ["2022", "2023", "2024"], "no half-year tick"
    assert [text for text in drawn if text.isdigit() and len(text) < 4] == ["0", "1", "2", "3"], (
        "no half-debarment tick"
    )
