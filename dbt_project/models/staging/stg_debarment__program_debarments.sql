with

source as (

    select * from {{ source('raw', 'raw_debarment__program_debarments') }}

),

renamed as (

    select
        program,
        entity_name,
        is_marked_asterisk,
        footnote_marker,
        entity_type,
        employer_location,
        city,
        state_code,
        start_date as debarment_start_date,
        end_date as debarment_end_date,
        is_permanent,
        violation,
        cfr_citation,
        source_page,
        corrections,
        has_inconsistent_dates,
        source_file,
        source_sha256,
        source_row

    from source

)

select * from renamed
