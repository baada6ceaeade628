"""Video error codes."""

from hawker.core.errors import Conflict, Forbidden, Invalid, NotFound


class StreamKeyRefused(Forbidden):
    code = "stream_key_refused"
    title = "Stream key refused"


class AlreadyPublishing(Conflict):
    code = "already_publishing"
    title = "Someone is already publishing to this show"


class BadCallbackSecret(Forbidden):
    code = "bad_callback_secret"
    title = "Not the media server"


class BadRecording(Invalid):
    code = "bad_recording"
    title = "Not a recording of a show"


class NoReplay(NotFound):
    code = "no_replay"
    title = "No replay"
