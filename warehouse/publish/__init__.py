"""Publish: versions of the read-only warehouse, the files beside it (Parquet, datapackage), its catalog and docs."""
