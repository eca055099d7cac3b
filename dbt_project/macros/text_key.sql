{#- A comparison key for short published text: upper case, every run of punctuation and spaces as
    one space. Used where spellings of one value must compare equal (case statuses, the employer
    names within one filing). -#}
{% macro text_key(text) -%}
    nullif(trim({{ replace_regex("upper(coalesce(" ~ text ~ ", ''))", '[^A-Z0-9]+', ' ') }}), '')
{%- endmacro %}
