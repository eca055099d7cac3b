{#- Hidden-work industry (ref_hidden_work_industries) x state x federal fiscal year: the enforcement
    measures of enforcement_measures() from WHD and OFLC H-2A, counted over the records whose NAICS
    code starts with the industry's code, with the state's QCEW employment in the industry's NAICS
    sector and rates per 10,000 of those employees. The QCEW slices the warehouse fetches are by
    sector, not by 3-6 digit industry, so that denominator is the whole sector (a nail-salon rate is
    per 10,000 employees in Other Services): the columns say sector_employment, and those rates
    compare states within one industry, not industries with each other. Where the loaded QCEW files
    do hold the industry itself (a bulk singlefile loaded by hand), industry_employment and its
    rates are filled too; otherwise they are null. Every industry and state
    (plus 'unknown' for records without a known state) for every fiscal year WHD or H-2A has
    published; a measure is null in a year its source has not published, 0 when it found nothing.
    H-2A and H-2B count at the worksite state, WHD at the employer's. Another source joins by its
    `<source>_cells` CTE (source_cells() over its records matched to the industries like those
    below) and its name in `sources`. -#}

{%- set sources = ['whd', 'h2a', 'h2b'] %}

with

industries as (

    select * from {{ ref('ref_hidden_work_industries') }}

),

whd_records as (

    select * from {{ ref('int_whd_cases') }}
    where fiscal_year is not null

),

h2a_records as (

    select * from {{ ref('int_h2a_cases') }}

),

h2b_records as (

    select * from {{ ref('int_h2b_cases') }}

),

source_years as (

    select * from {{ ref('int_source_fiscal_years') }}

),

states as (

    select state_code from {{ ref('ref_states') }}

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'state'

),

qcew as (

    select * from {{ ref('stg_qcew__annual_employment') }}

),

state_areas as (

    select
        state_code,
        concat(state_fips, '000') as area_fips
    from {{ ref('ref_states') }}

),

-- Statewide QCEW employment in the industry itself (aggregation levels 55-58: NAICS 3- to 6-digit
-- industries by ownership), summed over owners as int_qcew_employment sums sectors (unknown if any
-- part is suppressed). Only a hand-loaded bulk file holds these levels; the fetched slices are sectors.
industry_employment as (

    select
        state_areas.state_code,
        qcew.industry_code as hidden_work_naics_code,
        qcew.calendar_year,
        case when bool_or(qcew.is_suppressed) then null else sum(qcew.employment) end as employment

    from qcew
    inner join state_areas on qcew.area_fips = state_areas.area_fips
    inner join industries on qcew.industry_code = industries.naics_code
    where qcew.aggregation_level_code in ('55', '56', '57', '58')
    group by state_areas.state_code, qcew.industry_code, qcew.calendar_year

),

-- A record is in the industry whose code its NAICS code starts with (the seed's codes never
-- start with one another: tests/hidden_work_industries_do_not_overlap.sql).
whd_cases as (

    select
        whd_records.*,
        industries.naics_code as hidden_work_naics_code

    from whd_records
    inner join industries on whd_records.naics_code like concat(industries.naics_code, '%')

),

h2a_cases as (

    select
        h2a_records.*,
        industries.naics_code as hidden_work_naics_code

    from h2a_records
    inner join industries on h2a_records.naics_code like concat(industries.naics_code, '%')

),

h2b_cases as (

    select
        h2b_records.*,
        industries.naics_code as hidden_work_naics_code

    from h2b_records
    inner join industries on h2b_records.naics_code like concat(industries.naics_code, '%')

),

{{ source_cells('whd', 'whd_cases', industry_key='hidden_work_naics_code') }},

{{ source_cells('h2a', 'h2a_cases', industry_key='hidden_work_naics_code') }},

{{ source_cells('h2b', 'h2b_cases', industry_key='hidden_work_naics_code') }},

{{ published_years('whd') }},

{{ published_years('h2a') }},

{# Whether a year's files publish a measure is judged over all its records, not only this mart's. #}
{{ published_years('h2b', 'h2b_records') }},

years as (

    select {{ series('min(fiscal_year)', 'max(fiscal_year)') }} as fiscal_year
    from source_years
    where source in ('{{ sources | join("', '") }}')

),

cell_states as (

    select state_code from states
    union all
    select 'unknown' as state_code

),

spine as (

    select
        industries.naics_code as hidden_work_naics_code,
        industries.industry_label,
        {{ naics_sector('industries.naics_code') }} as naics_sector,
        cell_states.state_code,
        years.fiscal_year

    from industries
    cross join cell_states
    cross join years

),

measures as (

    select
        spine.hidden_work_naics_code,
        spine.industry_label,
        spine.naics_sector,
        spine.state_code,
        spine.fiscal_year,
        {{ measures_where_published(sources) }},
        {{ source_year_flags(sources) }}

    from spine
    {{ join_source_cells('spine', sources, industry_key='hidden_work_naics_code') }}

),

final as (

    select
        measures.*,
        employment.employment as sector_employment,
        coalesce(employment.is_suppressed, false) as is_sector_employment_suppressed,
        coalesce(employment.employment > 0, false) as has_sector_employment,
        {{ rate_per('measures.whd_cases', 'employment.employment') }} as whd_cases_per_10k_sector_employees,
        {{ rate_per('measures.back_wages', 'employment.employment') }} as back_wages_per_10k_sector_employees,
        {{ rate_per('measures.child_labor_minors', 'employment.employment') }}
            as child_labor_minors_per_10k_sector_employees,
        {{ rate_per('measures.h2a_workers_certified', 'employment.employment') }}
            as h2a_workers_certified_per_10k_sector_employees,
        {{ rate_per('measures.h2b_workers_certified', 'employment.employment') }}
            as h2b_workers_certified_per_10k_sector_employees,
        industry_employment.employment as industry_employment,
        {{ rate_per('measures.whd_cases', 'industry_employment.employment') }}
            as whd_cases_per_10k_industry_employees,
        {{ rate_per('measures.child_labor_minors', 'industry_employment.employment') }}
            as child_labor_minors_per_10k_industry_employees

    from measures
    left join employment
        on
            measures.state_code = employment.state_code
            and measures.naics_sector = employment.naics_sector
            and measures.fiscal_year = employment.calendar_year
    left join industry_employment
        on
            measures.state_code = industry_employment.state_code
            and measures.hidden_work_naics_code = industry_employment.hidden_work_naics_code
            and measures.fiscal_year = industry_employment.calendar_year

)

select * from final
