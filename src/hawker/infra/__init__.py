"""infra context."""
