{#- The table the leadership report reads: one row per federal fiscal year x scope (the nation, or
    one NAICS sector) x measure, with the year-over-year change and the 3-year rolling average.
    National values are the sum of every cell (all sectors including 'unknown' = all states
    including 'unknown'). A value is null in a year its source has not published; the year is
    complete only when the measure's source published all of it. -#}

with

cells as (

    select * from {{ ref('int_enforcement_cells') }}

),

industry_years as (

    select * from {{ ref('mart_industry_year') }}

),

source_years as (

    select * from {{ ref('int_source_fiscal_years') }}

),

measure_sources as (

    select
        measures.measure,
        measures.source
    from (values {{ measure_source_rows() }}) as measures (measure, source)

),

national as (

    select
        fiscal_year,
        'national' as scope,
        {{ sum_measures() }}

    from cells
    group by fiscal_year

),

by_sector as (

    select
        fiscal_year,
        naics_sector as scope,
        {{ measure_names() }}

    from industry_years

),

wide as (

    select * from national
    union all
    select * from by_sector

),

unpivoted as (

    -- Years a source has not published stay as null values (UNPIVOT drops nulls by default).
    select * from wide
    unpivot include nulls (value for measure in ({{ measure_names() }}))

),

final as (

    select
        unpivoted.fiscal_year,
        unpivoted.scope,
        unpivoted.measure,
        measure_sources.source,
        cast(unpivoted.value as double) as value,
        lag(unpivoted.value) over scope_measure as previous_value,
        unpivoted.value - lag(unpivoted.value) over scope_measure as yoy_change,
        case
            when lag(unpivoted.value) over scope_measure > 0
                then
                    (unpivoted.value - lag(unpivoted.value) over scope_measure)
                    / lag(unpivoted.value) over scope_measure
        end as yoy_change_pct,
        case
            when unpivoted.value is not null
                then avg(unpivoted.value) over three_years
        end as rolling_3yr_avg,
        coalesce(source_years.is_complete, false) as is_complete_year

    from unpivoted
    inner join measure_sources on unpivoted.measure = measure_sources.measure
    left join source_years
        on measure_sources.source = source_years.source and unpivoted.fiscal_year = source_years.fiscal_year
    window
        scope_measure as (partition by unpivoted.scope, unpivoted.measure order by unpivoted.fiscal_year),
        three_years as (
            partition by unpivoted.scope, unpivoted.measure order by unpivoted.fiscal_year
            rows between 2 preceding and current row
        )

)

select * from final
