"""animabot: citizen participation in the messaging apps residents already use."""

__version__ = "0.1.0"
