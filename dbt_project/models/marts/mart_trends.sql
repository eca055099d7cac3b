{#- The table the leadership report reads: one row per federal fiscal year x scope (the nation,
    or one NAICS sector) x measure, with the year-over-year change and the 3-year rolling average.
    `is_complete_year` is false for a fiscal year that has not ended (its counts keep growing). -#}

with

industry_years as (

    select * from {{ ref('mart_industry_year') }}

),

outcomes as (

    select * from {{ ref('fct_case_outcome') }}

),

fiscal_years as (

    select * from {{ ref('ref_fiscal_years') }}

),

by_sector as (

    select
        fiscal_year,
        naics_sector as scope,
        whd_cases,
        violations,
        back_wages,
        employees_owed,
        civil_money_penalties,
        whd_h2a_violation_cases,
        h2a_cases,
        h2a_certified_cases,
        h2a_workers_certified,
        cast(null as bigint) as debarments_started

    from industry_years

),

debarments_by_year as (

    select
        fiscal_year,
        count(*) as debarments_started

    from outcomes
    where fiscal_year is not null
    group by fiscal_year

),

national as (

    select
        industry_years.fiscal_year,
        'national' as scope,
        sum(industry_years.whd_cases) as whd_cases,
        sum(industry_years.violations) as violations,
        round(sum(industry_years.back_wages), 2) as back_wages,
        sum(industry_years.employees_owed) as employees_owed,
        round(sum(industry_years.civil_money_penalties), 2) as civil_money_penalties,
        sum(industry_years.whd_h2a_violation_cases) as whd_h2a_violation_cases,
        sum(industry_years.h2a_cases) as h2a_cases,
        sum(industry_years.h2a_certified_cases) as h2a_certified_cases,
        sum(industry_years.h2a_workers_certified) as h2a_workers_certified,
        coalesce(any_value(debarments_by_year.debarments_started), 0) as debarments_started

    from industry_years
    left join debarments_by_year on industry_years.fiscal_year = debarments_by_year.fiscal_year
    group by industry_years.fiscal_year

),

wide as (

    select * from national
    union all
    select * from by_sector

),

long as (

    unpivot wide
    on
    whd_cases,
    violations,
    back_wages,
    employees_owed,
    civil_money_penalties,
    whd_h2a_violation_cases,
    h2a_cases,
    h2a_certified_cases,
    h2a_workers_certified,
    debarments_started
    into name measure value value

),

final as (

    select
        long.fiscal_year,
        long.scope,
        long.measure,
        cast(long.value as double) as value,
        lag(long.value) over scope_measure as previous_value,
        long.value - lag(long.value) over scope_measure as yoy_change,
        case
            when lag(long.value) over scope_measure > 0
                then (long.value - lag(long.value) over scope_measure) / lag(long.value) over scope_measure
        end as yoy_change_pct,
        avg(long.value) over (scope_measure rows between 2 preceding and current row) as rolling_3yr_avg,
        coalesce(fiscal_years.end_date < current_date, false) as is_complete_year

    from long
    left join fiscal_years on long.fiscal_year = fiscal_years.fiscal_year
    window scope_measure as (partition by long.scope, long.measure order by long.fiscal_year)

)

select * from final
