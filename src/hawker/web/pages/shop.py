"""Shopper pages outside the live room: product, cart, checkout (pay each order), my orders.

They render from service functions in one read unit; buying, cart changes and paying happen in
the browser against the JSON API (``shop.js``), which owns the rules and idempotency.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Query
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from hawker.accounts.auth import current_user, optional_user, runtime
from hawker.accounts.models import User
from hawker.campaigns.service import badges_for
from hawker.catalog import service as catalog
from hawker.creators import affiliate
from hawker.infra.runtime import Runtime
from hawker.orders import cart
from hawker.orders import service as orders
from hawker.orders.attribution import CLICK_COOKIE
from hawker.web.pages.common import page_router
from hawker.web.render import render

router = page_router()


@router.get("/products/{product_id}")
async def product(request: Request, product_id: int, rt: Runtime = Depends(runtime)) -> Response:
    async with rt.db.read() as s:
        found = await catalog.access_product(s, product_id)
        out = catalog.product_out(found)
        more = [
            catalog.product_out(p)
            for p in await catalog.list_products(s, merchant_id=found.merchant_id, limit=6)
            if p.id != product_id
        ]
        badges = (await badges_for(s, product_ids=[product_id])).get(("product", product_id), [])
    return render(request, "shop/product.html", product=out, more=more[:5], badges=badges)


@router.get("/a/{code}")
async def affiliate_link(
    code: Annotated[str, Path(max_length=16, pattern=r"^[A-Za-z0-9_-]+$")],
    user: User | None = Depends(optional_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    """A host's affiliate link: log the click as a touch and show the product. A visitor who
    is not signed in keeps the click's id in a cookie for the attribution window, so the order
    they place after signing in still finds it."""
    async with rt.db.write() as s:
        link, click = await affiliate.do_click(s, code, user)
    response = RedirectResponse(f"/products/{link.product_id}", status_code=303)
    if user is None:
        response.set_cookie(
            CLICK_COOKIE,
            str(click.id),
            max_age=rt.settings.attribution_window_days * 86400,
            httponly=True,
            samesite="lax",
        )
    return response


@router.get("/cart")
async def cart_page(
    request: Request, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        out = await cart.cart_out(s, user)
    return render(request, "shop/cart.html", cart=out)


@router.get("/checkout")
async def checkout(
    request: Request,
    ids: str = Query(default="", alias="orders", max_length=200, pattern=r"^[0-9,]*$"),
    user: User = Depends(current_user),
    rt: Runtime = Depends(runtime),
) -> Response:
    wanted = [int(i) for i in ids.split(",") if i][:20]
    async with rt.db.read() as s:
        if wanted:
            found = [await orders.access_order_as_buyer(s, user, i) for i in wanted]
        else:
            found = [o for o in await orders.list_buyer_orders(s, user) if o.status == "pending"]
        out = [orders.order_out(o) for o in found]
    return render(request, "shop/checkout.html", orders=out)


@router.get("/orders")
async def my_orders(
    request: Request, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> Response:
    async with rt.db.read() as s:
        out = [orders.order_out(o) for o in await orders.list_buyer_orders(s, user)]
    return render(request, "shop/orders.html", orders=out)
