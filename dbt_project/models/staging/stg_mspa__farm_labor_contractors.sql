with

source as (

    select * from {{ source('raw', 'raw_mspa__farm_labor_contractors') }}

),

renamed as (

    select
        cert_num as certificate_number,
        trim(flc_name) as contractor_name,
        flc_address as street_address,
        flc_city as city,
        upper(trim(flc_state)) as state_code,
        flc_zip as zip_code,
        flc_phone_number as phone_number,
        flc_business_description as business_description,
        has_driving_authorization,
        has_housing_authorization,
        has_transportation_authorization,
        certificate_start_date,
        certificate_valid_until_date,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
