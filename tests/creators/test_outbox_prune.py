"""Pruning the outbox: an event goes once it is past the retention and every consumer of its
topic has taken it; one a consumer still lacks stays, however old."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from hawker.campaigns import listeners as campaign_listeners
from hawker.core import outbox
from hawker.core.clock import utcnow
from hawker.core.outbox import OutboxDelivery, OutboxEvent
from hawker.infra.runtime import runtime_of


def test_taken_events_past_the_retention_are_pruned(
    client: TestClient, sell: Callable[..., Any], settle: Callable[[], int]
) -> None:
    rt = runtime_of(client.app)

    def run(days_ahead: float) -> int:
        async def prune() -> int:
            async with rt.db.write() as s:
                return await outbox.do_prune(s, utcnow() + timedelta(days=days_ahead))

        return int(client.portal.call(prune))  # type: ignore[union-attr]

    def topics() -> list[str]:
        async def read() -> list[str]:
            async with rt.db.read() as s:
                return list(await s.scalars(select(OutboxEvent.topic).order_by(OutboxEvent.id)))

        return client.portal.call(read)  # type: ignore[union-attr]

    def take_all() -> None:  # every declared consumer of order.money takes its events
        settle()
        client.portal.call(campaign_listeners.run_listeners, rt)  # type: ignore[union-attr]

    ctx, _ = sell()
    take_all()
    sell(ctx=ctx)  # paid, not yet taken by any consumer
    assert topics().count("order.money") == 2
    assert run(-1) == 0  # nothing is old enough yet
    assert run(1) >= 2  # the first sale's event and the show's, all consumed
    assert topics() == ["order.money"]  # the untaken one stays
    settle()
    assert run(1) == 0  # the campaigns' consumer has not taken it yet
    take_all()
    assert run(1) == 1 and topics() == []

    async def marks() -> int:
        async with rt.db.read() as s:
            return int(await s.scalar(select(func.count()).select_from(OutboxDelivery)) or 0)

    assert client.portal.call(marks) == 0  # type: ignore[union-attr]


def test_a_consumer_is_declared_once() -> None:
    first = outbox.consumer("creators.sales", ("order.money",))
    assert outbox.consumer("creators.sales", ("order.money",)) is first
    with pytest.raises(ValueError, match="declared twice"):
        outbox.consumer("creators.sales", ("show.live",))
