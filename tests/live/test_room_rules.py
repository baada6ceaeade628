"""Room sockets at their edges: slow clients, cookies across sites, moderation events, bad
frames, the studio feed and the analytics a room leaves behind."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from hawker.accounts import service as accounts
from hawker.analytics.service import list_events
from hawker.infra.runtime import runtime_of
from hawker.live.service import room_channel
from tests.conftest import Api
from tests.live.test_room_socket import connect, receive_until

XSS = "<script>alert(1)</script>"


def session_cookie(client: TestClient, api: Api) -> str:
    rt = runtime_of(client.app)

    async def start() -> str:
        async with rt.db.write() as s:
            user = await accounts.access_user(s, api.user["id"])
            return await accounts.do_start_session(s, user, 1)

    return str(client.portal.call(start))  # type: ignore[union-attr]


def events(client: TestClient, show_id: int, kind: str) -> list[Any]:
    rt = runtime_of(client.app)

    async def read() -> list[Any]:
        async with rt.db.read() as s:
            return await list_events(s, type=kind, show_id=show_id)

    return list(client.portal.call(read))  # type: ignore[union-attr]


def close_code(client: TestClient, url: str) -> int:
    """The code a socket the server refuses is closed with."""
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(url) as ws:
        ws.receive_json()
    return closed.value.code


# A socket is dropped when its sends wait on a full TCP buffer and its outbox fills
# (tests/live/test_outbox.py); the test client's transport never fills, so the bus drops the
# subscriber here (as for a lost Redis connection) and the room must close with 4000.
def test_a_slow_client_is_closed_with_4000_and_told_to_resync(
    live_show: Callable[..., dict[str, Any]],
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    bus = runtime_of(client.app).bus

    async def burst_then_drop() -> None:
        for i in range(100):  # past the room's history (20)
            await bus.publish(room_channel(sid), "chat", {"id": i, "text": "flood"})
        rooms = getattr(bus, "_channels", None) or getattr(bus, "_rooms", {})  # either adapter
        for sub in list(rooms[room_channel(sid)].subscribers):
            sub.drop()

    with connect(client, sid) as ws:
        last = ws.receive_json()["seq"]
        client.portal.call(burst_then_drop)
        with pytest.raises(WebSocketDisconnect) as closed:
            for _ in range(200):
                ws.receive_json()
    assert closed.value.code == 4000
    with connect(client, sid, after=last) as ws:
        assert ws.receive_json()["type"] == "hello"
        assert ws.receive_json()["type"] == "resync"  # history (20) no longer reaches back


def test_a_seq_from_a_room_the_server_forgot_gets_resync(
    live_show: Callable[..., dict[str, Any]],
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    with connect(client, sid, after=10_000) as ws:
        hello = ws.receive_json()
        ctx["host"].post(f"/api/shows/{sid}/chat", json={"text": "after the restart"})
        assert ws.receive_json() == {"type": "resync", "seq": hello["seq"], "data": {}}
        assert ws.receive_json()["seq"] == hello["seq"] + 1


def test_session_cookie_counts_only_from_the_same_origin(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    fan = make_user()
    cookie = f"hawker_session={session_cookie(client, fan)}"
    url = f"/ws/shows/{sid}"
    same = {"cookie": cookie, "origin": "http://testserver"}
    with client.websocket_connect(url, headers=same) as ws:
        assert ws.receive_json()["data"]["user_id"] == fan.user["id"]
        ws.send_json({"type": "chat", "text": "from my own tab"})
        assert receive_until(ws, "chat")["data"]["user_id"] == fan.user["id"]
    evil = {"cookie": cookie, "origin": "http://evil.example"}
    with client.websocket_connect(url, headers=evil) as ws:
        assert ws.receive_json()["data"]["user_id"] is None
        ws.send_json({"type": "chat", "text": "posted by another site"})
        assert receive_until(ws, "error")["code"] == "login_required"
    texts = [m["text"] for m in ctx["host"].get(f"/api/shows/{sid}/chat").json()]
    assert texts == ["from my own tab"]


def test_moderation_reaches_the_room(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    troll = make_user()
    said = troll.post(f"/api/shows/{sid}/chat", json={"text": "spam"}).json()
    with connect(client, sid, troll) as ws:
        ws.receive_json()
        assert host.delete(f"/api/shows/{sid}/chat/{said['id']}").status_code == 204
        assert receive_until(ws, "chat.deleted")["data"] == {"id": said["id"]}
        host.post(f"/api/shows/{sid}/mutes", json={"user_id": troll.user["id"]})
        assert receive_until(ws, "user.muted")["data"] == {"user_id": troll.user["id"]}
        ws.send_json({"type": "chat", "text": "let me talk"})
        error = receive_until(ws, "error")
        assert error["code"] == "muted" and "muted" in error["detail"]


def test_pins_line_up_changes_and_the_end_reach_the_room(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    products = ctx["products"]
    fan = make_user()

    def events_until(ws: WebSocketTestSession, marker: str) -> list[dict[str, Any]]:
        seen = [ws.receive_json()]
        while seen[-1]["type"] != marker:
            seen.append(ws.receive_json())
        return [m for m in seen[:-1] if m["type"] != "viewers" and m["seq"] > start]

    with connect(client, sid, fan) as ws:
        start = ws.receive_json()["seq"]  # the replay of earlier events is not under test here
        host.post(f"/api/shows/{sid}/pin", json={"product_id": products[0]["id"]})
        host.post(f"/api/shows/{sid}/chat", json={"text": "marker"})
        (pin,) = events_until(ws, "chat")
        assert pin["type"] == "pin" and pin["data"]["product"]["title"] == "Lipstick"
        lineup = host.put(f"/api/shows/{sid}/lineup", json={"product_ids": [products[1]["id"]]})
        assert lineup.json()["pinned"] is None
        host.post(f"/api/shows/{sid}/chat", json={"text": "marker"})
        assert [(m["type"], m["data"]) for m in events_until(ws, "chat")] == [("unpin", {})]
        host.post(f"/api/shows/{sid}/end")  # nothing pinned now: no second unpin
        ws.send_json({"type": "chat", "text": "too late"})
        ended = events_until(ws, "error")
        assert [(m["type"], m["data"]) for m in ended] == [("show.ended", {"status": "ended"})]
    late = fan.post(f"/api/shows/{sid}/chat", json={"text": "too late"})
    assert late.status_code == 409 and late.json()["code"] == "show_not_live"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("not json", "bad_message"),
        ([1, 2], "bad_message"),
        ({"type": "dance"}, "bad_message"),
        ({"type": "like", "count": 0}, "invalid"),
        ({"type": "like", "count": 51}, "invalid"),
        ({"type": "like", "count": "9"}, "invalid"),
        ({"type": "like", "count": True}, "invalid"),
        ({"type": "chat", "text": 5}, "invalid"),
        ({"type": "chat", "text": "   "}, "empty"),
    ],
)
def test_bad_frames_get_an_error_and_the_socket_stays_open(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api], frame: Any, code: str
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    with connect(client, sid, make_user()) as ws:
        ws.receive_json()
        if isinstance(frame, str):
            ws.send_text(frame)
        else:
            ws.send_json(frame)
        error = receive_until(ws, "error")
        assert error["code"] == code and error["detail"]
        ws.send_bytes(b"\x00")
        assert receive_until(ws, "error")["code"] == "bad_message"
        ws.send_json({"type": "chat", "text": "still here"})
        assert receive_until(ws, "chat")["data"]["text"] == "still here"
    assert ctx["host"].get(f"/api/shows/{sid}").json()["status"] == "live"


def test_unknown_show_and_bad_after_close_the_socket(client: TestClient) -> None:
    assert close_code(client, "/ws/shows/999") == 4404
    assert close_code(client, "/ws/studio/999") == 4403  # anonymous: refused before the look-up
    assert close_code(client, "/ws/shows/1?after=soon") == 1008


def test_studio_feed_for_host_and_operator_counts_viewers(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    operator = make_user("operator")
    with client.websocket_connect(f"/ws/studio/{sid}?token={operator.token}") as ws:
        assert ws.receive_json()["data"] == {"viewers": 0}
    with client.websocket_connect(f"/ws/studio/{sid}?token={host.token}") as studio:
        assert studio.receive_json() == {"type": "stats", "seq": 0, "data": {"viewers": 0}}
        with connect(client, sid) as viewer:
            viewer.receive_json()
            assert receive_until(studio, "stats")["data"] == {"viewers": 1}
    assert close_code(client, f"/ws/studio/999?token={host.token}") == 4404
    assert close_code(client, f"/ws/studio/{sid}?token={make_user('host').token}") == 4403


def test_room_activity_lands_in_the_event_log(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    fan = make_user()
    with connect(client, sid, fan) as ws:
        ws.receive_json()
        ws.send_json({"type": "chat", "text": "hi"})
        receive_until(ws, "chat")
        for _ in range(7):
            ws.send_json({"type": "like", "count": 3})
        total = 0
        while total < 21:
            total = receive_until(ws, "likes")["data"]["total"]
    assert [e.user_id for e in events(client, sid, "room.join")] == [fan.user["id"]]
    assert [e.user_id for e in events(client, sid, "chat")] == [fan.user["id"]]
    assert sum(e.value for e in events(client, sid, "like")) == 21
    (leave,) = events(client, sid, "room.leave")
    assert leave.user_id == fan.user["id"] and leave.value >= 0


def test_chat_text_is_data_in_json_and_escaped_in_html(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    fan = make_user()
    assert fan.post(f"/api/shows/{sid}/chat", json={"text": XSS}).json()["text"] == XSS
    assert client.get(f"/api/shows/{sid}/chat").json()[0]["text"] == XSS
    for page in (f"/shows/{sid}", "/"):
        html = client.get(page).text
        assert XSS not in html, page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/shows/{sid}").text
