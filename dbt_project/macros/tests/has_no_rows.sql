{#- For "unmapped" models: every row is a value that matched no reference data, so the model
    must be empty. -#}
{% test has_no_rows(model) %}

select * from {{ model }}

{% endtest %}
