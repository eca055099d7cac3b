{#- The "information gap" made visible: one row per state x NAICS sector x federal fiscal year
    for every state/sector that ever had certified H-2A workers. Side by side: H-2A workers
    certified and H-2A employers, WHD enforcement in the same state and sector, workers certified
    per WHD case with H-2A findings, the share of H-2A employers ever investigated by WHD (by the
    deterministic employer key), and a flag and rank for cells where certifications grow while
    investigations do not. -#}

with

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

first_investigation as (

    select
        employer_id,
        min(fiscal_year) as first_whd_fiscal_year

    from whd_cases
    where employer_id is not null
    group by employer_id

),

h2a_cells as (

    select
        certifications.state_code,
        certifications.naics_sector,
        certifications.fiscal_year,
        count(*) as h2a_certified_cases,
        sum(certifications.workers_certified) as h2a_workers_certified,
        count(distinct certifications.employer_id) as h2a_employers,
        count(distinct case
            when first_investigation.first_whd_fiscal_year <= certifications.fiscal_year
                then certifications.employer_id
        end) as h2a_employers_ever_investigated

    from certifications
    left join first_investigation on certifications.employer_id = first_investigation.employer_id
    where certifications.state_code is not null
    group by certifications.state_code, certifications.naics_sector, certifications.fiscal_year

),

whd_cells as (

    select
        state_code,
        naics_sector,
        fiscal_year,
        count(*) as whd_cases,
        count_if(has_h2a_violations) as whd_h2a_cases,
        round(sum(back_wages), 2) as back_wages,
        round(sum(h2a_back_wages), 2) as h2a_back_wages

    from whd_cases
    group by state_code, naics_sector, fiscal_year

),

cells as (

    select distinct
        state_code,
        naics_sector
    from h2a_cells

),

years as (

    -- Every fiscal year in the range, so "3 rows back" is always "3 years back".
    select unnest(generate_series(min(fiscal_year), max(fiscal_year))) as fiscal_year
    from h2a_cells

),

spine as (

    select
        cells.state_code,
        cells.naics_sector,
        years.fiscal_year

    from cells
    cross join years

),

measures as (

    select
        spine.state_code,
        spine.naics_sector,
        spine.fiscal_year,
        coalesce(h2a_cells.h2a_certified_cases, 0) as h2a_certified_cases,
        coalesce(h2a_cells.h2a_workers_certified, 0) as h2a_workers_certified,
        coalesce(h2a_cells.h2a_employers, 0) as h2a_employers,
        coalesce(h2a_cells.h2a_employers_ever_investigated, 0) as h2a_employers_ever_investigated,
        coalesce(whd_cells.whd_cases, 0) as whd_cases,
        coalesce(whd_cells.whd_h2a_cases, 0) as whd_h2a_cases,
        coalesce(whd_cells.back_wages, 0) as back_wages,
        coalesce(whd_cells.h2a_back_wages, 0) as h2a_back_wages,
        employment.employment as qcew_employment

    from spine
    left join h2a_cells
        on
            spine.state_code = h2a_cells.state_code
            and spine.naics_sector = h2a_cells.naics_sector
            and spine.fiscal_year = h2a_cells.fiscal_year
    left join whd_cells
        on
            spine.state_code = whd_cells.state_code
            and spine.naics_sector = whd_cells.naics_sector
            and spine.fiscal_year = whd_cells.fiscal_year
    left join employment
        on
            spine.state_code = employment.state_code
            and spine.naics_sector = employment.naics_sector
            and spine.fiscal_year = employment.calendar_year

),

trends as (

    select
        *,
        lag(h2a_workers_certified, 3) over cell_years as h2a_workers_certified_3_years_before,
        lag(whd_h2a_cases, 3) over cell_years as whd_h2a_cases_3_years_before

    from measures
    window cell_years as (partition by state_code, naics_sector order by fiscal_year)

),

ratios as (

    select
        *,
        -- No H-2A investigation: the ratio is undefined (null), flagged separately.
        case when whd_h2a_cases > 0 then h2a_workers_certified * 1.0 / whd_h2a_cases end
            as workers_certified_per_h2a_investigation,
        whd_h2a_cases = 0 and h2a_workers_certified > 0 as has_certifications_without_h2a_investigation,
        case when h2a_employers > 0 then h2a_employers_ever_investigated * 1.0 / h2a_employers end
            as share_h2a_employers_ever_investigated,
        {{ rate_per('whd_cases', 'qcew_employment') }} as whd_cases_per_10k_employees,
        case
            when h2a_workers_certified_3_years_before > 0
                then
                    (h2a_workers_certified - h2a_workers_certified_3_years_before) * 1.0
                    / h2a_workers_certified_3_years_before
        end as h2a_workers_certified_3_year_growth,
        whd_h2a_cases - whd_h2a_cases_3_years_before as whd_h2a_cases_3_year_change

    from trends

),

final as (

    select
        *,
        coalesce(
            h2a_workers_certified_3_year_growth >= 0.25 and whd_h2a_cases_3_year_change <= 0, false
        ) as is_gap_widening,
        case
            when coalesce(h2a_workers_certified_3_year_growth >= 0.25 and whd_h2a_cases_3_year_change <= 0, false)
                then rank() over (
                    partition by
                        fiscal_year,
                        coalesce(
                            h2a_workers_certified_3_year_growth >= 0.25 and whd_h2a_cases_3_year_change <= 0, false
                        )
                    order by h2a_workers_certified - h2a_workers_certified_3_years_before desc
                )
        end as gap_rank

    from ratios

)

select * from final
