{#- Geography x federal fiscal year, at two levels in one table: each state/territory
    (geo_level = 'state') and each standard DOL region (geo_level = 'dol_region'): the enforcement
    cells summed over sectors. Records without a known state are the 'unknown' member of both
    levels, so either level adds up to the national total. Employment is QCEW all-industry covered
    employment; a region's is unknown when any of its states' is. -#}

with

cells as (

    select * from {{ ref('int_enforcement_cells') }}

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'state' and naics_sector = 'all'

),

states as (

    select * from {{ ref('ref_states') }}

),

state_years as (

    select
        cells.state_code,
        coalesce(states.state_name, 'Unknown or missing state') as state_name,
        coalesce(states.dol_region, 'unknown') as dol_region,
        states.whd_region,
        cells.fiscal_year,
        {{ sum_measures('cells') }},
        bool_and(cells.is_complete_year) as is_complete_year,
        {{ source_completeness('cells') }},
        any_value(employment.employment) as qcew_employment

    from cells
    left join states on cells.state_code = states.state_code
    left join employment on cells.state_code = employment.state_code and cells.fiscal_year = employment.calendar_year
    group by cells.state_code, states.state_name, states.dol_region, states.whd_region, cells.fiscal_year

),

region_years as (

    select
        dol_region,
        fiscal_year,
        {{ sum_measures() }},
        bool_and(is_complete_year) as is_complete_year,
        {{ source_completeness() }},
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
        {{ measure_names() }},
        is_complete_year,
        {{ source_completeness_names() }},
        qcew_employment

    from state_years

    union all

    select
        'dol_region' as geo_level,
        dol_region as geo_code,
        case when dol_region = 'unknown' then 'Unknown or missing state' else 'DOL region ' || dol_region end
            as geo_name,
        null as state_code,
        dol_region,
        null as whd_region,
        fiscal_year,
        {{ measure_names() }},
        is_complete_year,
        {{ source_completeness_names() }},
        qcew_employment

    from region_years

),

final as (

    select
        *,
        {{ rates_per_10k_employees('qcew_employment') }}

    from both_levels

)

select * from final
