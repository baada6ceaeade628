"""Time source. Everything reads the clock here so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    def __init__(self) -> None:
        self.offset_seconds = 0.0

    def now(self) -> datetime:
        """Timezone-naive UTC (stored as such in both SQLite and PostgreSQL)."""
        return datetime.now(UTC).replace(tzinfo=None) + timedelta(seconds=self.offset_seconds)


clock = Clock()


def utcnow() -> datetime:
    return clock.now()


def naive_utc(value: datetime) -> datetime:
    """Stored UTC without tzinfo, whatever offset the client sent."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value
