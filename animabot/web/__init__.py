"""The read-only dashboard territorial agents use to read anonymised figures."""
