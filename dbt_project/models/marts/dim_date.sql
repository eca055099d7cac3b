{#- One row per day from 2000-01-01 to 2035-09-30 with its calendar and federal fiscal year,
    fiscal quarter (Q1 = Oct-Dec) and month of the fiscal year. -#}

with

fiscal_years as (

    select * from {{ ref('ref_fiscal_years') }}

),

series as (

    select {{ series("date '2000-01-01'", "date '2035-09-30'", 'interval 1 day') }} as series_day

),

days as (

    select cast(series_day as date) as date_day
    from series

),

final as (

    select
        days.date_day,
        extract(year from days.date_day) as calendar_year,
        extract(month from days.date_day) as calendar_month,
        fiscal_years.fiscal_year,
        fiscal_years.label as fiscal_year_label,
        ((extract(month from days.date_day) + 2) % 12) + 1 as fiscal_month,
        cast(floor(((extract(month from days.date_day) + 2) % 12) / 3) + 1 as integer) as fiscal_quarter

    from days
    inner join fiscal_years on days.date_day between fiscal_years.start_date and fiscal_years.end_date

)

select * from final
