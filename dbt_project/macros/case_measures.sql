{#- The measures every mart aggregates from cases, so industry, region and gap marts count alike.
    Dollar sums are rounded to the cent (sums of binary floats drift in the last digits). -#}

{% macro whd_case_measures() -%}
    count(*) as whd_cases,
    sum(violations) as violations,
    round(sum(back_wages), 2) as back_wages,
    sum(employees_owed) as employees_owed,
    round(sum(civil_money_penalties), 2) as civil_money_penalties,
    count_if(has_h2a_violations) as whd_h2a_violation_cases,
    round(sum(h2a_back_wages), 2) as h2a_back_wages
{%- endmacro %}

{% macro h2a_case_measures() -%}
    count(*) as h2a_cases,
    count_if(is_certified) as h2a_certified_cases,
    sum(workers_certified) as h2a_workers_certified
{%- endmacro %}
