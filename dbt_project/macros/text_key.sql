{#- A comparison key for short published text: upper case, every run of punctuation and spaces as
    one space. Used where spellings of one value must compare equal (case statuses, the employer
    names within one filing). -#}
{% macro text_key(text) -%}
    nullif(trim({{ replace_regex("upper(coalesce(" ~ text ~ ", ''))", '[^A-Z0-9]+', ' ') }}), '')
{%- endmacro %}

{#- Whether text_key(text) is not null: the text has a letter or digit once upper-cased (the key keeps
    exactly those), found without building the key. -#}
{% macro has_text_key(text) -%}
    coalesce({{ matches_regex('upper(' ~ text ~ ')', '[A-Z0-9]') }}, false)
{%- endmacro %}
