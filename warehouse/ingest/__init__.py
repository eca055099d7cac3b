"""Ingest: acquire files into the raw archive, skip what did not change, stage parsed tables, load them,
mirror them to the lake."""
