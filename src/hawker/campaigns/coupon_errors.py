"""Coupon error codes (mapped to problem bodies in web/problems.py like every HawkerError)."""

from hawker.core.errors import Conflict, Invalid, NotFound


class CouponNotFound(NotFound):
    code = "coupon_not_found"
    title = "No such coupon"


class CouponNotActive(Invalid):
    code = "coupon_not_active"
    title = "Coupon not valid now"


class CouponNotApplicable(Invalid):
    code = "coupon_not_applicable"
    title = "Coupon does not apply to this order"


class BelowMinimumSpend(Invalid):
    code = "coupon_below_minimum_spend"
    title = "Order below the coupon's minimum spend"


class CouponStacking(Invalid):
    code = "coupon_stacking"
    title = "Too many coupons of one kind"


class CouponUsedUp(Conflict):
    code = "coupon_used_up"
    title = "Coupon fully used"


class CouponLimitReached(Conflict):
    code = "coupon_limit_reached"
    title = "You have used this coupon as often as it allows"


class CouponCodeTaken(Conflict):
    code = "coupon_code_taken"
    title = "Coupon code already exists"
