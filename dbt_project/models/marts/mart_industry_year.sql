{#- NAICS sector x federal fiscal year: the enforcement cells summed over states, with national QCEW
    employment and rates per 10,000 employees. The 'unknown' sector holds records without a known
    sector (and every debarment), so the sectors of a year add up to the national total. QCEW is by
    calendar year; fiscal year N is compared with calendar year N (nine of its twelve months). -#}

with

cells as (

    select * from {{ ref('int_enforcement_cells') }}

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'nation'

),

sectors as (

    select * from {{ ref('ref_naics_sectors') }}

),

by_sector as (

    select
        naics_sector,
        fiscal_year,
        {{ sum_measures() }},
        bool_and(is_complete_year) as is_complete_year,
        {{ source_completeness() }}

    from cells
    group by naics_sector, fiscal_year

),

final as (

    select
        by_sector.naics_sector,
        coalesce(sectors.sector_title, 'Unknown or missing sector') as sector_title,
        by_sector.fiscal_year,
        {{ measure_names('by_sector') }},
        by_sector.is_complete_year,
        {{ source_completeness_names('by_sector') }},
        employment.employment as qcew_employment,
        coalesce(employment.is_suppressed, false) as is_qcew_suppressed,
        {{ rates_per_10k_employees('employment.employment', 'by_sector') }}

    from by_sector
    left join sectors on by_sector.naics_sector = sectors.naics_sector
    left join employment
        on by_sector.naics_sector = employment.naics_sector and by_sector.fiscal_year = employment.calendar_year

)

select * from final
