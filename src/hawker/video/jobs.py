"""Video background jobs: an uploaded clip is transcoded (then its original dropped), and a
show's finished recording becomes its replay.

A clip's original waits in ``DATA_DIR/uploads`` (scaled out, that folder is shared by the nodes
like the media folder, since any node's consumer may take the job).

The record_done callback only checks the notice and enqueues; the replay job, on whichever
node takes it, remuxes nginx's FLV into an MP4 with the moov atom first (seekable before it has
fully arrived), grabs a poster, stores both through the media port and saves the row. The FLV
is deleted once its replay is saved or set aside; one ffmpeg cannot read is renamed
``*.flv.failed``; after any other failure (the database, the store) it stays for a retry, and
a sweep queues recordings whose notice never arrived.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from hawker.core.config import Settings
from hawker.core.ids import new_token
from hawker.infra import ffmpeg
from hawker.infra.jobs import Jobs
from hawker.infra.media import media_store
from hawker.infra.runtime import Runtime
from hawker.video import clips, replays
from hawker.video.errors import BadRecording
from hawker.video.models import Replay

log = logging.getLogger(__name__)
ENQUEUE = "transcode_clip"
MEDIA_TIMEOUT_S = 3600.0  # a remux takes seconds; the re-encode fallback of a long show, more
POSTER_AT_S = 2.0
FAILED = ".failed"  # suffix of a recording ffmpeg could not make into a replay
SWEEP_EVERY_S = 300.0
IDLE_S = 600.0  # a recording nginx has not written to for this long is closed


async def make_replay(rt: Runtime, name: str, path: str) -> Replay | None:
    """The replay of the recording at ``path``; None when nothing changed (the same notice
    twice, a shorter recording than the show's replay, one ffmpeg cannot read)."""
    recording = replays.check_recording(rt.settings.recordings_dir, name, path)
    if not (shutil.which("ffmpeg") and shutil.which("ffprobe")):
        # not the recording's fault: it waits for the sweep after ffmpeg is installed
        log.error("no replays: ffmpeg is not installed (%s)", ffmpeg.INSTALL_HINT)
        return None
    if not recording.path.exists():
        log.info("recording %s is gone: already made into a replay", recording.path.name)
        return None
    async with rt.db.read() as s:
        before = await replays.replay_of(s, recording.show_id)
    if before is not None and before.recording == recording.path.name:
        recording.path.unlink(missing_ok=True)
        return None
    stem = recording.path.stem
    store = media_store(rt)
    with tempfile.TemporaryDirectory(prefix="replay-", dir=recording.path.parent) as tmp:
        mp4, jpg = Path(tmp) / "replay.mp4", Path(tmp) / "poster.jpg"
        try:
            async with asyncio.timeout(MEDIA_TIMEOUT_S):
                info = await _remux(recording.path, mp4)
                if not info.has_video or info.duration <= 0:
                    raise ffmpeg.MediaToolError("the recording has no video")
                await ffmpeg.poster(mp4, jpg, at=min(POSTER_AT_S, info.duration / 2))
        except (ffmpeg.MediaToolError, TimeoutError) as e:
            # ffmpeg will not do better next time: set the file aside for a person to look at
            log.error("no replay from %s: %s", recording.path.name, str(e) or "timed out")
            recording.path.rename(recording.path.with_name(recording.path.name + FAILED))
            return None
        video_url = await asyncio.to_thread(store.put_file, f"replays/{stem}.mp4", mp4)
        poster_url = await asyncio.to_thread(store.put_file, f"replays/{stem}.jpg", jpg)
    # nginx's last write to the file is when the recording ended
    ended = datetime(1970, 1, 1) + timedelta(seconds=recording.path.stat().st_mtime)
    started = replays.recording_start(recording.stamp, ended, info.duration)
    async with rt.db.write() as s:
        replay, kept = await replays.do_save_replay(
            s,
            recording,
            video_url=video_url,
            poster_url=poster_url,
            duration_s=round(info.duration, 3),
            started_at=started,
        )
    # the files of this recording when it was not kept, or of the one it replaced
    stems = {stem, Path(before.recording).stem if before else stem}
    for dropped in stems - {Path(replay.recording).stem}:
        for ext in ("mp4", "jpg"):
            await asyncio.to_thread(store.delete, f"replays/{dropped}.{ext}")
    recording.path.unlink(missing_ok=True)
    return replay if kept else None


async def _remux(src: Path, mp4: Path) -> ffmpeg.Probe:
    """Copy the encoder's H.264/AAC as is; re-encode only when the copy fails (an encoder
    sending codecs an MP4 cannot hold)."""
    try:
        await ffmpeg.to_mp4(src, mp4, copy=True)
    except ffmpeg.MediaToolError as e:
        log.warning("remuxing %s failed (%s); re-encoding it", src.name, e)
        await ffmpeg.to_mp4(src, mp4)
    return await ffmpeg.probe(mp4)


async def sweep_recordings(rt: Runtime) -> list[str]:
    """Queue the replays of recordings whose record_done never came (Hawker was down or
    unreachable when nginx closed them; nginx does not retry), once nginx has left them
    untouched for a while. Returns the file names queued."""
    folder = rt.settings.recordings_dir
    idle_since = time.time() - IDLE_S
    queued = []
    for path in sorted(folder.glob("show-*-*.flv")):
        stream = "-".join(path.stem.split("-")[:2])  # show-ID-STAMP -> show-ID
        try:
            recording = replays.check_recording(folder, stream, str(path))
        except BadRecording:
            continue  # not nginx's name: not ours to touch
        if path.stat().st_mtime < idle_since:
            await enqueue_replay(rt, recording)
            queued.append(path.name)
    return queued


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
    except (ffmpeg.MediaToolError, TimeoutError, OSError) as e:
        reason = "transcoding took too long" if isinstance(e, TimeoutError) else str(e)
        log.warning("clip %s failed: %r", clip_id, e)  # the type too: one failure came blank
        async with rt.db.write() as s:
            await clips.do_fail_clip(s, clip_id, reason or "transcoding failed")
        return "failed"
    finally:
        src.unlink(missing_ok=True)
    async with rt.db.write() as s:
        done = await clips.do_finish_clip(s, clip_id, made)
    return "ready" if done else "gone"


def register_jobs(jobs: Jobs, rt: Runtime) -> None:
    async def transcode(clip_id: int) -> None:
        await transcode_clip(rt, clip_id)

    async def replay(name: str, path: str) -> None:
        await make_replay(rt, name, path)

    async def sweep() -> None:
        await sweep_recordings(rt)

    rt.services[ENQUEUE] = jobs.task(ENQUEUE, transcode, media=True)
    rt.services["replay_job"] = jobs.task(
        "make_replay", replay, retries=2, retry_delay=30, timeout=MEDIA_TIMEOUT_S + 60, media=True
    )
    jobs.every("sweep_recordings", SWEEP_EVERY_S, sweep)


def enqueue_transcode(rt: Runtime, clip_id: int) -> None:
    enqueue: Callable[[int], None] = rt.services[ENQUEUE]
    enqueue(clip_id)


async def enqueue_replay(rt: Runtime, recording: replays.Recording) -> None:
    enqueue = rt.services["replay_job"]
    await asyncio.to_thread(enqueue, f"show-{recording.show_id}", str(recording.path))
