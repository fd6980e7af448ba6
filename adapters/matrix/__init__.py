"""Residents and facilitators on Matrix (Element, Tchap), through matrix-nio.

Nothing is imported here: the entry point (``factory``) must load without the library, so
that an install without the ``matrix`` extra still runs the other adapters. Import the
adapter from ``adapters.matrix.adapter``.
"""
