"""Campaigns: plan a scenario into deliveries, render them, and follow residents' answers."""
