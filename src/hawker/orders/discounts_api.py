"""POST /api/coupons/quote: what coupons take off before anything is reserved or paid."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.campaigns.coupon_pricing import Pricing
from hawker.campaigns.coupon_schemas import AppliedOut, QuoteOrderOut
from hawker.core.money import format_money
from hawker.infra.runtime import Runtime
from hawker.orders import cart, discounts
from hawker.orders.schemas import QuoteIn

router = APIRouter(prefix="/api", tags=["orders"])


def _out(merchant_id: int, pricing: Pricing) -> QuoteOrderOut:
    def money(amount: int) -> str:
        return format_money(amount, pricing.currency)

    return QuoteOrderOut(
        merchant_id=merchant_id,
        currency=pricing.currency,
        subtotal=pricing.subtotal,
        discount=pricing.discount,
        total=pricing.total,
        total_display=money(pricing.total),
        discount_display=money(pricing.discount),
        coupons=[
            AppliedOut(code=a.code, kind=a.kind, amount=a.amount, amount_display=money(a.amount))
            for a in pricing.applied
        ],
    )


@router.post("/coupons/quote")
async def quote(
    body: QuoteIn, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> list[QuoteOrderOut]:
    """The orders a checkout of ``items`` (or of the cart) would place, with each coupon's
    discount; a coupon that cannot apply is the same problem the checkout would give."""
    async with rt.db.read() as s:
        if body.items is not None:
            currency, lines = await discounts.item_lines(s, body.items)
            pricing = await discounts.price_order(s, user, body.coupons, currency, lines)
            return [_out(lines[0].merchant_id, pricing)]
        groups = cart.priced_groups(await cart.cart_groups(s, user))
        codes = await discounts.assign_codes(s, user, body.coupons, groups)
        out = []
        for (merchant_id, currency), (_, lines) in groups.items():
            pricing = await discounts.price_order(
                s, user, codes[(merchant_id, currency)], currency, lines
            )
            out.append(_out(merchant_id, pricing))
        return out
