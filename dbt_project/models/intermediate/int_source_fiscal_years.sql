{#- One row per source x fiscal year it has published (from int_source_coverage): whether that
    year is there at all, and whether completely. -#}

with

coverage as (

    select * from {{ ref('int_source_coverage') }}
    where first_fiscal_year is not null

),

file_years as (

    select
        source,
        last_complete_fiscal_year,
        {{ series('first_fiscal_year', 'last_fiscal_year') }} as fiscal_year
    from coverage

),

final as (

    select
        source,
        fiscal_year,
        bool_or(fiscal_year <= last_complete_fiscal_year) as is_complete
    from file_years
    group by source, fiscal_year

)

select * from final
