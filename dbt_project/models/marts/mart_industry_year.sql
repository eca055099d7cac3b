{#- NAICS sector x federal fiscal year: WHD enforcement, H-2A certifications and QCEW employment
    side by side, with rates per 10,000 employees. QCEW is by calendar year; fiscal year N is
    compared with calendar year N (nine of its twelve months). -#}

with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'nation'

),

sectors as (

    select * from {{ ref('ref_naics_sectors') }}

),

whd_by_sector as (

    select
        naics_sector,
        fiscal_year,
        {{ whd_case_measures() }}

    from whd_cases
    where fiscal_year is not null and naics_sector is not null
    group by naics_sector, fiscal_year

),

h2a_by_sector as (

    select
        naics_sector,
        fiscal_year,
        {{ h2a_case_measures() }}

    from h2a_cases
    group by naics_sector, fiscal_year

),

years as (

    select fiscal_year from whd_by_sector
    union
    select fiscal_year from h2a_by_sector

),

spine as (

    select
        sectors.naics_sector,
        sectors.sector_title,
        years.fiscal_year

    from sectors
    cross join years

),

final as (

    select
        spine.naics_sector,
        spine.sector_title,
        spine.fiscal_year,
        coalesce(whd_by_sector.whd_cases, 0) as whd_cases,
        coalesce(whd_by_sector.violations, 0) as violations,
        coalesce(whd_by_sector.back_wages, 0) as back_wages,
        coalesce(whd_by_sector.employees_owed, 0) as employees_owed,
        coalesce(whd_by_sector.civil_money_penalties, 0) as civil_money_penalties,
        coalesce(whd_by_sector.whd_h2a_violation_cases, 0) as whd_h2a_violation_cases,
        coalesce(whd_by_sector.h2a_back_wages, 0) as h2a_back_wages,
        coalesce(h2a_by_sector.h2a_cases, 0) as h2a_cases,
        coalesce(h2a_by_sector.h2a_certified_cases, 0) as h2a_certified_cases,
        coalesce(h2a_by_sector.h2a_workers_certified, 0) as h2a_workers_certified,
        employment.employment as qcew_employment,
        coalesce(employment.is_suppressed, false) as is_qcew_suppressed,
        {{ rate_per('coalesce(whd_by_sector.whd_cases, 0)', 'employment.employment') }} as whd_cases_per_10k_employees,
        {{ rate_per('coalesce(whd_by_sector.violations, 0)', 'employment.employment') }}
            as violations_per_10k_employees,
        {{ rate_per('coalesce(whd_by_sector.employees_owed, 0)', 'employment.employment') }}
            as employees_owed_per_10k_employees,
        {{ rate_per('coalesce(whd_by_sector.back_wages, 0)', 'employment.employment') }}
            as back_wages_per_10k_employees,
        {{ rate_per('coalesce(h2a_by_sector.h2a_workers_certified, 0)', 'employment.employment') }}
            as h2a_workers_certified_per_10k_employees

    from spine
    left join whd_by_sector
        on spine.naics_sector = whd_by_sector.naics_sector and spine.fiscal_year = whd_by_sector.fiscal_year
    left join h2a_by_sector
        on spine.naics_sector = h2a_by_sector.naics_sector and spine.fiscal_year = h2a_by_sector.fiscal_year
    left join employment
        on spine.naics_sector = employment.naics_sector and spine.fiscal_year = employment.calendar_year

)

select * from final
