with

source as (

    select * from {{ source('raw', 'raw_h2b__disclosure') }}

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
        -- FY2008-2012 stored ZIPs as numbers: put back the leading zeros they lost.
        case
            when
                {{ matches_regex('trim(employer_postal_code)', '^[0-9]{3,4}$') }}
                then lpad(trim(employer_postal_code), 5, '0')
            else trim(employer_postal_code)
        end as employer_zip_code,
        employer_country,
        nullif(trim(employer_phone), '') as employer_phone,
        agent_attorney_name,
        lawfirm_name,
        agent_city,
        agent_state,
        agent_email,
        job_title,
        dot_code,
        dot_title,
        soc_code,
        soc_title,
        trim(naics_code) as naics_code,
        workers_requested,
        workers_certified,
        certification_begin_date,
        certification_end_date,
        requested_begin_date,
        requested_end_date,
        employment_begin_date,
        employment_end_date,
        wage_rate,
        wage_unit,
        prevailing_wage,
        prevailing_wage_unit,
        worksite_city,
        upper(trim(worksite_state)) as worksite_state_code,
        worksite_postal_code as worksite_zip_code,
        worksite_county,
        nature_of_temporary_need,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
