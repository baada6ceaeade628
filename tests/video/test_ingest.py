"""Live ingest: stream keys and nginx-rtmp's publish callbacks (valid, wrong, rotated, ended,
another host's show, a second encoder, bad callers)."""

import asyncio
from collections.abc import Callable
from typing import Any

import httpx2 as httpx
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api, assert_problem
from tests.live.test_room_socket import receive_until
from tests.video.conftest import Nginx, notice

Made = Callable[..., tuple[Api, dict[str, Any]]]


def key_of(host: Api, show_id: int) -> str:
    r = host.get(f"/api/shows/{show_id}/stream")
    assert r.status_code == 200, r.text
    key: str = r.json()["stream_key"]
    return key


def test_host_sees_rtmp_url_and_key_others_do_not(
    client: TestClient, scheduled_show: Made, make_user: Callable[..., Api]
) -> None:
    host, show = scheduled_show()
    body = host.get(f"/api/shows/{show['id']}/stream").json()
    assert body["rtmp_url"].startswith("rtmp://") and body["rtmp_url"].endswith("/live")
    assert body["stream_key"].startswith(f"{show['id']}-") and len(body["stream_key"]) > 30
    assert body["publishing"] is False
    assert key_of(host, show["id"]) == body["stream_key"]  # stable until rotated
    assert_problem(make_user("host").get(f"/api/shows/{show['id']}/stream"), 403, "forbidden")
    assert_problem(make_user().post(f"/api/shows/{show['id']}/stream/rotate"), 403, "forbidden")
    assert_problem(client.get(f"/api/shows/{show['id']}/stream"), 401)
    assert_problem(host.get("/api/shows/999999/stream"), 404)
    assert "stream_key" not in str(client.get(f"/api/shows/{show['id']}").json())


def test_valid_key_takes_a_scheduled_show_live_and_relays_it(
    client: TestClient, nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    assert client.get(f"/api/shows/{sid}").json()["hls_url"] is None  # not live yet
    with client.websocket_connect(f"/ws/shows/{sid}") as room:
        assert room.receive_json()["type"] == "hello"
        r = nginx.publish(key_of(host, sid))
        assert r.status_code == 302, r.text
        port = client.app.state.runtime.settings.rtmp_port  # type: ignore[attr-defined]
        assert r.headers["location"] == f"rtmp://127.0.0.1:{port}/hls/show-{sid}"
        assert receive_until(room, "show.started")["data"]["status"] == "live"
        assert receive_until(room, "video")["data"] == {"publishing": True}
    live = client.get(f"/api/shows/{sid}").json()
    assert live["status"] == "live"
    assert live["hls_url"].endswith(f"/hls/show-{sid}/index.m3u8")
    assert host.get(f"/api/shows/{sid}/stream").json()["publishing"] is True
    # the same encoder reconnecting is fine; the show stays live
    assert nginx.publish(key_of(host, sid)).status_code == 302


def test_wrong_keys_are_refused_and_change_nothing(
    client: TestClient, nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    key = key_of(host, sid)
    mac = key.split("-", 1)[1]
    flipped = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    for wrong in ("", "nonsense", f"{sid}-{flipped}", f"{sid}-{mac[:-1]}", f"999999-{mac}"):
        r = nginx.publish(wrong)
        assert 400 <= r.status_code < 500, (wrong, r.text)
    assert_problem(nginx.publish(f"{sid}-{flipped}"), 403, "stream_key_refused")
    assert client.get(f"/api/shows/{sid}").json()["status"] == "scheduled"
    assert host.get(f"/api/shows/{sid}/stream").json()["publishing"] is False


def test_a_key_is_bound_to_its_own_show(nginx: Nginx, scheduled_show: Made) -> None:
    host_a, show_a = scheduled_show()
    _host_b, show_b = scheduled_show()
    mac_a = key_of(host_a, show_a["id"]).split("-", 1)[1]
    assert_problem(nginx.publish(f"{show_b['id']}-{mac_a}"), 403, "stream_key_refused")


def test_rotation_refuses_the_old_key(nginx: Nginx, scheduled_show: Made) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    old = key_of(host, sid)
    rotated = host.post(f"/api/shows/{sid}/stream/rotate")
    assert rotated.status_code == 200
    new = rotated.json()["stream_key"]
    assert new != old and key_of(host, sid) == new
    assert_problem(nginx.publish(old), 403, "stream_key_refused")
    assert nginx.publish(new).status_code == 302


def test_ended_show_refuses_its_key(client: TestClient, nginx: Nginx, scheduled_show: Made) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    key = key_of(host, sid)
    assert host.post(f"/api/shows/{sid}/end").status_code == 200
    body = assert_problem(nginx.publish(key), 403, "stream_key_refused")
    assert "ended" in body["detail"]
    assert client.get(f"/api/shows/{sid}").json()["status"] == "ended"


def test_encoder_stopping_ends_the_show_and_unpins(
    client: TestClient, nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    key = key_of(host, sid)
    assert nginx.publish(key, clientid="7").status_code == 302
    product_id = show["lineup"][0]["id"]
    assert host.post(f"/api/shows/{sid}/pin", json={"product_id": product_id}).status_code == 200
    # a notice about some other connection (a refused encoder) changes nothing
    assert nginx.publish_done(key, clientid="8").json() == {"ended": False}
    assert client.get(f"/api/shows/{sid}").json()["status"] == "live"
    with client.websocket_connect(f"/ws/shows/{sid}") as room:
        assert room.receive_json()["type"] == "hello"
        assert nginx.publish_done(key, clientid="7").json() == {"ended": True, "show_id": sid}
        assert receive_until(room, "video")["data"] == {"publishing": False}
        assert receive_until(room, "unpin")["type"] == "unpin"
        assert receive_until(room, "show.ended")["data"]["status"] == "ended"
    after = client.get(f"/api/shows/{sid}").json()
    assert after["status"] == "ended" and after["pinned"] is None and after["hls_url"] is None
    assert host.get(f"/api/shows/{sid}/stream").json()["publishing"] is False
    assert nginx.publish_done(key, clientid="7").json() == {"ended": False}  # repeated notice


def test_second_encoder_is_refused_until_the_key_is_rotated(
    nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    assert nginx.publish(key_of(host, sid), clientid="1").status_code == 302
    assert_problem(nginx.publish(key_of(host, sid), clientid="2"), 409, "already_publishing")
    new = host.post(f"/api/shows/{sid}/stream/rotate").json()
    assert new["publishing"] is False
    assert nginx.publish(new["stream_key"], clientid="2").status_code == 302


def test_many_encoders_at_once_exactly_one_is_accepted(
    client: TestClient, nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    sid = show["id"]
    key = key_of(host, sid)

    async def storm() -> list[int]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://nginx") as http:
            calls = [
                http.post(
                    "/api/media/rtmp/publish",
                    params={"secret": nginx.secret},
                    data=notice("publish", key, str(i)),
                )
                for i in range(40)
            ]
            return [r.status_code for r in await asyncio.gather(*calls)]

    codes = client.portal.call(storm)  # type: ignore[union-attr]
    assert sorted(codes) == [302] + [409] * 39, codes
    live = client.get(f"/api/shows/{sid}").json()
    assert live["status"] == "live" and live["hls_url"]


def test_callbacks_need_the_shared_secret_and_a_proper_notice(
    client: TestClient, nginx: Nginx, scheduled_show: Made
) -> None:
    host, show = scheduled_show()
    key = key_of(host, show["id"])
    assert_problem(nginx.publish(key, secret="guess"), 403, "bad_callback_secret")
    assert_problem(nginx.publish_done(key, secret=""), 403, "bad_callback_secret")
    assert_problem(client.post("/api/media/rtmp/publish", data=notice("publish", key)), 422)
    assert_problem(nginx.publish(key, app="hls"), 422, "invalid")
    r = client.post(
        "/api/media/rtmp/publish",
        params={"secret": nginx.secret},
        data={"call": "publish", "app": "live", "clientid": "x1", "name": key},
    )
    assert_problem(r, 422, "invalid")
    r = client.post(
        "/api/media/rtmp/publish_done",
        params={"secret": nginx.secret},
        data=notice("publish", key),
    )
    assert_problem(r, 422, "invalid")
    assert client.get(f"/api/shows/{show['id']}").json()["status"] == "scheduled"


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(name=st.text(min_size=1, max_size=80).filter(lambda s: "\x00" not in s))
def test_arbitrary_stream_names_are_refused_cleanly(nginx: Nginx, name: str) -> None:
    r = nginx.publish(name)
    assert r.status_code in (403, 422), (name, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
