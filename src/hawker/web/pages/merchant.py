"""Partner portal for merchants: products with stock, and orders to ship."""

from __future__ import annotations

from fastapi import Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.catalog import service as catalog
from hawker.core.money import CURRENCY_EXPONENT
from hawker.infra.runtime import Runtime
from hawker.orders import service as orders
from hawker.orders.states import REFUNDABLE, STATES
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()
merchant_user = require_role("merchant")


@router.get("/merchant/products")
async def products(
    request: Request, user: User = Depends(merchant_user), rt: Runtime = Depends(runtime)
) -> Response:
    # A write unit: the merchant record is created on first use.
    async with rt.db.write() as s:
        merchant = await catalog.access_merchant_for(s, user)
        found = await catalog.list_products(
            s, merchant_id=merchant.id, include_inactive=True, limit=100
        )
        out = [catalog.product_out(p) for p in found]
        name = merchant.name
    return render(
        request,
        "merchant/products.html",
        products=out,
        merchant_name=name,
        currencies=list(CURRENCY_EXPONENT),
    )


@router.get("/merchant/orders")
async def merchant_orders(
    request: Request,
    status: str = Query(default="", pattern="^(" + "|".join(STATES) + ")?$"),
    user: User = Depends(merchant_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    async with rt.db.read() as s:
        found = await orders.list_merchant_orders(s, user, status or None)
        out = [orders.order_out(o) for o in found]
    return render(
        request,
        "merchant/orders.html",
        orders=out,
        status=status,
        states=STATES,
        refundable=REFUNDABLE,
    )
