"""Redis for tests: a private key prefix in logical db 11, cleaned up afterwards.

Redis is shared with other work on this machine, so tests never flush a database; they own a
random prefix instead. Without Redis the tests skip with the reason, except under ``CI=true``
where a missing service must fail loudly.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import redis

REDIS_URL = os.environ.get("HAWKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")


def _reachable() -> str | None:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as e:
        return f"Redis unreachable at {REDIS_URL}: {e}"
    return None


@pytest.fixture(scope="session")
def redis_url() -> str:
    problem = _reachable()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(problem)
        pytest.skip(problem)
    return REDIS_URL


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A fresh key prefix; every key under it is deleted after the test."""
    tag = f"t{uuid.uuid4().hex[:12]}"
    yield f"{tag}:"
    client = redis.Redis.from_url(redis_url)
    # Huey keeps only the letters and digits of its queue name ("<prefix>jobs") in its keys
    keys = list(client.scan_iter(match=f"*{tag}*", count=1000))
    if keys:
        client.delete(*keys)
    client.close()
