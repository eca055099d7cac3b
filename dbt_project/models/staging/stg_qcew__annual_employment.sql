with

source as (

    select * from {{ source('raw', 'raw_qcew__annual_employment') }}

),

renamed as (

    select
        area_fips,
        own_code as ownership_code,
        industry_code,
        agglvl_code as aggregation_level_code,
        size_code,
        year as calendar_year,
        disclosure_code = 'N' as is_suppressed,
        annual_avg_estabs as establishments,
        annual_avg_emplvl as employment,
        total_annual_wages,
        avg_annual_pay,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
