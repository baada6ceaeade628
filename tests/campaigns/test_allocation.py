"""Money properties of coupon pricing: a discount split over order lines in whole minor units
sums exactly, never makes a line negative, and gives each line its pro rata share to within
one minor unit; stacked coupons never take more than the order."""

import asyncio
from datetime import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hawker.campaigns.coupon_errors import CouponNotApplicable
from hawker.campaigns.coupon_models import Coupon
from hawker.campaigns.coupon_pricing import Line, allocate, coupon_discount, price

amounts = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=12).filter(
    lambda xs: sum(xs) > 0
)


@given(amounts, st.data())
def test_allocation_sums_exactly_within_one_unit_of_pro_rata(
    lines: list[int], data: st.DataObject
) -> None:
    total = sum(lines)
    discount = data.draw(st.integers(min_value=0, max_value=total))
    shares = allocate(discount, lines)
    assert sum(shares) == discount
    for share, amount in zip(shares, lines, strict=True):
        assert 0 <= share <= amount
        assert abs(share * total - discount * amount) < total  # |share - exact| < 1


def test_largest_remainders_win_and_ties_go_to_the_earlier_line() -> None:
    assert allocate(350, [2500, 1001]) == [250, 100]
    assert allocate(1, [5, 5, 5]) == [1, 0, 0]
    assert allocate(2, [1, 1, 1]) == [1, 1, 0]
    assert allocate(0, [0, 7]) == [0, 0]


def coupon(kind: str, **values: Any) -> Coupon:
    return Coupon(
        id=1 if kind == "merchant" else 2,
        code=kind.upper(),
        kind=kind,
        merchant_id=9 if kind == "merchant" else None,
        currency="USD",
        min_spend=0,
        product_ids=[],
        merchant_ids=[],
        campaign_id=None,
        starts_at=datetime(2026, 1, 1),
        ends_at=datetime(2027, 1, 1),
        **values,
    )


discounts = st.one_of(
    st.builds(dict, percent_bps=st.integers(1, 10_000)),
    st.builds(dict, amount_off=st.integers(1, 10**10)),
)


@given(st.lists(st.integers(1, 10**8), min_size=1, max_size=8), discounts, discounts)
def test_stacked_coupons_price_every_line_exactly(
    lines: list[int], merchant: dict[str, int], platform: dict[str, int]
) -> None:
    order = [Line(product_id=i + 1, merchant_id=9, amount=a) for i, a in enumerate(lines)]
    coupons = [coupon("platform", **platform), coupon("merchant", **merchant)]
    try:
        pricing = asyncio.run(price(None, coupons, "USD", order))  # type: ignore[arg-type]
    except CouponNotApplicable:  # only a coupon that would take nothing off is refused
        left = sum(lines)
        for c in reversed(coupons):
            if coupon_discount(c, left) == 0:
                return
            left -= coupon_discount(c, left)
        raise
    assert pricing.subtotal == sum(lines)
    assert sum(pricing.line_discounts) == pricing.discount == sum(a.amount for a in pricing.applied)
    assert pricing.total == pricing.subtotal - pricing.discount >= 0
    assert all(0 <= d <= a for d, a in zip(pricing.line_discounts, lines, strict=True))
    assert [a.kind for a in pricing.applied] == ["merchant", "platform"]  # merchant first
