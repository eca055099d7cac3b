{#- Geography x federal fiscal year, at two levels in one table: each state/territory
    (geo_level = 'state') and each standard DOL region (geo_level = 'dol_region'), with the same
    measures as mart_industry_year. WHD cases count at the employer's state, H-2A cases at the
    worksite state (employer state when missing). Employment is QCEW all-industry covered
    employment; a region's is unknown when any of its states' is. -#}

with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'state' and naics_sector = 'all'

),

states as (

    select * from {{ ref('ref_states') }}

),

whd_by_state as (

    select
        state_code,
        fiscal_year,
        {{ whd_case_measures() }}

    from whd_cases
    where fiscal_year is not null
    group by state_code, fiscal_year

),

h2a_by_state as (

    select
        state_code,
        fiscal_year,
        {{ h2a_case_measures() }}

    from h2a_cases
    group by state_code, fiscal_year

),

years as (

    select fiscal_year from whd_by_state
    union
    select fiscal_year from h2a_by_state

),

state_years as (

    select
        states.state_code,
        states.state_name,
        states.dol_region,
        states.whd_region,
        years.fiscal_year,
        coalesce(whd_by_state.whd_cases, 0) as whd_cases,
        coalesce(whd_by_state.violations, 0) as violations,
        coalesce(whd_by_state.back_wages, 0) as back_wages,
        coalesce(whd_by_state.employees_owed, 0) as employees_owed,
        coalesce(whd_by_state.civil_money_penalties, 0) as civil_money_penalties,
        coalesce(whd_by_state.whd_h2a_violation_cases, 0) as whd_h2a_violation_cases,
        coalesce(whd_by_state.h2a_back_wages, 0) as h2a_back_wages,
        coalesce(h2a_by_state.h2a_cases, 0) as h2a_cases,
        coalesce(h2a_by_state.h2a_certified_cases, 0) as h2a_certified_cases,
        coalesce(h2a_by_state.h2a_workers_certified, 0) as h2a_workers_certified,
        employment.employment as qcew_employment

    from states
    cross join years
    left join whd_by_state
        on states.state_code = whd_by_state.state_code and years.fiscal_year = whd_by_state.fiscal_year
    left join h2a_by_state
        on states.state_code = h2a_by_state.state_code and years.fiscal_year = h2a_by_state.fiscal_year
    left join employment
        on states.state_code = employment.state_code and years.fiscal_year = employment.calendar_year

),

region_years as (

    select
        dol_region,
        fiscal_year,
        sum(whd_cases) as whd_cases,
        sum(violations) as violations,
        round(sum(back_wages), 2) as back_wages,
        sum(employees_owed) as employees_owed,
        round(sum(civil_money_penalties), 2) as civil_money_penalties,
        sum(whd_h2a_violation_cases) as whd_h2a_violation_cases,
        round(sum(h2a_back_wages), 2) as h2a_back_wages,
        sum(h2a_cases) as h2a_cases,
        sum(h2a_certified_cases) as h2a_certified_cases,
        sum(h2a_workers_certified) as h2a_workers_certified,
        case when bool_and(qcew_employment is not null) then sum(qcew_employment) end as qcew_employment

    from state_years
    group by dol_region, fiscal_year

),

both_levels as (

    select
        'state' as geo_level,
        state_code as geo_code,
        state_name as geo_name,
        state_code,
        dol_region,
        whd_region,
        fiscal_year,
        whd_cases,
        violations,
        back_wages,
        employees_owed,
        civil_money_penalties,
        whd_h2a_violation_cases,
        h2a_back_wages,
        h2a_cases,
        h2a_certified_cases,
        h2a_workers_certified,
        qcew_employment

    from state_years

    union all

    select
        'dol_region' as geo_level,
        dol_region as geo_code,
        'DOL region ' || dol_region as geo_name,
        null as state_code,
        dol_region,
        null as whd_region,
        fiscal_year,
        whd_cases,
        violations,
        back_wages,
        employees_owed,
        civil_money_penalties,
        whd_h2a_violation_cases,
        h2a_back_wages,
        h2a_cases,
        h2a_certified_cases,
        h2a_workers_certified,
        qcew_employment

    from region_years

),

final as (

    select
        *,
        {{ rate_per('whd_cases', 'qcew_employment') }} as whd_cases_per_10k_employees,
        {{ rate_per('violations', 'qcew_employment') }} as violations_per_10k_employees,
        {{ rate_per('employees_owed', 'qcew_employment') }} as employees_owed_per_10k_employees,
        {{ rate_per('back_wages', 'qcew_employment') }} as back_wages_per_10k_employees,
        {{ rate_per('h2a_workers_certified', 'qcew_employment') }} as h2a_workers_certified_per_10k_employees

    from both_levels

)

select * from final
