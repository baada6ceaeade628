"""The process-wide runtime: settings plus the adapters chosen by configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hawker.core.config import Settings
from hawker.core.db import Database
from hawker.infra.bus import Bus, MemoryBus


@dataclass
class Runtime:
    settings: Settings
    db: Database
    bus: Bus
    # Context-owned long-lived helpers (the live hub, ...), registered by the app factory.
    services: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            settings=settings,
            db=Database(settings.effective_database_url, pool_size=settings.database_pool_size),
            bus=MemoryBus(history_size=settings.room_history_size),
        )

    async def close(self) -> None:
        await self.bus.close()
        await self.db.dispose()


def runtime_of(app: Any) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt
