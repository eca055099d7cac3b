{#- Whether a debarment (a row of fct_case_outcome / int_case_outcomes, named by `relation`) is in force
    on `day`: from its first day through its last, or from its first day on for a permanent one. A row
    whose published end precedes its start (has_inconsistent_dates) covers no day: never in force. -#}
{% macro debarment_in_force_on(day, relation) -%}
    (
        not {{ relation }}.has_inconsistent_dates
        and {{ day }} >= {{ relation }}.debarment_start_date
        and ({{ relation }}.is_permanent or {{ day }} <= {{ relation }}.debarment_end_date)
    )
{%- endmacro %}

{#- Whether `day` falls after a debarment ended: never for a permanent one, nor for one that covers no
    day (has_inconsistent_dates: its published end is not a date the debarment ended on). -#}
{% macro debarment_ended_before(day, relation) -%}
    (
        not {{ relation }}.has_inconsistent_dates
        and not {{ relation }}.is_permanent
        and {{ day }} > {{ relation }}.debarment_end_date
    )
{%- endmacro %}
