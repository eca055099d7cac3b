{#- Every case outcome published outside WHD's case file, one row each: OFLC program debarments
    (current list, PERM / H-2A / H-2B) and expired H-2A debarments, with the fiscal year the
    debarment started. fct_case_outcome adds the employer. -#}

with

program_debarments as (

    select * from {{ ref('stg_debarment__program_debarments') }}

),

expired_debarments as (

    select * from {{ ref('stg_debarment__expired_h2a_debarments') }}

),

outcomes as (

    select
        'debarment' as record_source,
        program || '|' || entity_name || '|' || cast(debarment_start_date as {{ dbt.type_string() }}) as outcome_id,
        'program debarment' as outcome_type,
        program,
        entity_name,
        entity_type,
        is_marked_asterisk,
        city,
        state_code,
        violation,
        cfr_citation,
        null as duration_months,
        debarment_start_date,
        debarment_end_date,
        is_permanent,
        has_inconsistent_dates,
        source_file,
        source_sha256

    from program_debarments

    union all

    select
        'expired_debarment' as record_source,
        entity_name
        || '|' || cast(debarment_start_date as {{ dbt.type_string() }})
        || '|' || violation
        || '|' || duration_text as outcome_id,
        'expired debarment' as outcome_type,
        program,
        entity_name,
        null as entity_type,
        is_marked_asterisk,
        city,
        state_code,
        violation,
        null as cfr_citation,
        duration_months,
        debarment_start_date,
        debarment_end_date,
        false as is_permanent,
        has_inconsistent_dates,
        source_file,
        source_sha256

    from expired_debarments

),

final as (

    select
        record_source,
        outcome_id,
        outcome_type,
        program,
        entity_name,
        entity_type,
        is_marked_asterisk,
        city,
        state_code,
        violation,
        violation ilike '%WHD%' or is_marked_asterisk as is_whd_debarment,
        cfr_citation,
        duration_months,
        debarment_start_date,
        debarment_end_date,
        is_permanent,
        has_inconsistent_dates,
        {{ fiscal_year('debarment_start_date') }} as fiscal_year,
        source_file,
        source_sha256

    from outcomes

)

select * from final
