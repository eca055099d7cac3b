{#- The one place enforcement measures are counted: state x NAICS sector x federal fiscal year, every
    measure of enforcement_measures() aggregated from its source's records. Every state and sector
    (plus an explicit 'unknown' member for records without a known state or sector) for every fiscal
    year any measure's source has published, so marts can sum cells to any grain and national
    totals are the same whichever way they are summed. A measure is null in a year its source has
    not published, 0 when it published nothing for the cell. WHD cases count at the employer's
    state, H-2A and H-2B cases at the worksite state (employer state when missing), debarments at the
    debarred entity's state; debarments carry no industry ('unknown' sector). The per-source CTEs
    (`<source>_cells`, `<source>_years`) and their joins to the spine are macros/source_cells.sql. -#}

with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}
    where fiscal_year is not null

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

h2b_cases as (

    select * from {{ ref('int_h2b_cases') }}

),

debarments as (

    select * from {{ ref('int_case_outcomes') }}
    where fiscal_year is not null

),

source_years as (

    select * from {{ ref('int_source_fiscal_years') }}

),

states as (

    select state_code from {{ ref('ref_states') }}

),

sectors as (

    select naics_sector from {{ ref('ref_naics_sectors') }}

),

cell_states as (

    select state_code from states
    union all
    select 'unknown' as state_code

),

cell_sectors as (

    select naics_sector from sectors
    union all
    select 'unknown' as naics_sector

),

{{ source_cells('whd', 'whd_cases') }},

{{ source_cells('h2a', 'h2a_cases') }},

{{ source_cells('h2b', 'h2b_cases') }},

{{ source_cells('debarment', 'debarments', has_sector=false) }},

{{ published_years('whd') }},

{{ published_years('h2a') }},

{{ published_years('h2b', 'h2b_cases') }},

{{ published_years('debarment') }},

years as (

    select {{ series('min(fiscal_year)', 'max(fiscal_year)') }} as fiscal_year
    from source_years
    where source in ('whd', 'h2a', 'h2b', 'debarment')

),

spine as (

    select
        cell_states.state_code,
        cell_sectors.naics_sector,
        years.fiscal_year

    from cell_states
    cross join cell_sectors
    cross join years

),

final as (

    select
        spine.state_code,
        spine.naics_sector,
        spine.fiscal_year,
        {{ measures_where_published() }},
        {{ source_year_flags() }}

    from spine
    {{ join_source_cells('spine') }}

)

select * from final
