{#- Every employer record of every source with its comparison key: one row per (source, record).
    `employer_key` = normalized name || '|' || state is the deterministic baseline linkage: records
    with the same key are treated as the same employer by the marts. -#}

with

whd as (

    select * from {{ ref('stg_whd__compliance_actions') }}

),

h2a as (

    select * from {{ ref('int_h2a_cases') }}

),

program_debarments as (

    select * from {{ ref('stg_debarment__program_debarments') }}

),

expired_debarments as (

    select * from {{ ref('stg_debarment__expired_h2a_debarments') }}

),

contractors as (

    select * from {{ ref('stg_mspa__farm_labor_contractors') }}

),

records as (

    select
        'whd' as source,
        cast(case_id as varchar) as record_id,
        coalesce(employer_legal_name, employer_trade_name) as employer_name,
        employer_trade_name as alternate_name,
        employer_state_code as state_code,
        employer_city as city,
        employer_zip_code as zip_code
    from whd

    union all

    select
        'h2a' as source,
        case_number as record_id,
        employer_name,
        employer_trade_name as alternate_name,
        employer_state_code as state_code,
        employer_city as city,
        employer_zip_code as zip_code
    from h2a

    union all

    select
        'debarment' as source,
        program || '|' || entity_name || '|' || cast(debarment_start_date as varchar) as record_id,
        entity_name as employer_name,
        null as alternate_name,
        state_code,
        city,
        null as zip_code
    from program_debarments

    union all

    select
        'expired_debarment' as source,
        entity_name || '|' || cast(debarment_start_date as varchar) || '|' || violation || '|' || duration_text
            as record_id,
        entity_name as employer_name,
        null as alternate_name,
        state_code,
        city,
        null as zip_code
    from expired_debarments

    union all

    select
        'mspa' as source,
        certificate_number as record_id,
        contractor_name as employer_name,
        null as alternate_name,
        state_code,
        city,
        zip_code
    from contractors

),

final as (

    select
        source,
        record_id,
        employer_name,
        alternate_name,
        state_code,
        city,
        zip_code,
        {{ normalize_employer_name('employer_name') }} as name_key,
        {{ normalize_employer_name('alternate_name') }} as alternate_name_key,
        {{ normalize_employer_name('employer_name') }} || '|' || coalesce(state_code, '') as employer_key

    from records

)

select * from final
