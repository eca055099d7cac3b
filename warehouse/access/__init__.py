"""Access: what analysts and leaders read from the published warehouse (query, shell, employer, report)."""
