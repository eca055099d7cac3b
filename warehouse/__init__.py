"""The warehouse's own machinery between the source modules and Dagster: where files live,
how inputs are acquired, how parsed tables are staged, loaded, published and queried."""
