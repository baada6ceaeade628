"""Video error codes."""

from hawker.core.errors import Conflict, Forbidden


class StreamKeyRefused(Forbidden):
    code = "stream_key_refused"
    title = "Stream key refused"


class AlreadyPublishing(Conflict):
    code = "already_publishing"
    title = "Someone is already publishing to this show"


class BadCallbackSecret(Forbidden):
    code = "bad_callback_secret"
    title = "Not the media server"
