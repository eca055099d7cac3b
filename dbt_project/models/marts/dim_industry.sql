{#- One row per NAICS code (2-6 digits) of the 2017 or 2022 revision, and per code published in
    WHD or H-2A data that neither revision has, with its sector, subsector and titles. Where a code
    exists in both revisions the 2022 title is used; 2017-only codes carry their 2022 successor. -#}

with

codes as (

    select * from {{ ref('ref_naics_codes') }}

),

sectors as (

    select * from {{ ref('ref_naics_sectors') }}

),

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

h2a_cases as (

    select * from {{ ref('int_h2a_cases') }}

),

preferred as (

    select *
    from codes
    qualify row_number() over (partition by naics_code order by naics_version desc) = 1

),

published_codes as (

    select distinct naics_code from whd_cases
    where naics_code is not null
    union
    select distinct naics_code from h2a_cases
    where naics_code is not null

),

unknown_codes as (

    select
        published_codes.naics_code,
        cast(null as {{ dbt.type_string() }}) as naics_version,
        length(published_codes.naics_code) as code_level,
        cast(null as {{ dbt.type_string() }}) as title,
        {{ naics_sector('published_codes.naics_code') }} as naics_sector,
        left(published_codes.naics_code, 3) as subsector_code,
        cast(null as {{ dbt.type_string() }}) as subsector_title,
        cast(null as {{ dbt.type_string() }}) as naics_2022_code

    from published_codes
    left join preferred on published_codes.naics_code = preferred.naics_code
    where preferred.naics_code is null

),

all_codes as (

    select
        naics_code,
        naics_version,
        code_level,
        title,
        naics_sector,
        subsector_code,
        subsector_title,
        naics_2022_code
    from preferred

    union all

    select * from unknown_codes

),

final as (

    select
        all_codes.naics_code,
        all_codes.naics_version,
        all_codes.code_level,
        all_codes.title,
        all_codes.naics_sector,
        sectors.sector_title,
        all_codes.subsector_code,
        all_codes.subsector_title,
        all_codes.naics_2022_code,
        all_codes.naics_version is not null as is_in_reference,
        all_codes.naics_sector = '11' as is_agriculture

    from all_codes
    left join sectors on all_codes.naics_sector = sectors.naics_sector

)

select * from final
