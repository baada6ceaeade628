"""Creators error codes."""

from hawker.core.errors import Invalid, NotFound


class NotAHost(NotFound):
    code = "not_a_host"
    title = "No such host"


class SelfFollow(Invalid):
    code = "self_follow"
    title = "You cannot follow yourself"
