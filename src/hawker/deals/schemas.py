"""Deals API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DealIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku_id: int = Field(ge=1)
    deal_price: int = Field(ge=1, le=10**12)
    quantity: int = Field(ge=1, le=100_000)
    per_buyer_limit: int = Field(default=1, ge=1, le=100)
    duration_seconds: int = Field(default=300, ge=10, le=86_400)


class DealOut(BaseModel):
    id: int
    show_id: int
    product_id: int
    sku_id: int
    deal_price: int
    original_price: int
    currency: str
    price_display: str
    original_display: str
    quantity: int
    left: int
    per_buyer_limit: int
    starts_at: datetime
    ends_at: datetime
    status: str
    ended_reason: str | None
    seconds_left: int
