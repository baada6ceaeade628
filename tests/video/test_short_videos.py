"""Short videos over the JSON API on both backends: uploads checked with ffprobe (clips made
here with lavfi), the transcode job, the feed, likes, comments, views, follows, and orders
attributed to a clip's host."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.accounts.models import User
from hawker.analytics.service import list_events
from hawker.core.config import Settings
from hawker.infra.runtime import runtime_of
from hawker.video import clips as clip_service
from hawker.video.jobs import transcode_clip, upload_path
from tests.conftest import CHEAP_ARGON2, Api, assert_problem
from tests.video.lavfi import make_clip, make_png, make_raw_h264

CLIP_LIMIT = 400_000


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """A low size limit, so the oversize test sends little."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_clip_bytes=CLIP_LIMIT,
        **CHEAP_ARGON2,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("lavfi")
    (folder / "notes.txt").write_text("not a video, just words\n" * 20)
    return {
        "ok": make_clip(folder / "ok.mp4"),
        "long": make_clip(folder / "long.mp4", seconds=61, size="64x64", rate=2, audio=False),
        "png": make_png(folder / "red.png"),
        "raw": make_raw_h264(folder / "raw.h264"),
        "text": folder / "notes.txt",
    }


def upload(host: Api, path: Path, caption: str = "", product_ids: str = "", **kw: Any) -> Any:
    return host.post(
        "/api/videos",
        files={"file": (path.name, path.read_bytes(), "application/octet-stream")},
        data={"caption": caption, "product_ids": product_ids},
        **kw,
    )


def wait_settled(host: Api, clip_id: int, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        clip: dict[str, Any] = host.get(f"/api/videos/{clip_id}").json()
        if clip["status"] != "processing":
            return clip
        time.sleep(0.1)
    raise AssertionError(f"clip {clip_id} still processing after {timeout} s")


@pytest.fixture
def shop(make_user: Callable[..., Api]) -> dict[str, Any]:
    merchant, host = make_user("merchant"), make_user("host", name="Mia")
    product = merchant.post(
        "/api/products",
        json={
            "title": "Mug",
            "skus": [{"name": "Jade", "price": 1500, "currency": "USD", "stock": 5}],
        },
    ).json()
    return {"merchant": merchant, "host": host, "product": product}


@pytest.fixture
def ready_clip(shop: dict[str, Any], clips: dict[str, Path]) -> dict[str, Any]:
    r = upload(
        shop["host"], clips["ok"], "Morning #Coffee #café ritual", str(shop["product"]["id"])
    )
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "processing"
    clip = wait_settled(shop["host"], r.json()["id"])
    assert clip["status"] == "ready", clip
    return clip


def test_a_clip_is_transcoded_to_h264_with_a_poster(
    client: TestClient, shop: dict[str, Any], ready_clip: dict[str, Any]
) -> None:
    media = runtime_of(client.app).settings.media_dir
    assert ready_clip["hashtags"] == ["café", "coffee"]
    assert [p["id"] for p in ready_clip["products"]] == [shop["product"]["id"]]
    assert ready_clip["host"]["name"] == "Mia"
    assert 1900 <= ready_clip["duration_ms"] <= 2200
    assert (ready_clip["width"], ready_clip["height"]) == (180, 320)
    mp4 = media / ready_clip["video_url"].removeprefix("/media/")
    codec = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=codec_name",
            "-of",
            "csv=p=0",
            str(mp4),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert codec == "h264"
    assert b"moov" in mp4.read_bytes()[:4096]  # faststart: the index comes first
    poster = media / ready_clip["poster_url"].removeprefix("/media/")
    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"  # a JPEG
    assert client.get(ready_clip["video_url"]).status_code == 200
    assert not list((media.parent / "uploads").glob("*.upload"))  # the original is gone
    feed = client.get("/api/videos").json()
    assert [c["id"] for c in feed["items"]] == [ready_clip["id"]]
    assert client.get("/api/videos", params={"tag": "CAFÉ"}).json()["items"]
    assert client.get("/api/videos", params={"tag": "tea"}).json()["items"] == []


@pytest.mark.parametrize(
    ("kind", "code", "words"),
    [
        ("long", "clip_too_long", "61.0 s long; short videos are at most 60 s"),
        ("text", "not_a_video", "not a video"),
        ("png", "not_a_video", "no video stream"),
        ("raw", "clip_too_short", "length could not be read"),
    ],
)
def test_what_is_not_a_short_video_is_refused(
    client: TestClient,
    shop: dict[str, Any],
    clips: dict[str, Path],
    kind: str,
    code: str,
    words: str,
) -> None:
    body = assert_problem(upload(shop["host"], clips[kind], "x"), 422, code)
    assert words in body["detail"]
    assert shop["host"].get("/api/me/videos").json()["items"] == []
    assert not list((runtime_of(client.app).settings.data_dir / "uploads").glob("*.upload"))


def test_oversize_uploads_and_bad_forms_are_refused(
    shop: dict[str, Any], clips: dict[str, Path], tmp_path: Path
) -> None:
    host = shop["host"]
    big = tmp_path / "big.mp4"
    big.write_bytes(b"\0" * (CLIP_LIMIT + 1))
    assert (
        "at most 400,000 bytes"
        in assert_problem(upload(host, big), 413, "clip_too_large")["detail"]
    )
    assert_problem(host.post("/api/videos", json={"caption": "x"}), 422, "bad_upload")
    assert_problem(host.post("/api/videos", data={"caption": "no file"}), 422)
    assert_problem(upload(host, clips["ok"], "x" * 301), 422, "invalid")
    assert_problem(upload(host, clips["ok"], product_ids="1,abc"), 422, "invalid")
    assert_problem(upload(host, clips["ok"], product_ids="999"), 422, "invalid")
    assert_problem(upload(host, clips["ok"], product_ids="1,2,3,4,5,6"), 422, "invalid")
    assert host.get("/api/me/videos").json()["items"] == []


def test_only_hosts_upload(make_user: Callable[..., Api], clips: dict[str, Path]) -> None:
    assert_problem(upload(make_user("shopper"), clips["ok"]), 403, "forbidden")


def test_likes_comments_follow_and_views(
    client: TestClient,
    shop: dict[str, Any],
    ready_clip: dict[str, Any],
    make_user: Callable[..., Api],
) -> None:
    fan, clip_url = make_user("shopper"), f"/api/videos/{ready_clip['id']}"
    assert fan.post(f"{clip_url}/like").json() == {"likes": 1, "liked": True}
    assert fan.post(f"{clip_url}/like").json() == {"likes": 1, "liked": True}  # once
    assert fan.get(clip_url).json()["liked"] is True
    assert fan.delete(f"{clip_url}/like").json() == {"likes": 0, "liked": False}
    assert fan.delete(f"{clip_url}/like").json() == {"likes": 0, "liked": False}

    r = fan.post(f"{clip_url}/comments", json={"text": "  <b>love</b> it  "})
    assert r.status_code == 201 and r.json()["text"] == "<b>love</b> it"
    assert_problem(fan.post(f"{clip_url}/comments", json={"text": "   "}), 422)
    assert_problem(fan.post(f"{clip_url}/comments", json={"text": "x" * 301}), 422)
    assert [c["text"] for c in client.get(f"{clip_url}/comments").json()] == ["<b>love</b> it"]
    assert client.get(clip_url).json()["comments"] == 1

    host_id = shop["host"].user["id"]
    assert fan.post(f"/api/hosts/{host_id}/follow").json()["followers"] == 1
    assert fan.post(f"/api/hosts/{host_id}/follow").json()["followers"] == 1
    assert fan.get(clip_url).json()["host"]["following"] is True
    assert fan.delete(f"/api/hosts/{host_id}/follow").json()["followers"] == 0
    assert_problem(shop["host"].post(f"/api/hosts/{host_id}/follow"), 422, "self_follow")
    assert_problem(fan.post(f"/api/hosts/{fan.user['id']}/follow"), 404, "not_a_host")

    assert fan.post(f"{clip_url}/views", json={"watched_ms": 1500}).status_code == 204
    assert client.post(f"{clip_url}/views", json={"watched_ms": 800}).status_code == 204
    for bad in (-1, 3_600_001, "12", None):
        assert_problem(fan.post(f"{clip_url}/views", json={"watched_ms": bad}), 422)
    assert_problem(fan.post("/api/videos/999/views", json={"watched_ms": 1}), 404)

    async def views() -> list[tuple[int | None, int | None, Any]]:
        async with runtime_of(client.app).db.read() as s:
            return [(e.user_id, e.value, e.data) for e in await list_events(s, type="video.view")]

    data = {
        "video_id": ready_clip["id"],
        "host_id": host_id,
        "duration_ms": ready_clip["duration_ms"],
    }
    assert client.portal.call(views) == [(None, 800, data), (fan.user["id"], 1500, data)]  # type: ignore[union-attr]


def test_an_order_from_a_clip_is_attributed_to_its_host(
    shop: dict[str, Any], ready_clip: dict[str, Any], make_user: Callable[..., Api]
) -> None:
    buyer, sku = make_user("shopper"), shop["product"]["skus"][0]["id"]
    item = [{"sku_id": sku, "quantity": 1}]
    r = buyer.post(
        "/api/orders",
        json={"items": item, "channel": "video", "video_id": ready_clip["id"]},
        headers={"Idempotency-Key": "clip-1"},
    )
    assert r.status_code == 201, r.text
    order = r.json()
    assert (order["channel"], order["video_id"], order["host_id"]) == (
        "video",
        ready_clip["id"],
        shop["host"].user["id"],
    )
    other = (
        shop["merchant"]
        .post(
            "/api/products",
            json={"title": "Tea", "skus": [{"name": "One", "price": 900, "stock": 5}]},
        )
        .json()
    )
    untagged = [{"sku_id": other["skus"][0]["id"], "quantity": 1}]
    for body, status in (
        ({"items": untagged, "channel": "video", "video_id": ready_clip["id"]}, 422),
        ({"items": item, "channel": "video"}, 422),
        ({"items": item, "video_id": ready_clip["id"]}, 422),
        ({"items": item, "channel": "video", "video_id": 999}, 404),
    ):
        key = {"Idempotency-Key": f"bad-{status}-{len(body)}-{body['items'] is untagged}"}
        assert_problem(buyer.post("/api/orders", json=body, headers=key), status)


def test_a_clip_whose_transcode_fails_says_why(client: TestClient, shop: dict[str, Any]) -> None:
    rt = runtime_of(client.app)

    async def broken_upload() -> tuple[int, str]:
        async with rt.db.write() as s:
            host = await s.get(User, shop["host"].user["id"])
            assert host is not None
            clip = await clip_service.do_create_clip(s, host, "broken #oops", [])
        original = upload_path(rt.settings, clip.id)
        original.parent.mkdir(parents=True, exist_ok=True)
        original.write_bytes(b"probed fine once, unreadable now")
        return clip.id, await transcode_clip(rt, clip.id)

    clip_id, outcome = client.portal.call(broken_upload)  # type: ignore[union-attr]
    assert outcome == "failed"
    clip = shop["host"].get(f"/api/videos/{clip_id}").json()
    assert clip["status"] == "failed" and "ffmpeg failed" in clip["failure"]
    assert not upload_path(rt.settings, clip_id).exists()
    assert_problem(client.get(f"/api/videos/{clip_id}"), 404)  # shoppers never see it
    assert client.get("/api/videos", params={"tag": "oops"}).json()["items"] == []
