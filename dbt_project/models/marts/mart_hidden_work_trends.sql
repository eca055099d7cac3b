{#- The hidden-work trends: one row per hidden-work industry x federal fiscal year x measure,
    nationally (mart_hidden_work_year summed over states, 'unknown' included), with the year-over-year
    change and the 3-year rolling average as in mart_trends (macros/trend_columns.sql). A value is null
    in a year its source has not published. -#}

{%- set trend_measures = [
    'whd_cases',
    'back_wages',
    'child_labor_violations',
    'child_labor_minors',
    'h2b_violations',
    'h2b_back_wages',
    'mspa_violations',
    'flsa_repeat_violator_cases',
    'h2a_workers_certified',
] %}

with

industry_years as (

    select * from {{ ref('mart_hidden_work_year') }}

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
        hidden_work_naics_code,
        industry_label,
        fiscal_year,
        {{ sum_measures(names=trend_measures) }}

    from industry_years
    group by hidden_work_naics_code, industry_label, fiscal_year

),

unpivoted as (

    -- Years a source has not published stay as null values (UNPIVOT drops nulls by default).
    select * from national
    unpivot include nulls (value for measure in ({{ trend_measures | join(', ') }}))

),

with_completeness as (

    select
        unpivoted.hidden_work_naics_code,
        unpivoted.industry_label,
        unpivoted.fiscal_year,
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
        hidden_work_naics_code,
        industry_label,
        fiscal_year,
        measure,
        source,
        cast(value as double) as value,
        {{ trend_columns() }},
        is_complete_year

    from with_completeness
    {{ trend_windows('hidden_work_naics_code') }}

)

select * from final
