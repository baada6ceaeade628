"""sim context."""
