with

source as (

    select * from {{ source('raw', 'raw_h2a__disclosure') }}

),

renamed as (

    select
        file_fiscal_year,
        upper(trim(case_number)) as case_number,
        case_row,
        trim(case_status) as case_status,
        decision_date,
        received_date,
        visa_class,
        trim(employer_name) as employer_name,
        trim(trade_name_dba) as employer_trade_name,
        employer_address1,
        employer_address2,
        employer_city,
        upper(trim(employer_state)) as employer_state_code,
        -- Old files stored ZIPs as numbers: put back the leading zeros they lost.
        case
            when
                {{ matches_regex('trim(employer_postal_code)', '^[0-9]{3,4}$') }}
                then lpad(trim(employer_postal_code), 5, '0')
            else trim(employer_postal_code)
        end as employer_zip_code,
        employer_country,
        nullif(trim(employer_phone), '') as employer_phone,
        employer_fein,
        agent_attorney_name,
        lawfirm_name,
        agent_city,
        agent_state,
        agent_email,
        job_title,
        soc_code,
        soc_title,
        trim(naics_code) as naics_code,
        primary_crop,
        workers_requested,
        workers_certified,
        total_workers_needed,
        requested_begin_date,
        requested_end_date,
        certification_begin_date,
        certification_end_date,
        employment_begin_date,
        employment_end_date,
        wage_rate,
        wage_unit,
        worksite_city,
        upper(trim(worksite_state)) as worksite_state_code,
        worksite_postal_code as worksite_zip_code,
        worksite_county,
        filer_type,
        primary_sub,
        is_labor_contractor,
        ag_association_status,
        nature_of_temporary_need,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
