{#- The published rows of each H-2A case, from the latest fiscal-year file that carries the case (a
    case re-published in a later file is taken from that file), with the master row marked: the row
    with the most workers certified, then the first published. Association and joint-employer
    filings have one master row plus one row per member employer. -#}

with

disclosure_rows as (

    select * from {{ ref('stg_h2a__disclosure') }}

),

latest_file_rows as (

    select *
    from disclosure_rows
    qualify file_fiscal_year = max(file_fiscal_year) over (partition by case_number)

),

final as (

    select
        file_fiscal_year,
        case_number,
        case_row,
        case_status,
        decision_date,
        received_date,
        employer_name,
        employer_trade_name,
        employer_address1,
        employer_address2,
        employer_city,
        employer_state_code,
        employer_zip_code,
        employer_phone,
        employer_fein,
        naics_code,
        workers_requested,
        workers_certified,
        employment_begin_date,
        employment_end_date,
        worksite_city,
        worksite_state_code,
        filer_type,
        is_labor_contractor,
        agent_attorney_name,
        lawfirm_name,
        agent_city,
        agent_state,
        agent_email,
        row_number() over (
            partition by case_number order by coalesce(workers_certified, -1) desc, case_row
        ) = 1 as is_master_row

    from latest_file_rows

)

select * from final
