{#- A rate per `per` units of a denominator; null (not infinite, not zero) when the denominator
    is unknown (suppressed QCEW cell) or zero. -#}
{% macro rate_per(numerator, denominator, per=10000) -%}
    case when {{ denominator }} > 0 then {{ numerator }} * {{ per }}.0 / {{ denominator }} end
{%- endmacro %}
