{#- A rate per `per` units of a denominator; null (not infinite, not zero) when the denominator
    is unknown (suppressed QCEW cell) or zero. -#}
{% macro rate_per(numerator, denominator, per=10000) -%}
    case when {{ denominator }} > 0 then cast({{ numerator }} as double) * {{ per }} / {{ denominator }} end
{%- endmacro %}

{#- The measures the marts give per 10,000 employees (QCEW), declared once. -#}
{% macro rates_per_10k_employees(employment, relation=none) -%}
    {%- set prefix = relation ~ '.' if relation else '' %}
    {%- for measure in ['whd_cases', 'violations', 'employees_owed', 'back_wages', 'h2a_workers_certified'] %}
    {{ rate_per(prefix ~ measure, employment) }} as {{ measure }}_per_10k_employees
    {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
