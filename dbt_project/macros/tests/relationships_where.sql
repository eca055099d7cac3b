{#- Like `relationships`, but only for rows matching `from_condition` (e.g. only known codes). -#}
{% test relationships_where(model, column_name, to, field, from_condition='true') %}

select child.{{ column_name }}
from {{ model }} as child
left join {{ to }} as parent on child.{{ column_name }} = parent.{{ field }}
where child.{{ column_name }} is not null
  and ({{ from_condition }})
  and parent.{{ field }} is null

{% endtest %}
