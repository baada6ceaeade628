"""Orders API shapes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

CHANNELS = ("live", "video", "feed", "search", "direct", "replay")
CHANNEL_PATTERN = "^(" + "|".join(CHANNELS) + ")$"


class ItemIn(BaseModel):
    """One line to buy: a SKU at its price, or a flash deal at the deal price."""

    model_config = ConfigDict(extra="forbid")
    sku_id: int | None = Field(default=None, ge=1)
    deal_id: int | None = Field(default=None, ge=1)
    quantity: int = Field(ge=1, le=99)

    @model_validator(mode="after")
    def _one_target(self) -> ItemIn:
        if (self.sku_id is None) == (self.deal_id is None):
            raise ValueError("give exactly one of sku_id or deal_id")
        return self


Codes = Annotated[
    list[Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{3,32}$")]], Field(max_length=5)
]


class OrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(min_length=1, max_length=20)
    coupons: Codes = Field(default_factory=list, description="coupon codes to apply")
    channel: str = Field(default="direct", pattern=CHANNEL_PATTERN)
    show_id: int | None = Field(default=None, ge=1)
    video_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _video_channel(self) -> OrderIn:
        if (self.channel == "video") != (self.video_id is not None):
            raise ValueError('channel "video" and video_id go together: name the short video')
        if self.video_id is not None and self.show_id is not None:
            raise ValueError("an order comes from a show or a short video, not both")
        return self


class PayIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card: str = Field(pattern=r"^[0-9 ]{12,23}$")


class RefundIn(BaseModel):
    """A refund of ``amount`` minor units; none means everything not yet refunded."""

    model_config = ConfigDict(extra="forbid")
    amount: int | None = Field(default=None, ge=1, le=10**15)


class CartItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    sku_id: int = Field(ge=1)
    quantity: int = Field(default=1, ge=1, le=99)


class CartQuantityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    quantity: int = Field(ge=1, le=99)


class CheckoutIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    channel: str = Field(default="direct", pattern=CHANNEL_PATTERN)
    coupons: Codes = Field(default_factory=list, description="coupon codes to apply")


class QuoteIn(BaseModel):
    """Price ``items`` (one order, as buy now would) or, without items, the cart."""

    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] | None = Field(default=None, min_length=1, max_length=20)
    coupons: Codes = Field(default_factory=list)


class LineOut(BaseModel):
    product_id: int
    sku_id: int
    deal_id: int | None
    title: str
    quantity: int
    unit_price: int
    discount: int = 0  # this line's share of the coupon discount


class OrderOut(BaseModel):
    id: int
    buyer_id: int
    merchant_id: int
    status: str
    currency: str
    total: int
    total_display: str
    discount: int = 0  # coupons: the whole discount (``total`` is net of it)
    platform_discount: int = 0  # the part the platform funds
    channel: str
    show_id: int | None
    host_id: int | None
    video_id: int | None = None
    link_id: int | None = None
    section_id: int | None = None  # the front-page section it was bought through
    created_at: datetime
    expires_at: datetime
    paid_at: datetime | None
    refunded_amount: int
    lines: list[LineOut]


class CartLineOut(BaseModel):
    sku_id: int
    product_id: int
    title: str
    sku_name: str
    image_url: str
    quantity: int
    unit_price: int
    currency: str
    available: int


class CartOut(BaseModel):
    items: list[CartLineOut]
    totals: dict[str, int]
