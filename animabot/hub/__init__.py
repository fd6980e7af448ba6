"""The proximity-network hub: neighbourhoods across platforms, actors, ideas."""
