"""The room over WebSocket: chat, resume after reconnect, coalescing, moderation."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from tests.conftest import Api, assert_problem


def receive_until(ws: WebSocketTestSession, kind: str, limit: int = 50) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} event")


def connect(
    client: TestClient, sid: int, user: Api | None = None, after: int = 0
) -> WebSocketTestSession:
    token = f"&token={user.token}" if user else ""
    return client.websocket_connect(f"/ws/shows/{sid}?after={after}{token}")


def test_chat_reaches_another_viewer_raw_and_in_order(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    alice, bob = make_user(name="Alice"), make_user(name="Bob")
    with connect(client, sid, alice) as a, connect(client, sid, bob) as b:
        assert a.receive_json()["type"] == "hello"
        assert b.receive_json()["type"] == "hello"
        a.send_json({"type": "chat", "text": "<script>alert(1)</script>"})
        got = receive_until(b, "chat")
        assert got["data"]["name"] == "Alice"
        assert got["data"]["text"] == "<script>alert(1)</script>"  # data, escaped when shown
        a.send_json({"type": "chat", "text": "second"})
        second = receive_until(b, "chat")
        assert second["seq"] > got["seq"]
    texts = [m["text"] for m in ctx["host"].get(f"/api/shows/{sid}/chat").json()]
    assert texts == ["<script>alert(1)</script>", "second"]


def test_reconnect_with_after_gets_exactly_what_was_missed(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    viewer = make_user()
    with connect(client, sid, viewer) as ws:
        last = ws.receive_json()["seq"]
    for i in range(3):
        host.post(f"/api/shows/{sid}/chat", json={"text": f"missed {i}"})
    host.post(f"/api/shows/{sid}/pin", json={"product_id": ctx["products"][0]["id"]})
    with connect(client, sid, viewer, after=last) as ws:
        hello = ws.receive_json()
        assert hello["type"] == "hello"
        replay = [ws.receive_json() for _ in range(hello["seq"] - last)]
    seqs = [m["seq"] for m in replay]
    assert seqs == list(range(last + 1, hello["seq"] + 1))  # in order, no gaps, no duplicates
    chats = [m["data"]["text"] for m in replay if m["type"] == "chat"]
    assert chats == ["missed 0", "missed 1", "missed 2"]
    assert any(m["type"] == "pin" for m in replay)


def test_resync_when_history_no_longer_reaches_back(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    chatters = [make_user() for _ in range(9)]
    for user in chatters:  # 27 events > history of 20
        for i in range(3):
            user.post(f"/api/shows/{sid}/chat", json={"text": f"m{i}"})
    with connect(client, sid, after=1) as ws:
        assert ws.receive_json()["type"] == "hello"
        assert ws.receive_json()["type"] == "resync"


def test_likes_are_coalesced_into_totals(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    with connect(client, sid) as watcher, connect(client, sid, make_user()) as liker:
        watcher.receive_json()
        liker.receive_json()
        for _ in range(100):
            liker.send_json({"type": "like", "count": 1})
        events, total = 0, 0
        while total < 100:
            message = watcher.receive_json()
            if message["type"] == "likes":
                events += 1
                total = message["data"]["total"]
    assert total == 100
    assert events < 20  # one event per flush, not one per tap
    assert ctx["host"].get(f"/api/shows/{sid}").status_code == 200


def test_viewer_count_follows_connections(live_show: Callable[..., dict[str, Any]]) -> None:
    ctx = live_show()
    sid, client = ctx["show"]["id"], ctx["host"].client
    with connect(client, sid) as first:
        first.receive_json()
        with connect(client, sid) as second:
            second.receive_json()
            counts = [receive_until(first, "viewers")["data"]["count"]]
            while counts[-1] != 2:
                counts.append(receive_until(first, "viewers")["data"]["count"])
            assert client.get(f"/api/shows/{sid}/viewers").json() == {"count": 2}
        assert receive_until(first, "viewers")["data"]["count"] == 1


def test_chat_rules_length_rate_mute_delete_and_anonymous(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    fan, troll = make_user(), make_user()
    with connect(client, sid) as anon:
        anon.receive_json()
        anon.send_json({"type": "chat", "text": "hi"})
        assert receive_until(anon, "error")["code"] == "login_required"
    with connect(client, sid, fan) as ws:
        ws.receive_json()
        ws.send_json({"type": "chat", "text": "x" * 201})
        assert receive_until(ws, "error")["code"] == "too_long"
        for i in range(3):
            ws.send_json({"type": "chat", "text": f"hello {i}"})
        ws.send_json({"type": "chat", "text": "one too many"})
        error = receive_until(ws, "error")
        assert error["code"] == "rate_limited" and "try again" in error["detail"]
    message_id = host.get(f"/api/shows/{sid}/chat").json()[0]["id"]
    assert host.delete(f"/api/shows/{sid}/chat/{message_id}").status_code == 204
    assert message_id not in [m["id"] for m in host.get(f"/api/shows/{sid}/chat").json()]
    assert_problem(fan.delete(f"/api/shows/{sid}/chat/{message_id}"), 403)
    assert (
        host.post(f"/api/shows/{sid}/mutes", json={"user_id": troll.user["id"]}).status_code == 204
    )
    body = assert_problem(troll.post(f"/api/shows/{sid}/chat", json={"text": "spam"}), 403, "muted")
    assert "muted" in body["detail"]
    with connect(client, sid, troll) as ws:
        ws.receive_json()
        ws.send_json({"type": "chat", "text": "spam"})
        assert receive_until(ws, "error")["code"] == "muted"
    for _ in range(3):  # refused messages do not use up the rate budget
        assert_problem(troll.post(f"/api/shows/{sid}/chat", json={"text": "spam"}), 403)
    host.delete(f"/api/shows/{sid}/mutes/{troll.user['id']}")
    assert troll.post(f"/api/shows/{sid}/chat", json={"text": "sorry"}).status_code == 201


def test_studio_socket_is_for_the_host(
    live_show: Callable[..., dict[str, Any]], make_user: Callable[..., Api]
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    with client.websocket_connect(f"/ws/studio/{sid}?token={host.token}") as ws:
        assert ws.receive_json()["type"] == "stats"
    stranger = make_user()
    try:
        with client.websocket_connect(f"/ws/studio/{sid}?token={stranger.token}") as ws:
            ws.receive_json()
        raise AssertionError("a stranger got the studio feed")
    except Exception as e:  # starlette raises WebSocketDisconnect with the close code
        assert getattr(e, "code", None) == 4403


def test_after_zero_replays_from_the_start_and_no_after_streams_live_only(
    live_show: Callable[..., dict[str, Any]],
) -> None:
    ctx = live_show()
    sid, host, client = ctx["show"]["id"], ctx["host"], ctx["host"].client
    host.post(f"/api/shows/{sid}/chat", json={"text": "before you came"})
    with connect(client, sid, after=0) as ws:
        hello = ws.receive_json()
        replay = [ws.receive_json() for _ in range(hello["seq"])]
    assert [m["seq"] for m in replay] == list(range(1, hello["seq"] + 1))
    assert any(m["type"] == "chat" and m["data"]["text"] == "before you came" for m in replay)
    with client.websocket_connect(f"/ws/shows/{sid}") as ws:
        assert ws.receive_json()["type"] == "hello"
        host.post(f"/api/shows/{sid}/chat", json={"text": "now"})
        assert receive_until(ws, "chat")["data"]["text"] == "now"
