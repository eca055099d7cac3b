{#- The "information gap" made visible: one row per state x NAICS sector x federal fiscal year
    for every state/sector that ever had certified H-2A or H-2B guest workers. Side by side (from the enforcement
    cells): H-2A workers certified, WHD enforcement in the same state and sector, workers certified
    per WHD case with H-2A findings; from the facts, H-2A employers and the share of them ever
    investigated by WHD (employer_id); and a flag and rank for cells where certifications grow
    while investigations do not. H-2B certified cases and workers of the same cell stand beside them;
    a cell is kept if it ever had either (H-2B work is mostly outside agriculture). Measures are null in
    years their source has not published; completeness is said per measure (is_whd_complete,
    is_h2a_complete, is_h2b_complete). -#}

with

cells as (

    select * from {{ ref('int_enforcement_cells') }}

),

certifications as (

    select * from {{ ref('fct_h2a_certification') }}
    where is_certified

),

whd_cases as (

    select * from {{ ref('fct_whd_case') }}
    where fiscal_year is not null

),

employment as (

    select * from {{ ref('int_qcew_employment') }}
    where geo_level = 'state'

),

states as (

    select state_code from {{ ref('ref_states') }}

),

first_investigation as (

    select
        employer_id,
        min(fiscal_year) as first_whd_fiscal_year

    from whd_cases
    where employer_id is not null
    group by employer_id

),

certified_employers as (

    select
        certifications.state_code,
        certifications.naics_sector,
        certifications.fiscal_year,
        certifications.employer_id,
        first_investigation.first_whd_fiscal_year

    from certifications
    left join first_investigation on certifications.employer_id = first_investigation.employer_id

),

-- Distinct employers do not add up across cells, so they are counted here, per cell (employer_cells).
{% call source_cells('employer', 'certified_employers') -%}
        count(distinct certified_employers.employer_id) as h2a_employers,
        count(distinct case
            when certified_employers.first_whd_fiscal_year <= certified_employers.fiscal_year
                then certified_employers.employer_id
        end) as h2a_employers_ever_investigated
{%- endcall %},

gap_cells as (

    select
        state_code,
        naics_sector
    from cells
    group by state_code, naics_sector
    -- H-2B certified cases too: the FY2000-2005 files publish no certified H-2B count (null).
    having
        coalesce(sum(h2a_workers_certified), 0) > 0
        or coalesce(sum(h2b_workers_certified), 0) > 0
        or coalesce(sum(h2b_certified_cases), 0) > 0

),

measures as (

    select
        cells.state_code,
        cells.naics_sector,
        cells.fiscal_year,
        cells.h2a_certified_cases,
        cells.h2a_workers_certified,
        cells.h2b_certified_cases,
        cells.h2b_workers_certified,
        case when cells.is_h2a_published then coalesce(employer_cells.h2a_employers, 0) end as h2a_employers,
        case when cells.is_h2a_published then coalesce(employer_cells.h2a_employers_ever_investigated, 0) end
            as h2a_employers_ever_investigated,
        cells.whd_cases,
        cells.whd_h2a_violation_cases,
        cells.back_wages,
        cells.h2a_back_wages,
        -- Debarments are not among this mart's measures: their later start leaves these years complete.
        cells.is_whd_complete and cells.is_h2a_complete as is_complete_year,
        cells.is_whd_complete,
        cells.is_h2a_complete,
        cells.is_h2b_complete,
        employment.employment as qcew_employment

    from cells
    inner join gap_cells on cells.state_code = gap_cells.state_code and cells.naics_sector = gap_cells.naics_sector
    left join employer_cells
        on
            cells.state_code = employer_cells.state_code
            and cells.naics_sector = employer_cells.naics_sector
            and cells.fiscal_year = employer_cells.fiscal_year
    left join employment
        on
            cells.state_code = employment.state_code
            and cells.naics_sector = employment.naics_sector
            and cells.fiscal_year = employment.calendar_year

),

trends as (

    select
        *,
        lag(h2a_workers_certified, 3) over cell_years as h2a_workers_certified_3_years_before,
        lag(whd_h2a_violation_cases, 3) over cell_years as whd_h2a_violation_cases_3_years_before

    from measures
    window cell_years as (partition by state_code, naics_sector order by fiscal_year)

),

ratios as (

    select
        *,
        -- No H-2A investigation: the ratio is undefined (null), flagged separately.
        case when whd_h2a_violation_cases > 0 then cast(h2a_workers_certified as double) / whd_h2a_violation_cases end
            as workers_certified_per_h2a_investigation,
        whd_h2a_violation_cases = 0 and h2a_workers_certified > 0 as has_certifications_without_h2a_investigation,
        case when h2a_employers > 0 then cast(h2a_employers_ever_investigated as double) / h2a_employers end
            as share_h2a_employers_ever_investigated,
        {{ rate_per('whd_cases', 'qcew_employment') }} as whd_cases_per_10k_employees,
        case
            when h2a_workers_certified_3_years_before > 0
                then
                    cast(h2a_workers_certified - h2a_workers_certified_3_years_before as double)
                    / h2a_workers_certified_3_years_before
        end as h2a_workers_certified_3_year_growth,
        whd_h2a_violation_cases - whd_h2a_violation_cases_3_years_before as whd_h2a_violation_cases_3_year_change

    from trends

),

widening as (

    select
        *,
        coalesce(
            h2a_workers_certified_3_year_growth >= 0.25 and whd_h2a_violation_cases_3_year_change <= 0, false
        ) as is_gap_widening

    from ratios

),

final as (

    select
        *,
        case
            when is_gap_widening
                then rank() over (
                    partition by fiscal_year, is_gap_widening
                    order by h2a_workers_certified - h2a_workers_certified_3_years_before desc
                )
        end as gap_rank

    from widening

)

select * from final
