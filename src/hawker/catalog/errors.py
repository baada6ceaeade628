"""Catalog error codes."""

from hawker.core.errors import Conflict, Invalid


class StockWouldGoNegative(Conflict):
    code = "stock_negative"
    title = "Not enough stock"


class StockLimit(Conflict):
    code = "stock_limit"
    title = "Too much stock"


class BadImage(Invalid):
    code = "bad_image"
    title = "Unsupported image"
