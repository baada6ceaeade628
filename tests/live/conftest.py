from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hawker.core.config import Settings
from tests.conftest import CHEAP_ARGON2, Api
from tests.redis_fixtures import redis_prefix, redis_url

__all__ = ["redis_prefix", "redis_url"]


@pytest.fixture
def settings(
    tmp_path: Path, database_url: str, backend: str, request: pytest.FixtureRequest
) -> Settings:
    """Fast coalescing and small limits so room behaviour shows within a test. Room tests run
    on both deployments: the embedded default (SQLite, in-process bus and room state) and
    scale-out (PostgreSQL, Redis bus and room state)."""
    redis: dict[str, str] = {}
    if backend == "postgres":
        redis = {
            "redis_url": request.getfixturevalue("redis_url"),
            "redis_prefix": request.getfixturevalue("redis_prefix"),
        }
    return Settings.model_validate(
        {
            "data_dir": tmp_path / "data",
            "database_url": database_url,
            "coalesce_seconds": 0.05,
            "chat_rate_per_10s": 3,
            "room_history_size": 20,
        }
        | redis
        | CHEAP_ARGON2
    )


@pytest.fixture
def live_show(make_user: Callable[..., Api]) -> Callable[..., dict[str, Any]]:
    """A host with a live show whose line-up has two products."""

    def make(start: bool = True) -> dict[str, Any]:
        merchant, host = make_user("merchant"), make_user("host", name="Mia")
        products = [
            merchant.post(
                "/api/products",
                json={
                    "title": t,
                    "skus": [{"name": "One", "price": 1000, "currency": "USD", "stock": 10}],
                },
            ).json()
            for t in ("Lipstick", "Serum")
        ]
        show = host.post(
            "/api/shows",
            json={
                "title": "Glow",
                "scheduled_start": "2026-01-01T10:00:00Z",
                "product_ids": [p["id"] for p in products],
            },
        ).json()
        if start:
            assert host.post(f"/api/shows/{show['id']}/start").status_code == 200
        return {"host": host, "show": show, "products": products, "merchant": merchant}

    return make
