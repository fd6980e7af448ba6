"""The scenario editor: forms a facilitator fills in, turned into the scenario format the CLI
loads, checked by the same loader, each problem shown beside its field."""
