"""Video background jobs: transcode an uploaded clip, then drop the original.

The original waits in ``DATA_DIR/uploads`` (scaled out, that folder is shared by the nodes like
the media folder, since any node's consumer may take the job)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

from hawker.core.config import Settings
from hawker.core.ids import new_token
from hawker.infra.ffmpeg import MediaToolError
from hawker.infra.jobs import Jobs
from hawker.infra.media import media_store
from hawker.infra.runtime import Runtime
from hawker.video import clips

log = logging.getLogger(__name__)
ENQUEUE = "transcode_clip"


def upload_path(settings: Settings, clip_id: int) -> Path:
    return settings.data_dir / "uploads" / f"clip-{clip_id}.upload"


async def transcode_clip(rt: Runtime, clip_id: int) -> str:
    """Run the pipeline on the clip's original and settle the row: ready or failed."""
    src = upload_path(rt.settings, clip_id)
    try:
        async with asyncio.timeout(rt.settings.transcode_timeout_seconds):
            made = await clips.transcode(
                src, src.parent / "work", media_store(rt), f"{clip_id}-{new_token(6)}"
            )
    except (MediaToolError, TimeoutError, OSError) as e:
        reason = "transcoding took too long" if isinstance(e, TimeoutError) else str(e)
        log.warning("clip %s failed: %s", clip_id, reason)
        async with rt.db.write() as s:
            await clips.do_fail_clip(s, clip_id, reason or "transcoding failed")
        return "failed"
    finally:
        src.unlink(missing_ok=True)
    async with rt.db.write() as s:
        done = await clips.do_finish_clip(s, clip_id, made)
    return "ready" if done else "gone"


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def run(clip_id: int) -> None:
        await transcode_clip(rt, clip_id)

    rt.services[ENQUEUE] = jobs.task(ENQUEUE, run)


def enqueue_transcode(rt: Runtime, clip_id: int) -> None:
    enqueue: Callable[[int], None] = rt.services[ENQUEUE]
    enqueue(clip_id)
