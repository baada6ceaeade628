"""Video routes: the host's stream key, and the callbacks nginx-rtmp makes on publish.

The callbacks come from nginx on loopback and carry a shared secret in their URL (written into
the config by ``hawker media-config``). A refusal is any 4xx: nginx then drops the encoder.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import ValidationError
from starlette.responses import JSONResponse, RedirectResponse, Response

from hawker.accounts.auth import current_user, runtime
from hawker.accounts.models import User
from hawker.core.errors import Invalid
from hawker.infra.rtmp import drop_publisher
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.video import service
from hawker.video.schemas import PublishNotice, StreamOut

router = APIRouter(tags=["video"])


@router.get("/api/shows/{show_id}/stream")
async def stream(
    show_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> StreamOut:
    async with rt.db.write() as s:  # the key row is made on first look
        show, row = await service.access_stream(s, user, show_id)
        return service.stream_out(rt.settings, show, row)


@router.post("/api/shows/{show_id}/stream/rotate")
async def rotate(
    show_id: int, user: User = Depends(current_user), rt: Runtime = Depends(runtime)
) -> StreamOut:
    async with rt.db.write() as s:
        show, row, old_key = await service.do_rotate_stream_key(
            s, user, show_id, rt.settings.secret_key
        )
        out = service.stream_out(rt.settings, show, row)
    if old_key is not None:  # a leaked key's encoder must not stay on air
        await drop_publisher(rt.settings.effective_media_control_url, old_key)
        await service.notify_video(rt.bus, show_id, publishing=False)
    return out


async def _notice(request: Request, call: str) -> PublishNotice:
    form = await request.form()
    try:
        notice = PublishNotice.model_validate({k: form.get(k) for k in PublishNotice.model_fields})
    except ValidationError as e:
        fields = ", ".join(str(err["loc"][0]) for err in e.errors())
        raise Invalid(f"nginx-rtmp notice with bad fields: {fields}") from e
    if notice.call != call:
        raise Invalid(f"expected call={call}, got call={notice.call}")
    return notice


@router.post("/api/media/rtmp/publish", include_in_schema=False)
async def on_publish(
    request: Request, secret: str = Query(max_length=200), rt: Runtime = Depends(runtime)
) -> Response:
    service.check_callback_secret(rt.settings.secret_key, secret)
    notice = await _notice(request, "publish")
    if notice.app != "live":
        raise Invalid(f"publish to the 'live' application, not {notice.app!r}")
    async with rt.db.write() as s:
        show, went_live = await service.do_accept_publisher(
            s, rt.settings.secret_key, notice.name, notice.clientid
        )
    if went_live:
        await live.notify_show_status(rt.bus, show)
    await service.notify_video(rt.bus, show.id, publishing=True)
    # nginx relays the stream into its hls application under the show's public name
    relay = f"rtmp://127.0.0.1:{rt.settings.rtmp_port}/hls/show-{show.id}"
    return RedirectResponse(relay, status_code=302)


@router.post("/api/media/rtmp/publish_done", include_in_schema=False)
async def on_publish_done(
    request: Request, secret: str = Query(max_length=200), rt: Runtime = Depends(runtime)
) -> Response:
    service.check_callback_secret(rt.settings.secret_key, secret)
    notice = await _notice(request, "publish_done")
    async with rt.db.write() as s:
        release = await service.do_release_publisher(s, notice.name, notice.clientid)
    if release is None:
        return JSONResponse({"ended": False})
    await service.notify_video(rt.bus, release.show.id, publishing=False)
    if release.unpinned:
        await live.notify_pin(rt.bus, release.show.id, None)
    if release.ended:
        await live.notify_show_status(rt.bus, release.show)
    return JSONResponse({"ended": release.ended, "show_id": release.show.id})
