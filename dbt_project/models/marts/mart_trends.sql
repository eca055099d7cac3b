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

with_completeness as (

    select
        unpivoted.fiscal_year,
        unpivoted.scope,
        unpivoted.measure,
        measure_sources.source,
        unpivoted.value,
        coalesce(source_years.is_complete, false) as is_complete_year

    from unpivoted
    inner join measure_sources on unpivoted.measure = measure_sources.measure
    left join source_years
        on measure_sources.source = source_years.source and unpivoted.fiscal_year = source_years.fiscal_year

),

final as (

    select
        fiscal_year,
        scope,
        measure,
        source,
        cast(value as double) as value,
        {{ trend_columns() }},
        is_complete_year

    from with_completeness
    {{ trend_windows('scope') }}

)

select * from final
