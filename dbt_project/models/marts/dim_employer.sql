{#- One row per employer found by employer linkage: its stable id, a display name (the name its
    records use most), its main state and city, every name it is published under, and how many
    records each source holds of it. -#}

with

bridge as (

    select * from {{ ref('bridge_employer_record') }}

),

records as (

    select * from {{ ref('int_employer_records') }}

),

employer_records as (

    select
        bridge.employer_id,
        bridge.source,
        bridge.role,
        bridge.record_date,
        records.employer_name,
        records.city,
        records.state_code,
        -- An H-2A record without a NAICS code is agriculture (H-2A certifies agricultural work).
        coalesce({{ naics_sector('records.naics_code') }}, case when bridge.source = 'h2a' then '11' end)
            as naics_sector

    from bridge
    inner join records on bridge.source = records.source and bridge.record_id = records.record_id

),

-- The name, state and city used most (then most recently) by the employer's own filings.
ranked_names as (

    select
        employer_id,
        employer_name,
        row_number() over (
            partition by employer_id
            order by (role = 'employer') desc, count(*) desc, max(record_date) desc nulls last, employer_name asc
        ) as name_rank

    from employer_records
    where employer_name is not null
    group by employer_id, employer_name, role = 'employer'

),

ranked_places as (

    select
        employer_id,
        state_code,
        city,
        row_number() over (
            partition by employer_id
            order by count(*) desc, max(record_date) desc nulls last, state_code asc, city asc nulls last
        ) as place_rank

    from employer_records
    where state_code is not null
    group by employer_id, state_code, city

),

ranked_sectors as (

    select
        employer_id,
        naics_sector,
        row_number() over (partition by employer_id order by count(*) desc, naics_sector asc) as sector_rank

    from employer_records
    where naics_sector is not null
    group by employer_id, naics_sector

),

counts as (

    select
        employer_id,
        count(*) as records,
        count(*) filter (where source = 'whd') as whd_cases,
        count(*) filter (where source = 'h2a' and role = 'employer') as h2a_filings,
        count(*) filter (where source = 'h2a' and role <> 'employer') as h2a_filings_naming_it,
        count(*) filter (where source in ('debarment', 'expired_debarment')) as debarments,
        count(*) filter (where source = 'mspa') as mspa_certificates,
        {{ sorted_distinct_list('employer_name') }} as name_variants,
        min(record_date) as first_record_date,
        max(record_date) as last_record_date

    from employer_records
    group by employer_id

),

final as (

    select
        counts.employer_id,
        ranked_names.employer_name,
        ranked_places.state_code,
        ranked_places.city,
        ranked_sectors.naics_sector,
        counts.name_variants,
        {{ list_length('counts.name_variants') }} as name_variant_count,
        counts.records,
        counts.whd_cases,
        counts.h2a_filings,
        counts.h2a_filings_naming_it,
        counts.debarments,
        counts.mspa_certificates,
        counts.first_record_date,
        counts.last_record_date

    from counts
    left join ranked_names on counts.employer_id = ranked_names.employer_id and ranked_names.name_rank = 1
    left join ranked_places on counts.employer_id = ranked_places.employer_id and ranked_places.place_rank = 1
    left join ranked_sectors on counts.employer_id = ranked_sectors.employer_id and ranked_sectors.sector_rank = 1

)

select * from final
{{ stored_order(['employer_id']) }}
