{#- How H-2A case statuses compare across eras (text_key): 'CERTIFIED - FULL', 'Certified - Full'
    and 'Certified-Full' are one status, as are '... - CERTIFICATION EXPIRED' and
    '... - Certification (Expired)'. The gate uses the same key (sources/h2a/contract.py:
    case_status_key). -#}
{% macro case_status_key(status) -%}
    {{ text_key(status) }}
{%- endmacro %}
