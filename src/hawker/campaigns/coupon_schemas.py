"""Coupon API shapes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from hawker.core.money import CURRENCY_EXPONENT

CODE_PATTERN = r"^[A-Za-z0-9_-]{3,32}$"
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _utc(value: datetime) -> datetime:
    """Stored as naive UTC, whatever offset the client sent."""
    return value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value


UtcTime = Annotated[datetime, AfterValidator(_utc)]


class CouponIn(BaseModel):
    """A new coupon: ``percent_bps`` or ``amount_off`` (minor units of ``currency``)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["platform", "merchant"] = Field(
        description="platform: operators, funded by the platform; merchant: a merchant's own"
    )
    code: str = Field(pattern=CODE_PATTERN, description="what shoppers type; case-insensitive")
    title: str = Field(default="", max_length=80, pattern=r"^[^<>]*$")
    currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")
    percent_bps: int | None = Field(default=None, ge=1, le=10_000)
    amount_off: int | None = Field(default=None, ge=1, le=10**12)
    min_spend: int = Field(default=0, ge=0, le=10**12)
    per_user_limit: int = Field(default=1, ge=1, le=1000)
    total_limit: int | None = Field(default=None, ge=1, le=10**9)
    starts_at: UtcTime
    ends_at: UtcTime
    product_ids: list[Id] = Field(default_factory=list, max_length=200)
    merchant_ids: list[Id] = Field(default_factory=list, max_length=200)
    campaign_id: Id | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CouponIn:
        if (self.percent_bps is None) == (self.amount_off is None):
            raise ValueError("give exactly one of percent_bps or amount_off")
        if self.currency not in CURRENCY_EXPONENT:
            raise ValueError(f"unsupported currency {self.currency}")
        if self.ends_at <= self.starts_at:
            raise ValueError("ends_at must come after starts_at")
        if self.kind == "merchant" and self.merchant_ids:
            raise ValueError("a merchant coupon covers its own merchant's products only")
        return self


class CouponPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    active: bool


class CouponOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    kind: str
    merchant_id: int | None
    title: str
    currency: str
    percent_bps: int | None
    amount_off: int | None
    min_spend: int
    per_user_limit: int
    total_limit: int | None
    uses: int
    starts_at: datetime
    ends_at: datetime
    product_ids: list[int]
    merchant_ids: list[int]
    campaign_id: int | None
    active: bool


class AppliedOut(BaseModel):
    code: str
    kind: str
    amount: int
    amount_display: str


class QuoteOrderOut(BaseModel):
    """One order a checkout would place, priced with its coupons."""

    merchant_id: int
    currency: str
    subtotal: int
    discount: int
    total: int
    total_display: str
    discount_display: str
    coupons: list[AppliedOut]
