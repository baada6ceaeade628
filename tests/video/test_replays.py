"""Replays through the API: nginx's record_done callback (refused when forged or wrong), the
job that makes the replay (once per recording, the longest recording kept), a show's replay
with its product moments, the replay list, and buying from a replay."""

import os
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from hawker.infra.runtime import runtime_of
from hawker.video.service import callback_secret
from tests.conftest import Api, assert_problem
from tests.services import need_binary

Made = Callable[..., tuple[Api, dict[str, Any]]]


@pytest.fixture(scope="session")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Callable[[float], Path]:
    """Factory: an FLV like nginx records (H.264 + AAC) lasting ``seconds``, made once."""
    ffmpeg = need_binary("ffmpeg", "apt-get install ffmpeg")
    folder = tmp_path_factory.mktemp("clips")
    made: dict[float, Path] = {}

    def clip(seconds: float) -> Path:
        if seconds not in made:
            path = folder / f"clip-{seconds}.flv"
            subprocess.run(
                [ffmpeg, "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=180x320:rate=25",
                 "-f", "lavfi", "-i", "sine=frequency=440", "-t", str(seconds), "-c:v", "libx264",
                 "-preset", "ultrafast", "-g", "25", "-pix_fmt", "yuv420p", "-c:a", "aac",
                 "-f", "flv", str(path)],
                check=True,
            )  # fmt: skip
            made[seconds] = path
        return made[seconds]

    return clip


class Recorder:
    """Plays nginx's part: puts a recording in the folder and posts record_done."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        settings = runtime_of(client.app).settings
        self.folder = settings.recordings_dir.resolve()
        self.secret = callback_secret(settings.secret_key)

    def record(self, show_id: int, clip: Path, opened_ago: float) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"show-{show_id}-{int(time.time() - opened_ago)}.flv"
        path.write_bytes(clip.read_bytes())
        return path

    def done(self, name: str, path: Path | str, **change: str) -> httpx.Response:
        form = {
            "app": "hls",
            "flashver": "LNX.11,1,102,55",
            "tcurl": "rtmp://127.0.0.1:1935/hls",
            "addr": "127.0.0.1",
            "clientid": "6",
            "call": "record_done",
            "recorder": "",
            "name": name,
            "path": str(path),
        }
        secret = change.pop("secret", self.secret)
        return self.client.post(
            "/api/media/rtmp/record_done", params={"secret": secret}, data=form | change
        )


@pytest.fixture
def recorder(client: TestClient) -> Recorder:
    return Recorder(client)


def wait_for_replay(client: TestClient, show_id: int, check: Callable[[Any], bool]) -> Any:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = client.get(f"/api/shows/{show_id}/replay")
        if r.status_code == 200 and check(r.json()):
            return r.json()
        time.sleep(0.2)
    raise AssertionError(f"no replay for show {show_id}: {r.status_code} {r.text}")


def live_show_with_pin(scheduled_show: Made) -> tuple[Api, dict[str, Any]]:
    host, show = scheduled_show()
    assert host.post(f"/api/shows/{show['id']}/start").status_code == 200
    product_id = show["lineup"][0]["id"]
    assert host.post(f"/api/shows/{show['id']}/pin", json={"product_id": product_id}).is_success
    return host, show


def test_a_recording_becomes_a_replay_with_its_moments_once(
    client: TestClient,
    scheduled_show: Made,
    recorder: Recorder,
    clips: Callable[[float], Path],
) -> None:
    host, show = scheduled_show()
    show_id = show["id"]
    assert_problem(client.get(f"/api/shows/{show_id}/replay"), 404, "no_replay")
    host.post(f"/api/shows/{show_id}/start")
    path = recorder.record(show_id, clips(4.0), opened_ago=2)  # nginx opened it 2 s ago
    product = show["lineup"][0]
    host.post(f"/api/shows/{show_id}/pin", json={"product_id": product["id"]})
    host.post(f"/api/shows/{show_id}/end")

    first = recorder.done(f"show-{show_id}", path)
    again = recorder.done(f"show-{show_id}", path)  # nginx retried, or a duplicate notice
    assert first.status_code == again.status_code == 202, first.text
    replay = wait_for_replay(client, show_id, lambda r: True)

    assert replay["show_id"] == show_id and replay["title"] == "Morning mugs"
    assert replay["host"]["id"] == host.user["id"]
    assert 3.5 < replay["duration_s"] < 4.5
    [moment] = replay["moments"]
    assert moment["product_id"] == product["id"] and moment["title"] == "Mug"
    assert moment["price_from"] == 900 and moment["currency"] == "USD"
    assert 1.0 <= moment["offset_s"] <= 3.5  # pinned 2-3 s after nginx opened the file
    assert [p["id"] for p in replay["products"]] == [product["id"]]
    assert replay["products"][0]["skus"][0]["price"] == 900
    video = client.get(replay["video_url"])
    assert video.status_code == 200 and video.content[4:8] == b"ftyp"  # an MP4
    assert client.get(replay["poster_url"]).content[:2] == b"\xff\xd8"  # a JPEG
    assert not path.exists()  # the FLV is gone once its replay is saved

    time.sleep(1.5)  # the duplicate notice's job has run by now and changed nothing
    assert client.get(f"/api/shows/{show_id}/replay").json() == replay
    assert [r["show_id"] for r in client.get("/api/replays").json()] == [show_id]


def test_the_longest_recording_of_a_show_is_its_replay(
    client: TestClient,
    scheduled_show: Made,
    recorder: Recorder,
    clips: Callable[[float], Path],
) -> None:
    """The encoder reconnected (a rotated key): nginx left one recording per connection."""
    _, show = live_show_with_pin(scheduled_show)
    name = f"show-{show['id']}"
    media = runtime_of(client.app).settings.media_dir
    short = recorder.record(show["id"], clips(2.0), opened_ago=30)
    assert recorder.done(name, short).status_code == 202
    first = wait_for_replay(client, show["id"], lambda r: True)
    assert 1.5 < first["duration_s"] < 2.5

    long = recorder.record(show["id"], clips(4.0), opened_ago=10)
    assert recorder.done(name, long).status_code == 202
    second = wait_for_replay(client, show["id"], lambda r: r["duration_s"] > 3.5)
    assert second["video_url"] != first["video_url"]
    assert not (media / first["video_url"].removeprefix("/media/")).exists()

    stub = recorder.record(show["id"], clips(2.0), opened_ago=5)
    assert recorder.done(name, stub).status_code == 202
    deadline = time.monotonic() + 20
    while stub.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not stub.exists()  # handled: set aside, not the replay
    assert client.get(f"/api/shows/{show['id']}/replay").json() == second
    assert sorted(p.name for p in (media / "replays").iterdir()) == sorted(
        Path(second[k]).name for k in ("video_url", "poster_url")
    )


def test_forged_or_wrong_record_notices_are_refused(
    client: TestClient, scheduled_show: Made, recorder: Recorder, clips: Callable[[float], Path]
) -> None:
    _, show = live_show_with_pin(scheduled_show)
    name = f"show-{show['id']}"
    path = recorder.record(show["id"], clips(2.0), opened_ago=1)
    assert_problem(recorder.done(name, path, secret="guess"), 403, "bad_callback_secret")
    r = client.post("/api/media/rtmp/record_done", data={"name": name, "path": str(path)})
    assert_problem(r, 422)  # no secret at all
    outside = recorder.folder.parent / "secret_key"
    assert_problem(recorder.done(name, outside), 422, "bad_recording")
    assert_problem(recorder.done(name, f"{recorder.folder}/../{path.name}"), 422, "bad_recording")
    assert_problem(recorder.done("show-999999", path), 422, "bad_recording")  # not its file
    assert_problem(recorder.done(name, path, app="live"), 422, "invalid")
    assert_problem(recorder.done(name, path, call="publish"), 422, "invalid")
    ghost = recorder.folder / f"show-999999-{int(time.time())}.flv"
    assert_problem(recorder.done("show-999999", ghost), 404, "not_found")
    time.sleep(1.0)  # had anything been queued, its job would have run by now
    assert path.exists()
    assert_problem(client.get(f"/api/shows/{show['id']}/replay"), 404, "no_replay")
    assert_problem(client.get("/api/shows/999999/replay"), 404, "not_found")
    assert_problem(client.get(f"/api/shows/{2**63}/replay"), 422)  # beyond any id column
    huge = recorder.folder / f"show-{2**40}-{int(time.time())}.flv"
    assert_problem(recorder.done(f"show-{2**40}", huge), 422, "bad_recording")


def test_replays_are_listed_newest_first_page_by_page(
    client: TestClient, scheduled_show: Made
) -> None:
    from hawker.core.clock import utcnow
    from hawker.video.replays import Recording, do_save_replay

    rt = runtime_of(client.app)
    made = [scheduled_show() for _ in range(4)]
    for host, show in made[:3]:
        host.post(f"/api/shows/{show['id']}/start")
        host.post(f"/api/shows/{show['id']}/end")
    shows = [show for _, show in made]

    async def save(show_id: int) -> None:  # the job's last step, without ffmpeg
        async with rt.db.write() as s:
            recording = Recording(show_id, Path(f"/r/show-{show_id}-1.flv"), 1)
            await do_save_replay(
                s,
                recording,
                video_url=f"/media/replays/{show_id}.mp4",
                poster_url=f"/media/replays/{show_id}.jpg",
                duration_s=60.0,
                started_at=utcnow(),
            )

    for show in shows:
        client.portal.call(save, show["id"])  # type: ignore[union-attr]
    page = client.get("/api/replays", params={"limit": 2}).json()  # shows[3] is not over
    assert [r["show_id"] for r in page] == [shows[2]["id"], shows[1]["id"]]
    assert page[0]["title"] == "Morning mugs" and page[0]["duration_s"] == 60.0
    assert page[0]["poster_url"] == f"/media/replays/{shows[2]['id']}.jpg"
    rest = client.get("/api/replays", params={"limit": 2, "before": page[-1]["id"]}).json()
    assert [r["show_id"] for r in rest] == [shows[0]["id"]]
    assert_problem(client.get("/api/replays", params={"limit": 0}), 422)
    assert_problem(client.get("/api/replays", params={"before": "x"}), 422)


def test_buying_from_a_replay_is_attributed_to_the_show(
    client: TestClient, scheduled_show: Made, make_user: Callable[..., Api]
) -> None:
    host, show = live_show_with_pin(scheduled_show)
    host.post(f"/api/shows/{show['id']}/end")
    sku = show["lineup"][0]["skus"][0]
    shopper = make_user()
    body = {
        "items": [{"sku_id": sku["id"], "quantity": 1}],
        "channel": "replay",
        "show_id": show["id"],
    }
    r = shopper.post("/api/orders", json=body, headers={"Idempotency-Key": "replay-buy-1"})
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["channel"], order["show_id"]) == ("replay", show["id"])
    assert order["host_id"] == host.user["id"]
    again = shopper.post("/api/orders", json=body, headers={"Idempotency-Key": "replay-buy-1"})
    assert again.json()["id"] == order["id"]


def test_replay_page_states(client: TestClient, scheduled_show: Made) -> None:
    """Before a show ends there is no replay page; once it ended, the page says the replay is
    on its way (and looks again) until the job has made it; the room links to it."""
    host, show = scheduled_show()
    page = f"/shows/{show['id']}/replay"
    r = client.get(page)
    assert r.status_code == 404 and "No replay" in r.text
    host.post(f"/api/shows/{show['id']}/start")
    host.post(f"/api/shows/{show['id']}/end")
    r = client.get(page)
    assert r.status_code == 200 and "The replay is on its way" in r.text
    assert '<meta http-equiv="refresh"' in r.text
    assert f'href="{page}"' in client.get(f"/shows/{show['id']}").text
    assert client.get("/shows/999999/replay").status_code == 404


def test_a_recording_whose_notice_never_came_is_swept_up(
    client: TestClient, scheduled_show: Made, recorder: Recorder, clips: Callable[[float], Path]
) -> None:
    """Hawker was down when nginx closed the file (nginx does not retry its notices)."""
    from hawker.video.jobs import IDLE_S, sweep_recordings

    rt = runtime_of(client.app)
    _, show = live_show_with_pin(scheduled_show)
    old = recorder.record(show["id"], clips(2.0), opened_ago=IDLE_S + 60)
    os.utime(old, (time.time() - IDLE_S - 50,) * 2)
    fresh = recorder.record(show["id"], clips(2.0), opened_ago=5)  # nginx may still write it
    (recorder.folder / "notes.flv").write_bytes(b"not nginx's")
    queued = client.portal.call(sweep_recordings, rt)  # type: ignore[union-attr]
    assert queued == [old.name]
    replay = wait_for_replay(client, show["id"], lambda r: True)
    assert 1.5 < replay["duration_s"] < 2.5
    assert not old.exists() and fresh.exists()


def test_a_recording_ffmpeg_cannot_read_is_set_aside(
    client: TestClient, scheduled_show: Made, recorder: Recorder
) -> None:
    _, show = live_show_with_pin(scheduled_show)
    broken = recorder.folder / f"show-{show['id']}-{int(time.time())}.flv"
    broken.parent.mkdir(parents=True, exist_ok=True)
    broken.write_bytes(b"FLV\x01 truncated by a full disk")
    assert recorder.done(f"show-{show['id']}", broken).status_code == 202
    aside = broken.with_name(broken.name + ".failed")
    deadline = time.monotonic() + 20
    while not aside.exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert aside.exists() and not broken.exists()  # kept for a person, never swept again
    assert_problem(client.get(f"/api/shows/{show['id']}/replay"), 404, "no_replay")
