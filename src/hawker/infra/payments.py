"""The payment provider port and its sandbox adapter.

The sandbox behaves like a card processor's test mode: deterministic outcomes, idempotent by
key, a test card that declines, and signed webhook events like a real provider would send.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import asdict, dataclass
from datetime import UTC
from typing import Literal, Protocol, Required, TypedDict

from redis.asyncio import Redis

from hawker.core.clock import utcnow
from hawker.core.ids import new_token
from hawker.core.money import CURRENCY_EXPONENT

DECLINED_CARD = "4000000000000002"


@dataclass(frozen=True)
class PaymentResult:
    id: str  # the payment's id; a refund carries the id of the payment it refunds
    status: str  # "captured" | "declined" | "refunded"
    amount: int  # minor units
    currency: str
    order_ref: str
    reason: str = ""
    refund_ref: str = ""  # a refund's idempotency key: tells one partial refund from another


class WebhookEvent(TypedDict, total=False):
    id: Required[str]
    type: Required[Literal["payment.captured", "payment.declined", "refund.succeeded"]]
    payment_id: Required[str]
    order_ref: Required[str]
    amount: Required[int]
    currency: Required[str]
    created: Required[int]  # Unix seconds
    refund_ref: str  # refunds only


class RefundTooLarge(Exception):
    """A refund of nothing, of an unknown payment, or beyond what is captured and unrefunded."""


class PaymentProvider(Protocol):
    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult: ...

    async def refund(
        self, *, payment_id: str, amount: int, idempotency_key: str
    ) -> PaymentResult: ...

    async def payout(
        self, *, recipient: str, amount: int, currency: str, idempotency_key: str
    ) -> PaymentResult:
        """Send money to an earner (status "paid_out"); the same key pays at most once."""
        ...


class _MemoryBook:
    """The sandbox's records in this process (embedded default). Its methods never await, so
    each runs to completion on the event loop without interleaving."""

    def __init__(self) -> None:
        self._charged: dict[str, PaymentResult] = {}  # by idempotency key
        self._refunds: dict[str, PaymentResult] = {}  # by idempotency key
        self._captures: dict[str, PaymentResult] = {}  # by payment id
        self._refunded: dict[str, int] = {}  # payment id -> amount refunded so far
        self._payouts: dict[str, PaymentResult] = {}  # by idempotency key

    async def charged(self, key: str) -> PaymentResult | None:
        return self._charged.get(key)

    async def remember_charge(self, key: str, result: PaymentResult) -> PaymentResult:
        first = self._charged.setdefault(key, result)
        if first is result and result.status == "captured":
            self._captures[result.id] = result
        return first

    async def refund(self, key: str, payment_id: str, amount: int) -> PaymentResult:
        if key in self._refunds:
            return self._refunds[key]
        capture = self._captures.get(payment_id)
        if capture is None:
            raise RefundTooLarge(f"no captured payment {payment_id}")
        done = self._refunded.get(payment_id, 0)
        if amount < 1 or done + amount > capture.amount:
            raise RefundTooLarge(f"refund of {amount} exceeds the {capture.amount - done} left")
        self._refunded[payment_id] = done + amount
        result = PaymentResult(
            payment_id, "refunded", amount, capture.currency, capture.order_ref, refund_ref=key
        )
        self._refunds[key] = result
        return result

    async def remember_payout(self, key: str, result: PaymentResult) -> PaymentResult:
        return self._payouts.setdefault(key, result)


# The Redis book does what _MemoryBook does, each step one atomic script, so that every node
# of a scale-out deployment talks to the same sandbox (a real provider is one service too).
_REMEMBER_CHARGE = """
local first = redis.call('HGET', KEYS[1], ARGV[1])
if first then return first end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[3] == 'captured' then redis.call('HSET', KEYS[2], ARGV[4], ARGV[2]) end
return ARGV[2]
"""
_REFUND = """
local done = redis.call('HGET', KEYS[1], ARGV[1])
if done then return done end
local capture = redis.call('HGET', KEYS[2], ARGV[2])
if not capture then return cjson.encode({error = 'no captured payment ' .. ARGV[2]}) end
capture = cjson.decode(capture)
local amount = tonumber(ARGV[3])
local refunded = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if amount < 1 or refunded + amount > capture.amount then
  return cjson.encode({error = 'refund of ' .. amount .. ' exceeds the '
    .. (capture.amount - refunded) .. ' left'})
end
redis.call('HINCRBY', KEYS[3], ARGV[2], amount)
capture.status = 'refunded'
capture.amount = amount
capture.reason = ''
capture.refund_ref = ARGV[1]
local result = cjson.encode(capture)
redis.call('HSET', KEYS[1], ARGV[1], result)
return result
"""


class _RedisBook:
    def __init__(self, client: Redis, prefix: str) -> None:
        self._client = client
        self._keys = [f"{prefix}sandbox:{part}" for part in ("charged", "captures")]
        self._refund_keys = [f"{prefix}sandbox:{p}" for p in ("refunds", "captures", "paid")]
        self._payouts = f"{prefix}sandbox:payouts"
        self._remember = client.register_script(_REMEMBER_CHARGE)
        self._refund = client.register_script(_REFUND)

    async def charged(self, key: str) -> PaymentResult | None:
        raw = await self._client.hget(self._keys[0], key)
        return None if raw is None else PaymentResult(**json.loads(raw))

    async def remember_charge(self, key: str, result: PaymentResult) -> PaymentResult:
        raw = json.dumps(asdict(result))
        first = await self._remember(keys=self._keys, args=[key, raw, result.status, result.id])
        return PaymentResult(**json.loads(first))

    async def remember_payout(self, key: str, result: PaymentResult) -> PaymentResult:
        await self._client.hsetnx(self._payouts, key, json.dumps(asdict(result)))
        first = await self._client.hget(self._payouts, key)
        assert first is not None  # set just above, and never removed
        return PaymentResult(**json.loads(first))

    async def refund(self, key: str, payment_id: str, amount: int) -> PaymentResult:
        raw = json.loads(await self._refund(keys=self._refund_keys, args=[key, payment_id, amount]))
        if "error" in raw:
            raise RefundTooLarge(raw["error"])
        return PaymentResult(**raw)


class SandboxPaymentProvider:
    """Card processor test mode: the same idempotency key always yields the very same result.
    Its records live in this process, or in Redis (``redis``) when several nodes share it."""

    def __init__(self, redis: Redis | None = None, prefix: str = "hawker:") -> None:
        self._book = _MemoryBook() if redis is None else _RedisBook(redis, prefix)
        self.charges = 0  # charges this process made (replays and lost races not), for tests

    async def charge(
        self, *, order_ref: str, amount: int, currency: str, card: str, idempotency_key: str
    ) -> PaymentResult:
        if (replay := await self._book.charged(idempotency_key)) is not None:
            return replay
        if amount < 1 or currency not in CURRENCY_EXPONENT:
            raise ValueError(f"cannot charge {amount} {currency!r}")
        payment_id = f"pay_{new_token(9)}"
        digits = "".join(ch for ch in card if ch.isdigit())
        if not 12 <= len(digits) <= 19 or len(digits) != len(card.replace(" ", "")):
            reason = "invalid_number"
        elif digits == DECLINED_CARD:
            reason = "card_declined"
        else:
            reason = ""
        status = "declined" if reason else "captured"
        result = PaymentResult(payment_id, status, amount, currency, order_ref, reason)
        first = await self._book.remember_charge(idempotency_key, result)
        self.charges += first.id == payment_id  # a concurrent twin may have been first
        return first

    async def refund(self, *, payment_id: str, amount: int, idempotency_key: str) -> PaymentResult:
        return await self._book.refund(idempotency_key, payment_id, amount)

    async def payout(
        self, *, recipient: str, amount: int, currency: str, idempotency_key: str
    ) -> PaymentResult:
        if amount < 1 or currency not in CURRENCY_EXPONENT:
            raise ValueError(f"cannot pay out {amount} {currency!r}")
        result = PaymentResult(f"po_{new_token(9)}", "paid_out", amount, currency, recipient)
        return await self._book.remember_payout(idempotency_key, result)


_EVENT_TYPES: dict[str, Literal["payment.captured", "payment.declined", "refund.succeeded"]] = {
    "captured": "payment.captured",
    "declined": "payment.declined",
    "refunded": "refund.succeeded",
}


def events_for(result: PaymentResult) -> list[WebhookEvent]:
    """The events a provider would POST to the webhook for this result, each with a fresh id
    (a redelivery re-sends the same event; a new call describes a new occurrence)."""
    event = WebhookEvent(
        id=f"evt_{new_token(12)}",
        type=_EVENT_TYPES[result.status],
        payment_id=result.id,
        order_ref=result.order_ref,
        amount=result.amount,
        currency=result.currency,
        created=int(utcnow().replace(tzinfo=UTC).timestamp()),
    )
    if result.refund_ref:
        event["refund_ref"] = result.refund_ref
    return [event]


def sign(payload: bytes, secret: str) -> str:
    """Hex HMAC-SHA256 of the exact payload bytes."""
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify(payload: bytes, signature: str, secret: str) -> bool:
    """Constant-time check of ``signature`` against the payload."""
    return hmac.compare_digest(sign(payload, secret).encode(), signature.encode())
