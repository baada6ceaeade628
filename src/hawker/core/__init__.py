"""core context."""
