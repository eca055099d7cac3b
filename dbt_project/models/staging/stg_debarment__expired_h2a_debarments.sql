with

source as (

    select * from {{ source('raw', 'raw_debarment__expired_h2a_debarments') }}

),

renamed as (

    select
        'H-2A' as program,
        entity_name,
        is_marked_asterisk,
        city,
        state_code,
        location_as_published as employer_location,
        violation,
        duration_text,
        duration_months,
        start_date as debarment_start_date,
        end_date as debarment_end_date,
        source_page,
        corrections,
        has_inconsistent_dates,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
