{#- Federal fiscal year of a date: FY N runs from 1 October N-1 to 30 September N. -#}
{% macro fiscal_year(date_expression) -%}
    (extract(year from {{ date_expression }}) + case when extract(month from {{ date_expression }}) >= 10 then 1 else 0 end)
{%- endmacro %}
