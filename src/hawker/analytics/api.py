"""Analytics JSON API: the raw event log, for operators."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.analytics import service
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["analytics"])


class EventOut(BaseModel):
    id: int
    type: str
    at: datetime
    user_id: int | None
    show_id: int | None
    product_id: int | None
    order_id: int | None
    value: int | None
    data: dict[str, Any] | None


@router.get("/analytics/events")
async def events(
    type: service.EventType | None = Query(default=None),
    show_id: int | None = Query(default=None, ge=1),
    limit: int = Query(default=100, ge=1, le=1000),
    _: User = Depends(require_role("operator")),
    rt: Runtime = Depends(runtime),
) -> list[EventOut]:
    async with rt.db.read() as s:
        found = await service.list_events(s, type=type, show_id=show_id, limit=limit)
    return [EventOut.model_validate(e, from_attributes=True) for e in found]
