{#- Every record of every source and the one employer it belongs to (from employer linkage):
    WHD cases, H-2A filing employers and the other employers a filing names, debarments and MSPA
    certificates, with how surely the record belongs there. -#}

with

links as (

    select * from {{ source('linkage', 'int_employer_links') }}

),

records as (

    select * from {{ ref('int_employer_records') }}

),

final as (

    select
        links.source,
        links.record_id,
        links.employer_id,
        links.match_probability,
        records.role,
        records.filing_record_id,
        records.employer_name as name_as_published,
        records.state_code,
        records.record_date

    from links
    inner join records on links.source = records.source and links.record_id = records.record_id

)

select * from final
