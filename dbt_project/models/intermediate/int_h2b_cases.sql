{#- One row per H-2B case (application), from the latest fiscal-year file that carries it. A case
    number can repeat within a file (FY2000-2005, FY2014 Q4): workers per case are the MAX over its
    rows, the case's other fields those of its row with the most workers (then the first published).
    The case's fiscal year is the federal FY of its decision date (the file's FY when it is missing).
    Outcomes come from ref_h2b_case_statuses (case- and spacing-insensitive). -#}

with

disclosure_rows as (

    select * from {{ ref('stg_h2b__disclosure') }}

),

statuses as (

    select distinct
        {{ case_status_key('case_status') }} as status_key,
        outcome,
        is_certified
    from {{ ref('ref_h2b_case_statuses') }}

),

latest_file_rows as (

    select *
    from disclosure_rows
    qualify file_fiscal_year = max(file_fiscal_year) over (partition by case_number)

),

case_totals as (

    select
        case_number,
        count(*) as published_rows,
        max(workers_certified) as workers_certified,
        max(workers_requested) as workers_requested

    from latest_file_rows
    group by case_number

),

first_rows as (

    select * from latest_file_rows
    qualify row_number() over (
        partition by case_number
        order by coalesce(workers_certified, workers_requested, -1) desc, case_row
    ) = 1

),

final as (

    select
        first_rows.case_number,
        first_rows.file_fiscal_year,
        coalesce({{ fiscal_year('first_rows.decision_date') }}, first_rows.file_fiscal_year) as fiscal_year,
        first_rows.decision_date,
        first_rows.received_date,
        first_rows.case_status,
        coalesce(statuses.outcome, 'unknown') as case_outcome,
        coalesce(statuses.is_certified, false) as is_certified,
        first_rows.employer_name,
        first_rows.employer_trade_name,
        first_rows.employer_address1,
        first_rows.employer_address2,
        first_rows.employer_city,
        first_rows.employer_state_code,
        first_rows.employer_zip_code,
        first_rows.employer_phone,
        coalesce(first_rows.worksite_state_code, first_rows.employer_state_code) as state_code,
        first_rows.worksite_city,
        first_rows.job_title,
        first_rows.soc_code,
        first_rows.naics_code,
        {{ naics_sector('first_rows.naics_code') }} as naics_sector,
        first_rows.agent_attorney_name,
        first_rows.lawfirm_name,
        first_rows.agent_city,
        first_rows.agent_state,
        first_rows.agent_email,
        case_totals.published_rows,
        coalesce(case_totals.workers_requested, 0) as workers_requested,
        coalesce(case_totals.workers_certified, 0) as workers_certified,
        -- The FY2000-2005 files publish no certified count: their measure is null, not 0 (published_if).
        case_totals.workers_certified is not null as has_published_workers_certified,
        coalesce(first_rows.employment_begin_date, first_rows.certification_begin_date) as employment_begin_date,
        coalesce(first_rows.employment_end_date, first_rows.certification_end_date) as employment_end_date

    from first_rows
    inner join case_totals on first_rows.case_number = case_totals.case_number
    left join statuses on {{ case_status_key('first_rows.case_status') }} = statuses.status_key

)

select * from final
