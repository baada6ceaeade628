"""Catalog JSON API: merchants manage products, SKUs, stock and images; anyone browses."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Depends, File, Query, UploadFile
from sqlalchemy.exc import SQLAlchemyError

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.analytics.service import record
from hawker.catalog import service
from hawker.catalog.images import store_image
from hawker.catalog.schemas import (
    CategoryIn,
    CategoryOut,
    MerchantIn,
    MerchantOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    SkuIn,
    SkuOut,
    SkuPatch,
    StockChange,
)
from hawker.infra.media import media_store
from hawker.infra.runtime import Runtime

log = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["catalog"])


def _merchant(m: service.Merchant) -> MerchantOut:
    return MerchantOut(id=m.id, name=m.name, owner_id=m.owner_id)


@router.get("/merchants/me")
async def my_merchant(
    user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> MerchantOut:
    async with rt.db.write() as s:
        return _merchant(await service.access_merchant_for(s, user))


@router.post("/merchants/me")
async def set_my_merchant(
    body: MerchantIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> MerchantOut:
    async with rt.db.write() as s:
        return _merchant(await service.do_rename_merchant(s, user, body.name))


@router.get("/categories")
async def categories(rt: Runtime = Depends(runtime)) -> list[CategoryOut]:
    async with rt.db.read() as s:
        return [
            CategoryOut(id=c.id, slug=c.slug, name=c.name) for c in await service.list_categories(s)
        ]


@router.post("/categories", status_code=201)
async def create_category(
    body: CategoryIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> CategoryOut:
    async with rt.db.write() as s:
        c = await service.do_create_category(s, user, body.slug, body.name)
    return CategoryOut(id=c.id, slug=c.slug, name=c.name)


@router.post("/products", status_code=201)
async def create_product(
    body: ProductIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> ProductOut:
    async with rt.db.write() as s:
        return service.product_out(await service.do_create_product(s, user, body))


@router.get("/products")
async def products(
    merchant_id: int | None = Query(default=None, ge=1),
    category: str | None = Query(default=None, max_length=40),
    q: str | None = Query(default=None, max_length=100),
    limit: int = Query(default=24, ge=1, le=100),
    offset: int = Query(default=0, ge=0),
    rt: Runtime = Depends(runtime),
) -> list[ProductOut]:
    async with rt.db.read() as s:
        found = await service.list_products(
            s, merchant_id=merchant_id, category_slug=category, q=q, limit=limit, offset=offset
        )
        return [service.product_out(p) for p in found]


@router.get("/products/{product_id}")
async def product(
    product_id: int, user: User | None = Depends(optional_user), rt: Runtime = Depends(runtime)
) -> ProductOut:
    async with rt.db.read() as s:
        out = service.product_out(await service.access_product(s, product_id))
    if user is not None:  # anonymous views are not worth a write
        try:
            async with rt.db.write() as s:
                await record(s, "product.view", user_id=user.id, product_id=product_id)
        except SQLAlchemyError:  # best effort: a lost view must not fail the page
            log.warning("product.view of %s not recorded", product_id, exc_info=True)
    return out


@router.patch("/products/{product_id}")
async def update_product(
    product_id: int,
    body: ProductPatch,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> ProductOut:
    async with rt.db.write() as s:
        return service.product_out(await service.do_update_product(s, user, product_id, body))


@router.post("/products/{product_id}/skus", status_code=201)
async def add_sku(
    product_id: int, body: SkuIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> SkuOut:
    async with rt.db.write() as s:
        return service.sku_out(await service.do_add_sku(s, user, product_id, body))


@router.patch("/skus/{sku_id}")
async def update_sku(
    sku_id: int, body: SkuPatch, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> SkuOut:
    async with rt.db.write() as s:
        return service.sku_out(await service.do_update_sku(s, user, sku_id, body))


@router.post("/skus/{sku_id}/stock")
async def change_stock(
    sku_id: int,
    body: StockChange,
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> SkuOut:
    async with rt.db.write() as s:
        return service.sku_out(await service.do_change_stock(s, user, sku_id, body.delta))


@router.post("/products/{product_id}/image")
async def upload_image(
    product_id: int,
    file: UploadFile = File(...),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> ProductOut:
    async with rt.db.read() as s:
        await service.access_own_product(s, user, product_id)  # refuse before storing bytes
    limit = rt.settings.max_upload_bytes
    url = store_image(media_store(rt), await file.read(limit + 1), limit)
    async with rt.db.write() as s:
        return service.product_out(
            await service.do_update_product(s, user, product_id, ProductPatch(image_url=url))
        )
