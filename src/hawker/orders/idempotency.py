"""Idempotency-Key handling for money-moving POSTs (invariant 2).

The first response is stored in the same transaction as the effect, so a replay either finds
the stored response or finds that nothing happened — never half of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from hawker.core.clock import utcnow
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


# Built once with bound parameters: these run on every money-moving request, and building a
# statement per call (plus its cache key) cost more than SQLite running it.
RECORDS = cast(Table, IdempotencyRecord.__table__)
FIND = select(RECORDS.c.fingerprint, RECORDS.c.status_code, RECORDS.c.response).where(
    RECORDS.c.user_id == bindparam("user_id"), RECORDS.c.key == bindparam("key")
)
REMEMBER = insert(RECORDS)


async def find_replay(s: AsyncSession | AsyncConnection, keyed: Keyed) -> Replay | None:
    row = (await s.execute(FIND, {"user_id": keyed.user_id, "key": keyed.key})).first()
    if row is None:
        return None
    if row.fingerprint != keyed.fingerprint:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key"
        )
    return Replay(row.status_code, row.response)


async def do_remember(s: AsyncSession, keyed: Keyed, status_code: int, response: Any) -> None:
    """A concurrent twin with the same key fails here on the unique (user, key) constraint, which
    rolls its whole unit back; the caller then answers with the twin's stored response."""
    await s.execute(
        REMEMBER,
        {
            "user_id": keyed.user_id,
            "key": keyed.key,
            "fingerprint": keyed.fingerprint,
            "status_code": status_code,
            "response": response,
            "created_at": utcnow(),
        },
    )
