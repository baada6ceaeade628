from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from hawker.infra.bus import Bus, MemoryBus
from hawker.infra.bus_redis import RedisBus
from tests.redis_fixtures import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]

MakeBus = Callable[..., Bus]


@pytest.fixture(params=["memory", "redis"])
async def make_bus(request: pytest.FixtureRequest) -> AsyncIterator[MakeBus]:
    """``make_bus(history_size=, queue_size=)``: a bus of each adapter. Redis buses made in one
    test share a key prefix, so two of them act as two server nodes of one deployment."""
    made: list[Any] = []
    if request.param == "memory":

        def make(**kw: Any) -> Bus:
            made.append(MemoryBus(**kw))
            return made[-1]  # type: ignore[no-any-return]

    else:
        url = request.getfixturevalue("redis_url")
        prefix = request.getfixturevalue("redis_prefix")

        def make(**kw: Any) -> Bus:
            made.append(RedisBus(url, prefix=prefix, **kw))
            return made[-1]  # type: ignore[no-any-return]

    yield make
    for bus in made:
        await bus.close()
