"""Pseudonyms, signed button actions and the pseudonym key's life cycle."""
