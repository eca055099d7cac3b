{#- The one place enforcement measures are counted: state x NAICS sector x federal fiscal year, every
    measure of enforcement_measures() aggregated from its source's records. Every state and sector
    (plus an explicit 'unknown' member for records without a known state or sector) for every fiscal
    year any measure's source has published, so marts can sum cells to any grain and national
    totals are the same whichever way they are summed. A measure is null in a year its source has
    not published, 0 when it published nothing for the cell. WHD cases count at the employer's
    state, H-2A cases at the worksite state (employer state when missing), debarments at the
    debarred entity's state; debarments carry no industry ('unknown' sector). -#}

with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}
    where fiscal_year is not null

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

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

whd_cells as (

    select
        coalesce(states.state_code, 'unknown') as state_code,
        coalesce(whd_cases.naics_sector, 'unknown') as naics_sector,
        whd_cases.fiscal_year,
        {{ aggregate_measures('whd') }}

    from whd_cases
    left join states on whd_cases.state_code = states.state_code
    group by all

),

h2a_cells as (

    select
        coalesce(states.state_code, 'unknown') as state_code,
        coalesce(h2a_cases.naics_sector, 'unknown') as naics_sector,
        h2a_cases.fiscal_year,
        {{ aggregate_measures('h2a') }}

    from h2a_cases
    left join states on h2a_cases.state_code = states.state_code
    group by all

),

debarment_cells as (

    select
        coalesce(states.state_code, 'unknown') as state_code,
        'unknown' as naics_sector,
        debarments.fiscal_year,
        {{ aggregate_measures('debarment') }}

    from debarments
    left join states on debarments.state_code = states.state_code
    group by all

),

whd_years as (

    select * from source_years
    where source = 'whd'

),

h2a_years as (

    select * from source_years
    where source = 'h2a'

),

debarment_years as (

    select * from source_years
    where source = 'debarment'

),

years as (

    select {{ series('min(fiscal_year)', 'max(fiscal_year)') }} as fiscal_year
    from source_years
    where source in ('whd', 'h2a', 'debarment')

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
    left join whd_years on spine.fiscal_year = whd_years.fiscal_year
    left join h2a_years on spine.fiscal_year = h2a_years.fiscal_year
    left join debarment_years on spine.fiscal_year = debarment_years.fiscal_year
    left join whd_cells
        on
            spine.state_code = whd_cells.state_code
            and spine.naics_sector = whd_cells.naics_sector
            and spine.fiscal_year = whd_cells.fiscal_year
    left join h2a_cells
        on
            spine.state_code = h2a_cells.state_code
            and spine.naics_sector = h2a_cells.naics_sector
            and spine.fiscal_year = h2a_cells.fiscal_year
    left join debarment_cells
        on
            spine.state_code = debarment_cells.state_code
            and spine.naics_sector = debarment_cells.naics_sector
            and spine.fiscal_year = debarment_cells.fiscal_year

)

select * from final
