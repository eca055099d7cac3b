{#- NAICS codes in the data that roll up to no sector and match no reference code (should be empty). -#}

with

industries as (

    select * from {{ ref('dim_industry') }}

),

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

published as (

    select naics_code from whd_cases
    union all
    select naics_code from h2a_cases

),

final as (

    select
        published.naics_code,
        count(*) as cases

    from published
    inner join industries on published.naics_code = industries.naics_code
    where not industries.is_in_reference and industries.naics_sector is null
    group by published.naics_code

)

select * from final
