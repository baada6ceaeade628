"""The sandbox payment provider: outcomes by card, idempotency, refund limits, signed events."""

import asyncio
import json
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from hawker.core.ids import new_token
from hawker.infra.payments import (
    DECLINED_CARD,
    PaymentResult,
    RefundTooLarge,
    SandboxPaymentProvider,
    events_for,
    sign,
    verify,
)
from tests.services import need_redis

GOOD_CARD = "4242424242424242"


@pytest.fixture(params=["memory", "redis"])
async def provider(request: pytest.FixtureRequest) -> AsyncIterator[SandboxPaymentProvider]:
    """The in-process sandbox, and the one several nodes share through Redis."""
    if request.param == "memory":
        yield SandboxPaymentProvider()
        return
    client = Redis.from_url(need_redis())
    prefix = f"t{new_token(6).lower()}:"
    yield SandboxPaymentProvider(client, prefix)
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


async def charge(
    provider: SandboxPaymentProvider, key: str, card: str = GOOD_CARD, amount: int = 1000
) -> PaymentResult:
    return await provider.charge(
        order_ref="order-1", amount=amount, currency="USD", card=card, idempotency_key=key
    )


async def test_good_cards_capture_and_the_test_card_declines(
    provider: SandboxPaymentProvider,
) -> None:
    ok = await charge(provider, "a")
    assert (ok.status, ok.amount, ok.currency, ok.order_ref, ok.reason) == (
        "captured",
        1000,
        "USD",
        "order-1",
        "",
    )
    assert ok.id.startswith("pay_")
    assert (await charge(provider, "b", card="4242 4242 4242 4242")).status == "captured"
    assert (await charge(provider, "c", card="5" * 19)).status == "captured"
    declined = await charge(provider, "d", card=DECLINED_CARD)
    assert (declined.status, declined.reason) == ("declined", "card_declined")
    for bad in ("4" * 11, "4" * 20, "4242x4242424242", ""):
        result = await charge(provider, f"bad-{bad}", card=bad)
        assert (result.status, result.reason) == ("declined", "invalid_number"), bad
    assert provider.charges == 8
    assert len({ok.id, declined.id}) == 2


async def test_charges_of_nothing_or_in_unknown_currencies_are_programming_errors(
    provider: SandboxPaymentProvider,
) -> None:
    with pytest.raises(ValueError):
        await charge(provider, "zero", amount=0)
    with pytest.raises(ValueError):
        await provider.charge(
            order_ref="o", amount=1, currency="XXX", card=GOOD_CARD, idempotency_key="x"
        )
    assert provider.charges == 0


async def test_same_key_returns_the_very_same_result_without_charging_again(
    provider: SandboxPaymentProvider,
) -> None:
    first = await charge(provider, "key")
    again = await charge(provider, "key", card=DECLINED_CARD, amount=5)
    assert again == first
    declined = await charge(provider, "other", card=DECLINED_CARD)
    assert await charge(provider, "other") == declined  # a declined key stays declined
    assert provider.charges == 2


async def test_concurrent_charges_with_one_key_charge_once(
    provider: SandboxPaymentProvider,
) -> None:
    results = await asyncio.gather(*(charge(provider, "same") for _ in range(20)))
    assert {r.id for r in results} == {results[0].id}
    assert provider.charges == 1


async def test_refunds_never_exceed_what_was_captured(provider: SandboxPaymentProvider) -> None:
    paid = await charge(provider, "pay", amount=1000)
    part = await provider.refund(payment_id=paid.id, amount=600, idempotency_key="r1")
    assert (part.id, part.status, part.amount, part.currency, part.order_ref) == (
        paid.id,
        "refunded",
        600,
        "USD",
        "order-1",
    )
    with pytest.raises(RefundTooLarge):
        await provider.refund(payment_id=paid.id, amount=401, idempotency_key="r2")
    # the refused refund took nothing: exactly the remainder is still refundable
    rest = await provider.refund(payment_id=paid.id, amount=400, idempotency_key="r3")
    assert rest.amount == 400
    with pytest.raises(RefundTooLarge):
        await provider.refund(payment_id=paid.id, amount=1, idempotency_key="r4")
    # replaying a refund key returns the first result and refunds nothing more
    assert await provider.refund(payment_id=paid.id, amount=1, idempotency_key="r1") == part


async def test_refunds_of_nothing_unknown_or_declined_payments_are_refused(
    provider: SandboxPaymentProvider,
) -> None:
    paid = await charge(provider, "pay")
    declined = await charge(provider, "no", card=DECLINED_CARD)
    for payment_id, amount in ((paid.id, 0), (paid.id, -5), ("pay_nobody", 1), (declined.id, 1)):
        with pytest.raises(RefundTooLarge):
            await provider.refund(payment_id=payment_id, amount=amount, idempotency_key="k")
    assert (await provider.refund(payment_id=paid.id, amount=1000, idempotency_key="k")).amount


async def test_refund_keys_do_not_collide_with_charge_keys(
    provider: SandboxPaymentProvider,
) -> None:
    paid = await charge(provider, "shared")
    refund = await provider.refund(payment_id=paid.id, amount=10, idempotency_key="shared")
    assert refund.status == "refunded" and refund != paid


async def test_webhook_events_describe_the_result(provider: SandboxPaymentProvider) -> None:
    paid = await charge(provider, "pay", amount=1250)
    declined = await charge(provider, "no", card=DECLINED_CARD, amount=700)
    refund = await provider.refund(payment_id=paid.id, amount=250, idempotency_key="r")
    events = [e for r in (paid, declined, refund) for e in events_for(r)]
    assert [(e["type"], e["payment_id"], e["amount"]) for e in events] == [
        ("payment.captured", paid.id, 1250),
        ("payment.declined", declined.id, 700),
        ("refund.succeeded", paid.id, 250),
    ]
    assert all(e["order_ref"] == "order-1" and e["currency"] == "USD" for e in events)
    assert all(isinstance(e["created"], int) and e["created"] > 1_600_000_000 for e in events)
    ids = [e["id"] for e in events] + [e["id"] for e in events_for(paid)]
    assert len(set(ids)) == len(ids) and all(i.startswith("evt_") for i in ids)
    json.dumps(events)  # plain JSON, ready to sign and POST


def test_signatures_verify_only_the_exact_payload_and_secret() -> None:
    payload = json.dumps({"id": "evt_1", "amount": 100}).encode()
    signature = sign(payload, "s3cret")
    assert len(signature) == 64 and int(signature, 16) >= 0
    assert sign(payload, "s3cret") == signature
    assert verify(payload, signature, "s3cret")
    assert not verify(payload, signature, "other")
    assert not verify(payload + b" ", signature, "s3cret")
    assert not verify(payload, signature.upper(), "s3cret")
    assert not verify(payload, "", "s3cret")
    assert not verify(payload, "é" * 64, "s3cret")  # non-ASCII input is refused, not a crash
