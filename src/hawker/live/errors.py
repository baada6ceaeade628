"""Live error codes (also sent as WebSocket error frames)."""

from hawker.core.errors import Conflict, Forbidden, Invalid, RateLimited


class IllegalShowTransition(Conflict):
    code = "illegal_show_transition"
    title = "Show cannot change to that state"


class ShowNotLive(Conflict):
    code = "show_not_live"
    title = "Show is not live"


class NotInLineup(Invalid):
    code = "not_in_lineup"
    title = "Product is not in the show's line-up"


class Muted(Forbidden):
    code = "muted"
    title = "You are muted in this room"


class ChatTooLong(Invalid):
    code = "too_long"
    title = "Message too long"


class ChatEmpty(Invalid):
    code = "empty"
    title = "Message is empty"


class ChatBadCharacter(Invalid):
    code = "bad_character"
    title = "Message holds a character that cannot be stored"


class ChatRateLimited(RateLimited):
    code = "rate_limited"
    title = "Slow down"
