"""Affiliate links API: a host gets a link to any product and sees what each link sold."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from hawker.accounts.auth import require_role, runtime
from hawker.accounts.models import User
from hawker.creators import affiliate
from hawker.creators.schemas import AffiliateLinkIn, AffiliateLinkOut
from hawker.infra.runtime import Runtime

router = APIRouter(prefix="/api", tags=["creators"])
host_user = require_role("host")


def link_out(row: affiliate.LinkStats) -> AffiliateLinkOut:
    link = row.link
    return AffiliateLinkOut(
        id=link.id,
        code=link.code,
        url=f"/a/{link.code}",
        product_id=link.product_id,
        product_title=row.product_title,
        clicks=link.clicks,
        orders=row.orders,
        gmv=row.gmv,
        currency=row.currency,
    )


@router.post("/affiliate-links", status_code=201, response_model=AffiliateLinkOut)
async def create_link(
    body: AffiliateLinkIn, user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> JSONResponse:
    """201 with a new link; 200 with the link the host already has to that product."""
    async with rt.db.write() as s:
        link, created = await affiliate.do_create_link(s, user, body.product_id)
        (row,) = await affiliate.list_links(s, user, link.id)
    return JSONResponse(link_out(row).model_dump(mode="json"), status_code=201 if created else 200)


@router.get("/affiliate-links")
async def list_links(
    user: User = Depends(host_user), rt: Runtime = Depends(runtime)
) -> list[AffiliateLinkOut]:
    async with rt.db.read() as s:
        return [link_out(row) for row in await affiliate.list_links(s, user)]
