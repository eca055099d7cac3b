{#- How H-2A case statuses compare across eras: upper case, every run of punctuation and spaces
    as one space. 'CERTIFIED - FULL', 'Certified - Full' and 'Certified-Full' are one status, as are
    '... - CERTIFICATION EXPIRED' and '... - Certification (Expired)'. The gate uses the same key
    (sources/h2a/contract.py: case_status_key). -#}
{% macro case_status_key(status) -%}
    nullif(trim(regexp_replace(upper(coalesce({{ status }}, '')), '[^A-Z0-9]+', ' ', 'g')), '')
{%- endmacro %}
