{#- What each source has published, one row per loaded file: the fiscal years it covers (and
    completely), how far its data reaches, and the file with its SHA-256. -#}

with

coverage as (

    select * from {{ ref('int_source_coverage') }}

),

final as (

    select
        source,
        first_fiscal_year,
        last_fiscal_year,
        last_complete_fiscal_year,
        data_through,
        file,
        sha256,
        row_count,
        rows_without_fiscal_year

    from coverage

)

select * from final
