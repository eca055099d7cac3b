{#- Use the configured schema name as is (staging, intermediate, marts, reference), not
    "<target schema>_<custom schema>": analysts query marts.mart_industry_year. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
