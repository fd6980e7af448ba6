"""What residents say and press, turned into records and replies."""
