"""live context."""
