"""Idempotency-Key handling for money-moving POSTs (invariant 2).

The first response is stored in the same transaction as the effect, so a replay either finds
the stored response or finds that nothing happened — never half of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hawker.orders.errors import IdempotencyKeyRequired, IdempotencyKeyReused
from hawker.orders.models import IdempotencyRecord


@dataclass(frozen=True)
class Keyed:
    user_id: int
    key: str
    fingerprint: str


def check_key(user_id: int, key: str | None, scope: str, body: str) -> Keyed:
    if not key or not key.strip():
        raise IdempotencyKeyRequired(
            "send an Idempotency-Key header (any unique string up to 100 characters) so a "
            "retried request cannot create or charge twice"
        )
    if len(key) > 100:
        raise IdempotencyKeyRequired("the Idempotency-Key is at most 100 characters")
    fingerprint = hashlib.sha256(f"{scope}\n{body}".encode()).hexdigest()
    return Keyed(user_id, key.strip(), fingerprint)


@dataclass(frozen=True)
class Replay:
    status_code: int
    response: Any


async def find_replay(s: AsyncSession | AsyncConnection, keyed: Keyed) -> Replay | None:
    # Columns, not an ORM entity: this runs on every money-moving request, and skipping the
    # identity map roughly halves its cost.
    row = (
        await s.execute(
            select(
                IdempotencyRecord.fingerprint,
                IdempotencyRecord.status_code,
                IdempotencyRecord.response,
            ).where(IdempotencyRecord.user_id == keyed.user_id, IdempotencyRecord.key == keyed.key)
        )
    ).first()
    if row is None:
        return None
    if row.fingerprint != keyed.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    return Replay(row.status_code, row.response)


def do_remember(s: AsyncSession, keyed: Keyed, status_code: int, response: Any) -> None:
    s.add(
        IdempotencyRecord(
            user_id=keyed.user_id,
            key=keyed.key,
            fingerprint=keyed.fingerprint,
            status_code=status_code,
            response=response,
        )
    )
