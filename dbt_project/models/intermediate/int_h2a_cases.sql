{#- One row per H-2A case (application). Rows are not cases: association and joint-employer filings
    repeat the case number on member rows and the master row's count already includes the members,
    so workers certified per case is the MAX over its rows. A case re-published in a later fiscal
    year's file is taken from the latest file. A case's fiscal year is the federal FY of its decision
    date (the file's FY when the decision date is missing). -#}

with

latest_file_rows as (

    select * from {{ ref('int_h2a_case_rows') }}

),

statuses as (

    -- Case- and spacing-insensitive: several published spellings share one key and one outcome.
    select distinct
        {{ case_status_key('case_status') }} as status_key,
        outcome,
        is_certified
    from {{ ref('ref_h2a_case_statuses') }}

),

case_totals as (

    select
        case_number,
        count(*) as published_rows,
        max(workers_certified) as workers_certified,
        max(workers_requested) as workers_requested,
        bool_or(coalesce(is_labor_contractor, false)) as has_labor_contractor_flag

    from latest_file_rows
    group by case_number

),

master_rows as (

    -- The row carrying the case's total (int_h2a_case_rows.is_master_row).
    select * from latest_file_rows
    where is_master_row

),

final as (

    select
        master_rows.case_number,
        master_rows.file_fiscal_year,
        coalesce({{ fiscal_year('master_rows.decision_date') }}, master_rows.file_fiscal_year) as fiscal_year,
        master_rows.decision_date,
        master_rows.received_date,
        master_rows.case_status,
        -- A blank status passes the gate (the column may be blank): its outcome is unknown, never null.
        coalesce(statuses.outcome, 'unknown') as case_outcome,
        coalesce(statuses.is_certified, false) as is_certified,
        master_rows.employer_name,
        master_rows.employer_trade_name,
        master_rows.employer_city,
        master_rows.employer_state_code,
        master_rows.employer_zip_code,
        master_rows.employer_fein,
        coalesce(master_rows.worksite_state_code, master_rows.employer_state_code) as state_code,
        master_rows.worksite_city,
        master_rows.naics_code,
        -- H-2A certifies temporary agricultural work: a missing NAICS code is agriculture.
        coalesce({{ naics_sector('master_rows.naics_code') }}, '11') as naics_sector,
        master_rows.filer_type,
        case_totals.published_rows,
        case_totals.published_rows > 1 as is_multi_employer_filing,
        case_totals.has_labor_contractor_flag
        or coalesce(master_rows.filer_type ilike '%labor contractor%', false) as is_labor_contractor,
        coalesce(case_totals.workers_requested, 0) as workers_requested,
        coalesce(case_totals.workers_certified, 0) as workers_certified,
        master_rows.employment_begin_date,
        master_rows.employment_end_date

    from master_rows
    inner join case_totals on master_rows.case_number = case_totals.case_number
    left join statuses on {{ case_status_key('master_rows.case_status') }} = statuses.status_key

)

select * from final
