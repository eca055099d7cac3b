"""Quality: the gate between parsing and loading, its validation reports, and the audit tables."""
