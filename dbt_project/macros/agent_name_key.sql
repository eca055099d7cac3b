{#- How the name of an agent or attorney who files for employers compares across filings and eras:
    text_key (upper case, punctuation as spaces) of the name without parenthesised asides
    ('Elizabeth (Betsy) Parkin', 'Kelly Broussard(CLS Manager)') and apostrophes, without titles and business
    suffixes (ESQ, ATTORNEY, LLC, PC, MR, DR...), initials (FY2020+ files add middle names) and a
    leading 'LAW OFFICE(S) OF'. Null for a blank name or a placeholder ('N/A', 'NONE', 'SELF').
    Tokens keep their order ('SMITH JOHN' is not 'JOHN SMITH'), accented letters are dropped by
    text_key, and one name is one agent: see dim_filing_agent for what that merges and splits. -#}

{% macro agent_name_key(name) -%}
    {%- set dropped_words = [
        'ESQ', 'ESQUIRE', 'ATTY', 'ATTORNEY', 'ATTORNEYS', 'AGENT',
        'LLC', 'PLLC', 'LLP', 'PC', 'PA', 'INC', 'MR', 'MRS', 'MS', 'DR', '[A-Z]'
    ] -%}
    {%- set placeholders = ['NA', 'NONE', 'SELF', 'NOT APPLICABLE', 'UNKNOWN'] -%}
    {#- An apostrophe joins its word ('D''ARRIGO' is DARRIGO, not an initial D and ARRIGO). -#}
    {%- set joined = "replace(replace(" ~ name ~ ", chr(39), ''), '’', '')" -%}
    {%- set without_asides = replace_regex(joined, '[(][^)]*[)]', ' ') -%}
    {#- Every word padded by its own two spaces, so dropped words next to each other all match. -#}
    {%- set padded = "concat(' ', " ~ replace_regex(text_key(without_asides), ' ', '  ') ~ ", ' ')" -%}
    {%- set dropped = replace_regex(padded, ' (' ~ dropped_words | join('|') ~ ') ', ' ') -%}
    {%- set single_spaced = "trim(" ~ replace_regex(dropped, ' +', ' ') ~ ")" -%}
    {%- set key = replace_regex(single_spaced, '^(THE )?LAW OFFICES? OF ', '') -%}
    case
        when {{ key }} in ('{{ placeholders | join("', '") }}') then null
        else nullif({{ key }}, '')
    end
{%- endmacro %}

{#- How alike two agent keys are, from 0 to 1: one minus their Levenshtein edit distance over the
    longer one's length ('IGNATIUS QUATERMAINE' vs 'IGNATIUS QUARTERMAINE': 1 - 1/21 = 0.952). Levenshtein,
    not Jaro-Winkler: DuckDB and Spark both have it with one meaning (Spark has no Jaro-Winkler). -#}
{% macro agent_name_similarity(left, right) -%}
    (1.0 - cast(levenshtein({{ left }}, {{ right }}) as double) / greatest(length({{ left }}), length({{ right }})))
{%- endmacro %}
