"""Outside services and programs tests need: skip saying why when one is missing, except under
``CI=true``, where a missing one is a loud failure."""

from __future__ import annotations

import os
import shutil

import pytest

REDIS_URL = os.environ.get("HAWKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def missing(what: str, fix: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is missing under CI=true ({fix})")
    pytest.skip(f"{what} is missing ({fix})")


def need_binary(name: str, fix: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        missing(name, fix)
    assert path is not None
    return path


def need_redis() -> str:
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        missing(f"Redis at {REDIS_URL}", str(exc))
    finally:
        client.close()
    return REDIS_URL
