{#- The measures every mart aggregates from cases, so industry, region and gap marts count alike. -#}

{% macro whd_case_measures() -%}
    count(*) as whd_cases,
    sum(violations) as violations,
    sum(back_wages) as back_wages,
    sum(employees_owed) as employees_owed,
    sum(civil_money_penalties) as civil_money_penalties,
    count_if(has_h2a_violations) as whd_h2a_violation_cases,
    sum(h2a_back_wages) as h2a_back_wages
{%- endmacro %}

{% macro h2a_case_measures() -%}
    count(*) as h2a_cases,
    count_if(is_certified) as h2a_certified_cases,
    sum(workers_certified) as h2a_workers_certified
{%- endmacro %}
