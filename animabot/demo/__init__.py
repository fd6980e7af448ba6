"""``animabot demo``: a whole campaign on simulated neighbourhoods, through the real engine."""
