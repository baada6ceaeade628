"""deals context."""
