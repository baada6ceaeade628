"""Replay routes: nginx's record_done callback, a show's replay with its product moments, and
the list of replays for shoppers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import ValidationError
from starlette.responses import JSONResponse, Response

from hawker.accounts.auth import runtime
from hawker.core.errors import Invalid
from hawker.infra.runtime import Runtime
from hawker.live import service as live
from hawker.video import replays, service
from hawker.video.jobs import enqueue_replay
from hawker.video.schemas import RecordNotice, ReplayCard, ReplayOut

router = APIRouter(tags=["replays"])
ShowId = Annotated[int, Path(ge=1, le=replays.MAX_ID)]


@router.post("/api/media/rtmp/record_done", include_in_schema=False)
async def on_record_done(
    request: Request, secret: str = Query(max_length=200), rt: Runtime = Depends(runtime)
) -> Response:
    """nginx closed a show's recording: queue its replay (nginx ignores the answer; the
    status says what happened, for its log and for tests)."""
    service.check_callback_secret(rt.settings.secret_key, secret)
    form = await request.form()
    try:
        notice = RecordNotice.model_validate({k: form.get(k) for k in RecordNotice.model_fields})
    except ValidationError as e:
        fields = ", ".join(str(err["loc"][0]) for err in e.errors())
        raise Invalid(f"nginx-rtmp record notice with bad fields: {fields}") from e
    if notice.app != "hls":
        raise Invalid(f"recordings come from the 'hls' application, not {notice.app!r}")
    recording = replays.check_recording(rt.settings.recordings_dir, notice.name, notice.path)
    async with rt.db.read() as s:
        await live.access_show(s, recording.show_id)
    await enqueue_replay(rt, recording)
    return JSONResponse({"queued": True, "show_id": recording.show_id}, status_code=202)


@router.get("/api/shows/{show_id}/replay")
async def show_replay(show_id: ShowId, rt: Runtime = Depends(runtime)) -> ReplayOut:
    async with rt.db.read() as s:
        show, replay = await replays.access_replay(s, show_id)
        return await replays.replay_out(s, show, replay)


@router.get("/api/replays")
async def list_replays(
    limit: int = Query(default=20, ge=1, le=100),
    before: int | None = Query(
        default=None, ge=1, le=replays.MAX_ID, description="the last id of the previous page"
    ),
    rt: Runtime = Depends(runtime),
) -> list[ReplayCard]:
    async with rt.db.read() as s:
        return await replays.list_replays(s, limit=limit, before=before)
