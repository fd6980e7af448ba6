"""Anonymised statistics: aggregates only, small cells suppressed."""
