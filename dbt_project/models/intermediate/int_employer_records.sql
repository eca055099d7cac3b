{#- Every employer named in every source, one row per (source, record_id): the input of employer
    linkage (orchestration asset int_employer_links). record_id is the source's own key as
    published: WHD case_id; the H-2A case number for the filing employer, and `<case number>#<n>`
    for each other employer the filing names (association members, and from FY2020 the businesses
    of Addendum B: growers a labor contractor supplies), numbered in order of appearance; MSPA the
    certificate number; debarments their record id; H-2B the case number (its filing employer). Names and addresses are kept as published:
    the linkage normalises them. A record without a name (blank, or only punctuation: text_key is
    null) is no employer: it stays in its fact table with a null employer_id and is left out here,
    so it never reaches linkage, dim_employer or bridge_employer_record. -#}

with

whd as (

    select * from {{ ref('stg_whd__compliance_actions') }}

),

h2a_rows as (

    select * from {{ ref('int_h2a_case_rows') }}

),

worksites as (

    select * from {{ ref('stg_h2a__addendum_b_worksites') }}

),

h2b_cases as (

    select * from {{ ref('int_h2b_cases') }}

),

outcomes as (

    select * from {{ ref('int_case_outcomes') }}

),

contractors as (

    select * from {{ ref('stg_mspa__farm_labor_contractors') }}

),

h2a_masters as (

    select
        *,
        {{ text_key('employer_name') }} as name_key
    from h2a_rows
    where is_master_row

),

-- Every other employer a filing names: member rows, then Addendum B businesses (latest file).
h2a_named as (

    select
        h2a_rows.case_number,
        h2a_rows.case_row as appearance,
        h2a_rows.employer_name,
        h2a_rows.employer_trade_name,
        concat_ws(' ', h2a_rows.employer_address1, h2a_rows.employer_address2) as street_address,
        h2a_rows.employer_city as city,
        h2a_rows.employer_state_code as state_code,
        h2a_rows.employer_zip_code as zip_code,
        h2a_rows.employer_phone as phone,
        h2a_rows.naics_code,
        h2a_rows.employer_fein as fein,
        h2a_rows.decision_date,
        'member' as role,
        {{ text_key('h2a_rows.employer_name') }} as name_key
    from h2a_rows
    where not h2a_rows.is_master_row

    union all

    select
        worksites.case_number,
        100000 + worksites.worksite_row as appearance,
        worksites.business_name as employer_name,
        null as employer_trade_name,
        concat_ws(' ', worksites.address1, worksites.address2) as street_address,
        worksites.worksite_city as city,
        worksites.worksite_state_code as state_code,
        worksites.worksite_zip_code as zip_code,
        null as phone,
        null as naics_code,
        null as fein,
        null as decision_date,
        'worksite business' as role,
        {{ text_key('worksites.business_name') }} as name_key
    from worksites
    qualify worksites.file_fiscal_year = max(worksites.file_fiscal_year) over (partition by worksites.case_number)

),

-- One record per distinct name in a filing, leaving out the filing employer's own name.
h2a_others as (

    select
        h2a_named.*,
        h2a_masters.decision_date as filing_decision_date
    from h2a_named
    inner join h2a_masters on h2a_named.case_number = h2a_masters.case_number
    where
        h2a_named.name_key is not null
        and h2a_named.name_key is distinct from h2a_masters.name_key
    qualify row_number() over (
        partition by h2a_named.case_number, h2a_named.name_key
        order by h2a_named.appearance
    ) = 1

),

records as (

    select
        'whd' as source,
        cast(case_id as {{ dbt.type_string() }}) as record_id,
        null as filing_record_id,
        'employer' as role,
        coalesce(employer_legal_name, employer_trade_name) as employer_name,
        employer_trade_name as alternate_name,
        employer_street_address as street_address,
        employer_city as city,
        employer_state_code as state_code,
        employer_zip_code as zip_code,
        null as phone,
        naics_code,
        null as fein,
        findings_end_date as record_date
    from whd

    union all

    select
        'h2a' as source,
        case_number as record_id,
        case_number as filing_record_id,
        'employer' as role,
        employer_name,
        employer_trade_name as alternate_name,
        concat_ws(' ', employer_address1, employer_address2) as street_address,
        employer_city as city,
        employer_state_code as state_code,
        employer_zip_code as zip_code,
        employer_phone as phone,
        naics_code,
        employer_fein as fein,
        decision_date as record_date
    from h2a_masters

    union all

    select
        'h2a' as source,
        case_number || '#' || row_number() over (partition by case_number order by appearance) as record_id,
        case_number as filing_record_id,
        role,
        employer_name,
        employer_trade_name as alternate_name,
        street_address,
        city,
        state_code,
        zip_code,
        phone,
        naics_code,
        fein,
        coalesce(decision_date, filing_decision_date) as record_date
    from h2a_others

    union all

    select
        'h2b' as source,
        case_number as record_id,
        case_number as filing_record_id,
        'employer' as role,
        employer_name,
        employer_trade_name as alternate_name,
        concat_ws(' ', employer_address1, employer_address2) as street_address,
        employer_city as city,
        employer_state_code as state_code,
        employer_zip_code as zip_code,
        employer_phone as phone,
        naics_code,
        null as fein,
        decision_date as record_date
    from h2b_cases

    union all

    select
        record_source as source,
        outcome_id as record_id,
        null as filing_record_id,
        'debarred entity' as role,
        entity_name as employer_name,
        null as alternate_name,
        null as street_address,
        city,
        state_code,
        null as zip_code,
        null as phone,
        null as naics_code,
        null as fein,
        debarment_start_date as record_date
    from outcomes

    union all

    select
        'mspa' as source,
        certificate_number as record_id,
        null as filing_record_id,
        'farm labor contractor' as role,
        contractor_name as employer_name,
        null as alternate_name,
        street_address,
        city,
        state_code,
        zip_code,
        phone_number as phone,
        null as naics_code,
        null as fein,
        certificate_start_date as record_date
    from contractors

),

final as (

    select
        source,
        record_id,
        filing_record_id,
        role,
        employer_name,
        alternate_name,
        nullif(trim(street_address), '') as street_address,
        city,
        state_code,
        zip_code,
        phone,
        naics_code,
        fein,
        record_date

    from records
    where {{ has_text_key('employer_name') }}

)

select * from final
