"""Set up a flash sale through the public API: a merchant's product, a host live with it, a
deal, and signed-in buyers. Shared by the flash-sale benchmark and its end-to-end test."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass

import httpx2 as httpx

from hawker.sim.client import HawkerClient

PASSWORD = "flash-sale-password"


@dataclass(frozen=True)
class Sale:
    deal_id: int
    buyer_tokens: list[str]


async def prepare_sale(
    http: httpx.AsyncClient,
    *,
    buyers: int,
    stock: int,
    units: int,
    per_buyer_limit: int = 1,
    concurrency: int = 64,
) -> Sale:
    tag = uuid.uuid4().hex[:8]

    async def account(name: str, roles: list[str]) -> HawkerClient:
        client = HawkerClient(http)
        await client.sign_up(f"{name}-{tag}@example.com", PASSWORD, name, roles)
        return client

    merchant, host = await account("merchant", ["merchant"]), await account("host", ["host"])
    product = await merchant.call(
        "POST",
        "/api/products",
        json={
            "title": "Flash hoodie",
            "skus": [{"name": "M", "price": 5000, "currency": "USD", "stock": stock}],
        },
    )
    show = await host.call(
        "POST",
        "/api/shows",
        json={
            "title": "Drop",
            "scheduled_start": "2026-01-01T00:00:00Z",
            "product_ids": [product["id"]],
        },
    )
    await host.call("POST", f"/api/shows/{show['id']}/start")
    deal = await host.call(
        "POST",
        f"/api/shows/{show['id']}/deals",
        json={
            "sku_id": product["skus"][0]["id"],
            "deal_price": 1999,
            "quantity": units,
            "per_buyer_limit": per_buyer_limit,
            "duration_seconds": 3600,
        },
    )
    gate = asyncio.Semaphore(concurrency)

    async def buyer(i: int) -> str:
        async with gate:
            return (await account(f"buyer{i}", ["shopper"])).token

    tokens = await asyncio.gather(*(buyer(i) for i in range(buyers)))
    return Sale(int(deal["id"]), list(tokens))
