"""The demo's promotion, made through the public API like the rest of the demo: the operator
issues the platform coupon FESTIVAL10, and about a third of the audience's purchases use it
(see ``Audience(coupons=...)``), so discounted orders, net commissions and coupon uses show
up on the operator's coupon page within seconds."""

from __future__ import annotations

from datetime import timedelta

import httpx2 as httpx

from hawker.core.clock import utcnow
from hawker.sim.catalogue import PASSWORD
from hawker.sim.client import HawkerClient

FESTIVAL = "FESTIVAL10"


async def seed_coupons(http: httpx.AsyncClient, operator_email: str) -> None:
    operator = HawkerClient(http)
    await operator.log_in(operator_email, PASSWORD)
    now = utcnow()
    await operator.call(
        "POST",
        "/api/coupons",
        json={
            "kind": "platform",
            "code": FESTIVAL,
            "title": "Festival: 10 % off, on us",
            "percent_bps": 1000,
            "per_user_limit": 5,
            "total_limit": 1000,
            "starts_at": (now - timedelta(minutes=1)).isoformat(),
            "ends_at": (now + timedelta(days=30)).isoformat(),
        },
    )
