{#- What each loaded source file has published, one row per file: the fiscal years it covers, the
    last of them it covers to the end, and how far its data reaches. The yearly marts read it to
    tell "nothing happened" (0) from "not published" (null).
    - whd, debarment (the current and the expired list), mspa: one file spanning years; a fiscal year is complete
      when the data reaches its end (30 September).
    - h2a, h2a_addendum_b, h2b: one file per fiscal year; OFLC names year-to-date releases _Q1.._Q3, so
      such a file covers its year only in part (Q4, EOY and unsuffixed files are the whole year).
    - qcew: annual averages of calendar year N, which the marts compare with fiscal year N. -#}

with

whd_cases as (

    select * from {{ ref('int_whd_cases') }}

),

h2a_rows as (

    select * from {{ ref('stg_h2a__disclosure') }}

),

worksites as (

    select * from {{ ref('stg_h2a__addendum_b_worksites') }}

),

h2b_rows as (

    select * from {{ ref('stg_h2b__disclosure') }}

),

outcomes as (

    select * from {{ ref('int_case_outcomes') }}

),

employment as (

    select * from {{ ref('stg_qcew__annual_employment') }}

),

contractors as (

    select * from {{ ref('stg_mspa__farm_labor_contractors') }}

),

spanning_files as (

    select
        'whd' as source,
        source_file,
        source_sha256,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        max(findings_end_date) filter (where fiscal_year is not null) as data_through,
        count(*) as row_count,
        count(*) filter (where fiscal_year is null) as rows_without_fiscal_year
    from whd_cases
    group by source_file, source_sha256

    union all

    select
        'debarment' as source,
        source_file,
        source_sha256,
        min(fiscal_year) as first_fiscal_year,
        max(fiscal_year) as last_fiscal_year,
        max(debarment_start_date) as data_through,
        count(*) as row_count,
        count(*) filter (where fiscal_year is null) as rows_without_fiscal_year
    from outcomes
    group by source_file, source_sha256

    union all

    select
        'mspa' as source,
        source_file,
        source_sha256,
        min({{ fiscal_year('certificate_start_date') }}) as first_fiscal_year,
        max({{ fiscal_year('certificate_start_date') }}) as last_fiscal_year,
        max(certificate_start_date) as data_through,
        count(*) as row_count,
        count(*) filter (where certificate_start_date is null) as rows_without_fiscal_year
    from contractors
    group by source_file, source_sha256

),

yearly_files as (

    select
        'h2a' as source,
        source_file,
        source_sha256,
        min(file_fiscal_year) as fiscal_year,
        max(decision_date) as data_through,
        count(*) as row_count
    from h2a_rows
    group by source_file, source_sha256

    union all

    select
        'h2b' as source,
        source_file,
        source_sha256,
        min(file_fiscal_year) as fiscal_year,
        max(decision_date) as data_through,
        count(*) as row_count
    from h2b_rows
    group by source_file, source_sha256

    union all

    select
        'h2a_addendum_b' as source,
        source_file,
        source_sha256,
        min(file_fiscal_year) as fiscal_year,
        null as data_through,
        count(*) as row_count
    from worksites
    group by source_file, source_sha256

    union all

    select
        'qcew' as source,
        source_file,
        source_sha256,
        min(calendar_year) as fiscal_year,
        make_date(cast(min(calendar_year) as integer), 12, 31) as data_through,
        count(*) as row_count
    from employment
    group by source_file, source_sha256

),

final as (

    select
        source,
        source_file as file,
        source_sha256 as sha256,
        first_fiscal_year,
        last_fiscal_year,
        -- The last fiscal year whose 30 September the data reaches.
        {{ fiscal_year('data_through') }}
        - case when month(data_through) = 9 and day(data_through) = 30 then 0 else 1 end
            as last_complete_fiscal_year,
        data_through,
        row_count,
        rows_without_fiscal_year
    from spanning_files

    union all

    select
        source,
        source_file as file,
        source_sha256 as sha256,
        fiscal_year as first_fiscal_year,
        fiscal_year as last_fiscal_year,
        case
            when
                source in ('h2a', 'h2a_addendum_b', 'h2b')
                and {{ matches_regex('source_file', '_Q[1-3]([^0-9]|$)', 'i') }}
                then fiscal_year - 1
            else fiscal_year
        end as last_complete_fiscal_year,
        data_through,
        row_count,
        0 as rows_without_fiscal_year
    from yearly_files

)

select * from final
