{#- The trend of a long series (one row per fiscal year x series x measure, with `value` and
    `is_complete_year`), written once for mart_trends and mart_hidden_work_trends: the previous value,
    the change - computed only between two complete years of the measure's source (a year published
    in part, e.g. a quarterly file, would read as a fall) - and the 3-year rolling average. The select
    list needs the windows of trend_windows(), named after the series. -#}

{% macro trend_columns() -%}
    lag(value) over series_measure as previous_value,
    case
        when is_complete_year and lag(is_complete_year) over series_measure
            then value - lag(value) over series_measure
    end as yoy_change,
    case
        when is_complete_year and lag(is_complete_year) over series_measure and lag(value) over series_measure > 0
            then (value - lag(value) over series_measure) / lag(value) over series_measure
    end as yoy_change_pct,
    case
        when value is not null
            then avg(value) over three_years
    end as rolling_3yr_avg
{%- endmacro %}

{#- The WINDOW clause trend_columns() reads: `series` is the columns that, with the measure, make one series. -#}
{% macro trend_windows(series) -%}
    window
        series_measure as (partition by {{ series }}, measure order by fiscal_year),
        three_years as (
            partition by {{ series }}, measure order by fiscal_year
            rows between 2 preceding and current row
        )
{%- endmacro %}
