{#- State codes in the employer records of every source that are no state or territory (should be empty). -#}

with

records as (

    select * from {{ ref('int_employer_records') }}

),

states as (

    select * from {{ ref('ref_states') }}

),

final as (

    select
        records.state_code,
        count(*) as records

    from records
    left join states on records.state_code = states.state_code
    where records.state_code is not null and states.state_code is null
    group by records.state_code

)

select * from final
