"""The operator audit log (invariant 6): every operator action that changes what shoppers see
is one append-only entry: who, what, when, and the target before and after. Entries are
written in the same unit as the change, so a rolled-back change leaves no entry and a committed
change always has one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from hawker.accounts.models import User
from hawker.core.clock import utcnow
from hawker.core.db import BIG_ID, Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(BIG_ID, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(String(60), index=True)  # e.g. "tier.change"
    target_type: Mapped[str] = mapped_column(String(30))  # e.g. "tier"
    target_id: Mapped[str] = mapped_column(String(40))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


def snapshot(row: Base) -> dict[str, Any]:
    """A row's columns as JSON-ready values, for ``before`` and ``after``."""
    values = {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs}
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in values.items()}


async def do_audit(
    s: AsyncSession,
    actor: User,
    action: str,
    target_type: str,
    target_id: int | str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record one operator action in the caller's unit. ``before``/``after`` are JSON-ready
    snapshots of what changed (None for a creation or a deletion)."""
    entry = AuditEntry(
        actor_id=actor.id,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        before=before,
        after=after,
    )
    s.add(entry)
    await s.flush()
    return entry


async def list_audit(
    s: AsyncSession,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    target_type: str | None = None,
    target_id: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> list[tuple[AuditEntry, str]]:
    """Newest first with the actor's name; ``action`` matches a prefix ("tier." finds every
    tier action); ``before_id`` pages back."""
    stmt = (
        select(AuditEntry, User.display_name)
        .join(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if actor_id is not None:
        stmt = stmt.where(AuditEntry.actor_id == actor_id)
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    if target_type:
        stmt = stmt.where(AuditEntry.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEntry.target_id == target_id)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return [(entry, name) for entry, name in await s.execute(stmt)]
