"""Catalog rules: merchants own products; stock changes are single conditional updates."""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from hawker.accounts.models import User
from hawker.accounts.service import check_role
from hawker.catalog.errors import StockLimit, StockWouldGoNegative
from hawker.catalog.models import Category, Merchant, Product, Sku
from hawker.catalog.schemas import (
    MAX_STOCK,
    CategoryOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    SkuIn,
    SkuOut,
    SkuPatch,
)
from hawker.core.errors import Conflict, Forbidden, Invalid, NotFound
from hawker.core.money import format_money


async def access_merchant_for(s: AsyncSession, user: User) -> Merchant:
    """The caller's merchant, created on first use."""
    check_role(user, "merchant")
    merchant = await s.scalar(select(Merchant).where(Merchant.owner_id == user.id))
    if merchant is None:
        merchant = Merchant(owner_id=user.id, name=user.display_name)
        s.add(merchant)
        await s.flush()
    return merchant


async def do_rename_merchant(s: AsyncSession, user: User, name: str) -> Merchant:
    merchant = await access_merchant_for(s, user)
    merchant.name = name.strip()
    return merchant


async def access_product(s: AsyncSession, product_id: int) -> Product:
    product = await s.get(Product, product_id)
    if product is None:
        raise NotFound(f"product {product_id} does not exist")
    return product


async def access_sku(s: AsyncSession, sku_id: int) -> Sku:
    sku = await s.get(Sku, sku_id)
    if sku is None:
        raise NotFound(f"SKU {sku_id} does not exist")
    return sku


async def access_own_product(s: AsyncSession, user: User, product_id: int) -> Product:
    product = await access_product(s, product_id)
    if "operator" in user.roles:
        return product
    owner = await s.scalar(select(Merchant.owner_id).where(Merchant.id == product.merchant_id))
    if owner != user.id:
        raise Forbidden(f"product {product_id} belongs to another merchant")
    return product


async def access_own_sku(s: AsyncSession, user: User, sku_id: int) -> Sku:
    sku = await access_sku(s, sku_id)
    await access_own_product(s, user, sku.product_id)
    return sku


async def check_category(s: AsyncSession, category_id: int | None) -> None:
    if category_id is not None and await s.get(Category, category_id) is None:
        raise Invalid(f"category {category_id} does not exist")


def _sku(spec: SkuIn) -> Sku:
    return Sku(
        name=spec.name,
        price=spec.price,
        currency=spec.currency,
        available=spec.stock,
        reserved=0,
        sold=0,
    )


async def do_create_product(s: AsyncSession, user: User, spec: ProductIn) -> Product:
    merchant = await access_merchant_for(s, user)
    if len({k.currency for k in spec.skus}) > 1:
        raise Invalid("all SKUs of a product share one currency")
    await check_category(s, spec.category_id)
    product = Product(
        merchant_id=merchant.id,
        title=spec.title.strip(),
        description=spec.description,
        category_id=spec.category_id,
        image_url=spec.image_url,
        active=True,
    )
    product.skus = [_sku(k) for k in spec.skus]
    s.add(product)
    await s.flush()
    await s.refresh(product, ["skus", "merchant", "category"])
    return product


async def do_update_product(
    s: AsyncSession, user: User, product_id: int, patch: ProductPatch
) -> Product:
    product = await access_own_product(s, user, product_id)
    fields = patch.model_dump(exclude_unset=True)
    if "category_id" in fields:
        await check_category(s, fields["category_id"])
    for name, value in fields.items():
        setattr(product, name, value)
    await s.flush()
    await s.refresh(product, ["category"])
    return product


async def do_add_sku(s: AsyncSession, user: User, product_id: int, spec: SkuIn) -> Sku:
    product = await access_own_product(s, user, product_id)
    if product.skus and spec.currency != product.skus[0].currency:
        raise Invalid(f"this product is priced in {product.skus[0].currency}")
    sku = _sku(spec)
    sku.product_id = product.id
    s.add(sku)
    await s.flush()
    return sku


async def do_update_sku(s: AsyncSession, user: User, sku_id: int, patch: SkuPatch) -> Sku:
    sku = await access_own_sku(s, user, sku_id)
    for name, value in patch.model_dump(exclude_unset=True).items():
        setattr(sku, name, value)
    return sku


async def do_change_stock(s: AsyncSession, user: User, sku_id: int, delta: int) -> Sku:
    """Restock or write off in one conditional update: never read-then-write."""
    await access_own_sku(s, user, sku_id)
    new_available = await s.scalar(
        update(Sku)
        .where(Sku.id == sku_id, Sku.available + delta >= 0, Sku.available + delta <= MAX_STOCK)
        .values(available=Sku.available + delta)
        .returning(Sku.available)
    )
    if new_available is None and delta > 0:
        raise StockLimit(f"a SKU holds at most {MAX_STOCK} units available")
    if new_available is None:
        raise StockWouldGoNegative(
            f"cannot remove {-delta} units from SKU {sku_id}: not that many are available "
            "(reserved and sold units cannot be written off)"
        )
    sku = await access_sku(s, sku_id)
    await s.refresh(sku)
    return sku


async def list_products(
    s: AsyncSession,
    *,
    merchant_id: int | None = None,
    category_slug: str | None = None,
    q: str | None = None,
    limit: int = 24,
    offset: int = 0,
    include_inactive: bool = False,
) -> list[Product]:
    stmt = select(Product).order_by(Product.id.desc()).limit(limit).offset(offset)
    if not include_inactive:
        stmt = stmt.where(Product.active.is_(True))
    if merchant_id is not None:
        stmt = stmt.where(Product.merchant_id == merchant_id)
    if category_slug:
        stmt = stmt.join(Category).where(Category.slug == category_slug)
    if q and q.strip():  # literal search: "%" and "_" in q are not wildcards
        words = q.strip()
        stmt = stmt.where(
            or_(
                Product.title.icontains(words, autoescape=True),
                Product.description.icontains(words, autoescape=True),
            )
        )
    return list(await s.scalars(stmt))


async def list_categories(s: AsyncSession) -> list[Category]:
    return list(await s.scalars(select(Category).order_by(Category.name)))


async def do_create_category(s: AsyncSession, user: User, slug: str, name: str) -> Category:
    check_role(user, "operator")
    if await s.scalar(select(Category.id).where(Category.slug == slug)) is not None:
        raise Conflict(f"category {slug!r} already exists")
    category = Category(slug=slug, name=name)
    s.add(category)
    await s.flush()
    return category


def sku_out(sku: Sku) -> SkuOut:
    return SkuOut(
        id=sku.id,
        name=sku.name,
        price=sku.price,
        currency=sku.currency,
        price_display=format_money(sku.price, sku.currency),
        available=sku.available,
        reserved=sku.reserved,
        sold=sku.sold,
    )


def product_out(product: Product) -> ProductOut:
    prices = [k.price for k in product.skus] or [0]
    currency = product.skus[0].currency if product.skus else "USD"
    category = product.category
    return ProductOut(
        id=product.id,
        merchant_id=product.merchant_id,
        merchant_name=product.merchant.name,
        title=product.title,
        description=product.description,
        category=CategoryOut(id=category.id, slug=category.slug, name=category.name)
        if category
        else None,
        image_url=product.image_url,
        active=product.active,
        price_from=min(prices),
        currency=currency,
        price_display=format_money(min(prices), currency),
        skus=[sku_out(k) for k in product.skus],
    )
