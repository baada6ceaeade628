"""Deals and inventory error codes."""

from hawker.core.errors import Conflict, Invalid


class OutOfStock(Conflict):
    code = "out_of_stock"
    title = "Out of stock"


class StockRefusal(Conflict):
    """A purchase refused on a deal's stock, limit or window. ``may_replay``: the request's
    Idempotency-Key may have won this deal before, so its earlier response must be looked up
    before the refusal is sent; False only when Redis stock knows the key never won there."""

    may_replay = True


class DealSoldOut(StockRefusal):
    code = "deal_sold_out"
    title = "Deal sold out"


class DealNotLive(StockRefusal):
    code = "deal_not_live"
    title = "Deal is not live"


class BuyerLimitExceeded(StockRefusal):
    code = "buyer_limit_exceeded"
    title = "Over the per-buyer limit"


class ReservationExpired(Conflict):
    code = "reservation_expired"
    title = "Reservation expired"


class ReservationNotHeld(Conflict):
    code = "reservation_not_held"
    title = "Reservation is no longer held"


class BadDeal(Invalid):
    code = "bad_deal"
    title = "Deal cannot be launched"


class DealAlreadyLive(Conflict):
    code = "deal_already_live"
    title = "A deal is already live for this SKU"
