{#- One row per H-2A application (case): decision fiscal year, outcome, workers requested and
    certified (max over the case's published rows), the employer (employer_id, from linkage), and the
    number of places of employment (the main worksite plus Addendum B worksites). -#}

with

cases as (

    select * from {{ ref('int_h2a_cases') }}

),

addendum_worksites as (

    select * from {{ ref('stg_h2a__addendum_b_worksites') }}

),

employers as (

    select * from {{ ref('bridge_employer_record') }}
    where source = 'h2a'

),

extra_worksites as (

    select
        case_number,
        count(*) as additional_worksites,
        sum(total_workers) as additional_worksite_workers

    from addendum_worksites
    group by case_number

),

final as (

    select
        cases.case_number,
        employers.employer_id,
        cases.fiscal_year,
        cases.file_fiscal_year,
        cases.decision_date,
        cases.received_date,
        cases.case_status,
        cases.case_outcome,
        cases.is_certified,
        cases.employer_name,
        cases.employer_trade_name,
        cases.employer_city,
        cases.employer_state_code,
        cases.employer_zip_code,
        cases.employer_fein,
        cases.state_code,
        cases.worksite_city,
        cases.naics_code,
        cases.naics_sector,
        cases.filer_type,
        cases.is_multi_employer_filing,
        cases.is_labor_contractor,
        cases.workers_requested,
        cases.workers_certified,
        cases.employment_begin_date,
        cases.employment_end_date,
        1 + coalesce(extra_worksites.additional_worksites, 0) as worksites,
        coalesce(extra_worksites.additional_worksite_workers, 0) as additional_worksite_workers

    from cases
    left join extra_worksites on cases.case_number = extra_worksites.case_number
    left join employers on cases.case_number = employers.record_id

)

select * from final
{{ stored_order(['fiscal_year']) }}
