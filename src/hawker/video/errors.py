"""Video error codes."""

from hawker.core.errors import Conflict, Forbidden, HawkerError, Invalid, NotFound, RateLimited


class StreamKeyRefused(Forbidden):
    code = "stream_key_refused"
    title = "Stream key refused"


class AlreadyPublishing(Conflict):
    code = "already_publishing"
    title = "Someone is already publishing to this show"


class BadCallbackSecret(Forbidden):
    code = "bad_callback_secret"
    title = "Not the media server"


class NotAVideo(Invalid):
    code = "not_a_video"
    title = "Not a video"


class ClipTooLong(Invalid):
    code = "clip_too_long"
    title = "Clip too long"


class ClipTooShort(Invalid):
    code = "clip_too_short"
    title = "Clip too short"


class ClipTooLarge(HawkerError):
    status = 413
    code = "clip_too_large"
    title = "Clip too large"


class BadUpload(Invalid):
    code = "bad_upload"
    title = "Bad upload"


class ClipNotFound(NotFound):
    code = "clip_not_found"
    title = "No such short video"


class CommentRateLimited(RateLimited):
    code = "rate_limited"
    title = "Too many comments"


class MediaToolsMissing(HawkerError):
    status = 503
    code = "media_tools_missing"
    title = "Video uploads are unavailable"


class BadRecording(Invalid):
    code = "bad_recording"
    title = "Not a recording of a show"


class NoReplay(NotFound):
    code = "no_replay"
    title = "No replay"
