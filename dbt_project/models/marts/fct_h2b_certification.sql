{#- One row per H-2B application (case): decision fiscal year, outcome, workers requested and
    certified (max over the case's published rows) and the employer (employer_id, from linkage). -#}

with

cases as (

    select * from {{ ref('int_h2b_cases') }}

),

employers as (

    select * from {{ ref('bridge_employer_record') }}
    where source = 'h2b'

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
        cases.state_code,
        cases.worksite_city,
        cases.job_title,
        cases.soc_code,
        cases.naics_code,
        cases.naics_sector,
        cases.published_rows,
        cases.workers_requested,
        cases.workers_certified,
        cases.employment_begin_date,
        cases.employment_end_date

    from cases
    left join employers on cases.case_number = employers.record_id

)

select * from final
