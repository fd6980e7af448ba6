"""The ``animabot`` command line."""
