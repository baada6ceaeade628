"""Creators error codes."""

from hawker.core.errors import Conflict, Invalid


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    title = "Balance too low for this payout"


class PayoutBelowMinimum(Invalid):
    code = "payout_below_minimum"
    title = "Payout below the minimum"
