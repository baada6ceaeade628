"""Catalog API shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hawker.core.money import CURRENCY_EXPONENT

# An absolute http(s) URL or a path on this site; "//host" and "/\host" are other sites.
URL_PATTERN = r"^(https?://[^\s/]\S*|/([^\s/\\]\S*)?)$"
MAX_PRICE = 10**12
# Units on hand per SKU: far beyond any shop, and well inside a 32-bit INTEGER column.
MAX_STOCK = 10**9
# Input models: unknown fields, coerced types ("12" for 12) and padded strings are refused.
STRICT_INPUT = ConfigDict(extra="forbid", strict=True, str_strip_whitespace=True)


def _not_null(value: object) -> object:
    """Patches may omit a field but not null it (only ``category_id`` may be cleared)."""
    if value is None:
        raise ValueError("may be omitted but not null")
    return value


def _currency(value: str) -> str:
    value = value.upper()
    if value not in CURRENCY_EXPONENT:
        raise ValueError(f"unsupported currency; use one of {', '.join(CURRENCY_EXPONENT)}")
    return value


class SkuIn(BaseModel):
    model_config = STRICT_INPUT
    name: str = Field(min_length=1, max_length=60)
    price: int = Field(ge=0, le=MAX_PRICE, description="minor units")
    currency: str = Field(default="USD", min_length=3, max_length=3)
    stock: int = Field(default=0, ge=0, le=10_000_000)

    _cur = field_validator("currency")(_currency)


class ProductIn(BaseModel):
    model_config = STRICT_INPUT
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=5000)
    category_id: int | None = Field(default=None, ge=1)
    image_url: str = Field(default="", max_length=500, pattern=r"^$|" + URL_PATTERN)
    skus: list[SkuIn] = Field(min_length=1, max_length=50)


class ProductPatch(BaseModel):
    model_config = STRICT_INPUT
    title: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=5000)
    category_id: int | None = Field(default=None, ge=1)
    image_url: str | None = Field(default=None, max_length=500, pattern=URL_PATTERN)
    active: bool | None = None

    _not_null = field_validator("title", "description", "image_url", "active")(_not_null)


class SkuPatch(BaseModel):
    model_config = STRICT_INPUT
    name: str | None = Field(default=None, min_length=1, max_length=60)
    price: int | None = Field(default=None, ge=0, le=MAX_PRICE)

    _not_null = field_validator("name", "price")(_not_null)


class StockChange(BaseModel):
    model_config = STRICT_INPUT
    delta: int = Field(ge=-10_000_000, le=10_000_000)

    @field_validator("delta")
    @classmethod
    def _nonzero(cls, v: int) -> int:
        if v == 0:
            raise ValueError("delta must not be zero")
        return v


class MerchantIn(BaseModel):
    model_config = STRICT_INPUT
    name: str = Field(min_length=1, max_length=80)


class CategoryIn(BaseModel):
    model_config = STRICT_INPUT
    slug: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$")
    name: str = Field(min_length=1, max_length=60)


class MerchantOut(BaseModel):
    id: int
    name: str
    owner_id: int


class CategoryOut(BaseModel):
    id: int
    slug: str
    name: str


class SkuOut(BaseModel):
    id: int
    name: str
    price: int
    currency: str
    price_display: str
    available: int
    reserved: int
    sold: int


class ProductOut(BaseModel):
    id: int
    merchant_id: int
    merchant_name: str
    title: str
    description: str
    category: CategoryOut | None
    image_url: str
    active: bool
    price_from: int
    currency: str
    price_display: str
    skus: list[SkuOut]
