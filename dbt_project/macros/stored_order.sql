{#- The order a table's rows are stored in, written after a model's final select. DuckDB keeps the min and
    max of every column per row group (~122,880 rows), so a filter on the leading column reads only the row
    groups that hold its value: one fiscal year of fct_h2a_certification reads 2 of 21 row groups at scale 10
    instead of 17, and the employers that year's filings join to 2 of 9 of dim_employer's (benchmarks/README.md,
    "Query latency at scale 10"). On Spark nothing: a global sort there costs a shuffle, and what analysts
    read is the DuckDB warehouse. -#}
{% macro stored_order(columns) -%}
    {{ return(adapter.dispatch('stored_order')(columns)) }}
{%- endmacro %}

{% macro default__stored_order(columns) -%}
    order by {{ columns | join(', ') }}
{%- endmacro %}

{% macro spark__stored_order(columns) -%}
{%- endmacro %}
