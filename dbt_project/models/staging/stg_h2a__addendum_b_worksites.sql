with

source as (

    select * from {{ source('raw', 'raw_h2a__addendum_b_worksites') }}

),

renamed as (

    select
        file_fiscal_year,
        upper(trim(case_number)) as case_number,
        worksite_row,
        trim(business_name) as business_name,
        address1,
        address2,
        city as worksite_city,
        upper(trim(state)) as worksite_state_code,
        postal_code as worksite_zip_code,
        county as worksite_county,
        total_workers,
        additional_info,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
