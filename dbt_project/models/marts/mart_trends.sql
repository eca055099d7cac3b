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

long as (

    -- Years a source has not published stay as null values (UNPIVOT drops nulls by default).
    select * from wide
    unpivot include nulls (value for measure in ({{ measure_names() }}))

),

final as (

    select
        long.fiscal_year,
        long.scope,
        long.measure,
        measure_sources.source,
        cast(long.value as double) as value,
        lag(long.value) over scope_measure as previous_value,
        long.value - lag(long.value) over scope_measure as yoy_change,
        case
            when lag(long.value) over scope_measure > 0
                then (long.value - lag(long.value) over scope_measure) / lag(long.value) over scope_measure
        end as yoy_change_pct,
        case
            when long.value is not null
                then avg(long.value) over (scope_measure rows between 2 preceding and current row)
        end as rolling_3yr_avg,
        coalesce(source_years.is_complete, false) as is_complete_year

    from long
    inner join measure_sources on long.measure = measure_sources.measure
    left join source_years
        on measure_sources.source = source_years.source and long.fiscal_year = source_years.fiscal_year
    window scope_measure as (partition by long.scope, long.measure order by long.fiscal_year)

)

select * from final
