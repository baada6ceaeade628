"""Hawker: open-source, self-hostable live-commerce and short-video platform."""

__version__ = "0.1.0"
