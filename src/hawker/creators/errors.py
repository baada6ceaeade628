"""Creators error codes."""

from hawker.core.errors import Conflict, Invalid, NotFound


class NotAHost(NotFound):
    code = "not_a_host"
    title = "No such host"


class SelfFollow(Invalid):
    code = "self_follow"
    title = "You cannot follow yourself"


class InsufficientBalance(Conflict):
    code = "insufficient_balance"
    title = "Balance too low for this payout"


class PayoutBelowMinimum(Invalid):
    code = "payout_below_minimum"
    title = "Payout below the minimum"


class UnknownCategory(Invalid):
    code = "unknown_category"
    title = "No such category"


class FundPeriodOverlap(Conflict):
    code = "fund_period_overlap"
    title = "Creator fund periods of a currency cannot overlap"


class NoSuchCampaign(NotFound):
    code = "no_such_campaign"
    title = "No such campaign"
