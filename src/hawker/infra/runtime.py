"""The process-wide runtime: settings plus the adapters chosen by configuration."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hawker.core.config import Settings
from hawker.core.db import Database
from hawker.infra.bus import Bus, MemoryBus
from hawker.infra.bus_redis import RedisBus
from hawker.infra.room_state import MemoryRoomState, RoomState
from hawker.infra.room_state_redis import RedisRoomState


@dataclass
class Runtime:
    settings: Settings
    db: Database
    bus: Bus
    room_state: RoomState
    # Context-owned long-lived helpers (the live hub, ...), registered by the app factory.
    services: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Runtime:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        bus: Bus
        room_state: RoomState
        if settings.redis_url:  # scale-out: every node shares rooms through Redis
            bus = RedisBus(
                settings.redis_url,
                prefix=settings.redis_prefix,
                history_size=settings.room_history_size,
            )
            # A node refreshes its viewer counts every coalesce period; a few missed
            # refreshes mean the node is gone and its viewers stop counting.
            room_state = RedisRoomState(
                settings.redis_url,
                prefix=settings.redis_prefix,
                heartbeat_ttl=max(5.0, 10 * settings.coalesce_seconds),
            )
        else:
            bus = MemoryBus(history_size=settings.room_history_size)
            room_state = MemoryRoomState()
        return cls(
            settings=settings,
            db=Database(settings.effective_database_url, pool_size=settings.database_pool_size),
            bus=bus,
            room_state=room_state,
        )

    async def close(self) -> None:
        await self.bus.close()
        await self.room_state.close()
        await self.db.dispose()


def runtime_of(app: Any) -> Runtime:
    rt: Runtime = app.state.runtime
    return rt
