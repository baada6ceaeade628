"""Idempotency-Key handling for money-moving POSTs (invariant 2), for every context that
moves money (orders, payouts).

The first response is stored in the same transaction as the effect, so a replay either finds
the stored response or finds that nothing happened — never half of it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from fastapi import Header, Request
from fastapi.responses import JSONResponse
from sqlalchemy import (
    JSON,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    insert,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hawker.core.clock import utcnow
from hawker.core.db import Base
from hawker.core.errors import HawkerError, Invalid
from hawker.core.hot_sql import HotStatement, execute


class IdempotencyRecord(Base):
    """The first response to a keyed request; replays get it back (invariant 2)."""

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IdempotencyKeyRequired(HawkerError):
    status = 400
    code = "idempotency_key_required"
    title = "Idempotency-Key header required"


class IdempotencyKeyReused(Invalid):
    code = "idempotency_key_reused"
    title = "Idempotency-Key reused with a different request"


IDEMPOTENCY_HEADER = "Idempotency-Key"
_DESCRIPTION = "required: a unique key per intended operation"
IDEMPOTENCY = Header(default=None, alias=IDEMPOTENCY_HEADER, description=_DESCRIPTION)
# The same header documented by hand, for an endpoint that reads it off the request.
IDEMPOTENCY_PARAMETER = {
    "parameters": [
        {
            "name": IDEMPOTENCY_HEADER,
            "in": "header",
            "required": False,
            "description": _DESCRIPTION,
            "schema": {"type": "string"},
        }
    ]
}


def keyed(request: Request, user_id: int, key: str | None, body: str) -> Keyed:
    """The request's key, bound to its method, path and body."""
    return check_key(user_id, key, f"{request.method} {request.url.path}", body)


def respond(status: int, body: Any) -> JSONResponse:
    """A stored or fresh outcome as a response (problem bodies keep their media type)."""
    media = "application/problem+json" if status >= 400 else "application/json"
    return JSONResponse(body, status_code=status, media_type=media)


@dataclass(frozen=True)
class Keyed:
    user_id: int
    key: str
    fingerprint: str

    @property
    def token(self) -> str:
        """The (user, key) pair as a short token without spaces, for Redis to remember."""
        return hashlib.sha256(f"{self.user_id}\n{self.key}".encode()).hexdigest()[:24]


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
REMEMBER = HotStatement(insert(RECORDS))


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
    await execute(
        s,
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
