"""Residents and facilitators on Matrix (Element, Tchap), through matrix-nio."""

from .adapter import MatrixAdapter, MatrixAdapterFactory

__all__ = ["MatrixAdapter", "MatrixAdapterFactory"]
