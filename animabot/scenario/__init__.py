"""Scenarios: the TOML a facilitator writes, read with every problem located, and its times."""
