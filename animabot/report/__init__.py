"""A campaign's evaluation report: one self-contained HTML file, in French, printable to PDF."""

from .build import build_report

__all__ = ["build_report"]
