"""Many shoppers opening the home page at once, more than the database pool has connections:
each section is filled in one read unit, so no page waits for a second connection while
holding a first (which deadlocked the pool until its timeout, then answered 503)."""

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from hawker.accounts.models import User
from hawker.core.config import Settings
from hawker.feed.service import front_page
from hawker.infra.runtime import runtime_of
from tests.feed.conftest import publish, section

POOL = 2  # PostgreSQL's read pool here; SQLite's read pool has 8
CROWD = 20


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"database_pool_size": POOL})


def test_concurrent_pages_never_wait_for_a_second_connection(
    client: TestClient, market: dict[str, Any]
) -> None:
    host = market["host"].user["id"]
    publish(
        market["operator"],
        [section("Live now", "live"), section("From hosts you follow", "followed")],
    )
    shopper = market["buyer"]
    assert shopper.post(f"/api/hosts/{host}/follow").status_code in (200, 201)
    rt = runtime_of(client.app)

    async def crowd() -> list[list[str]]:
        async with rt.db.read() as s:
            user = await s.scalar(select(User).where(User.id == shopper.user["id"]))
        pages = [front_page(rt, user, "") for _ in range(CROWD)]
        # a deadlocked pool waits for its timeout (minutes): fail fast instead
        done = await asyncio.wait_for(asyncio.gather(*pages), timeout=30)
        return [[v.title for v in page] for page in done]

    pages = client.portal.call(crowd)  # type: ignore[union-attr]
    assert pages == [["Live now", "From hosts you follow"]] * CROWD
