"""Video fixtures: shows with hosts, and nginx-rtmp's callback posts as nginx sends them."""

from collections.abc import Callable
from typing import Any

import httpx2 as httpx
import pytest
from fastapi.testclient import TestClient

from hawker.infra.runtime import runtime_of
from hawker.video.service import callback_secret
from tests.conftest import Api


def notice(call: str, name: str, clientid: str = "1", app: str = "live") -> dict[str, str]:
    """The form nginx-rtmp posts (field for field, as captured from nginx 1.22 + rtmp 1.2)."""
    return {
        "app": app,
        "flashver": "FMLE/3.0 (compatible; Lavf59.27",
        "swfurl": "",
        "tcurl": "rtmp://127.0.0.1:1935/live",
        "pageurl": "",
        "addr": "127.0.0.1",
        "clientid": clientid,
        "call": call,
        "name": name,
        "type": "live",
    }


class Nginx:
    """Posts nginx's callbacks to the app, with the shared secret unless told otherwise."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.secret = callback_secret(runtime_of(client.app).settings.secret_key)

    def publish(self, key: str, clientid: str = "1", **kw: Any) -> httpx.Response:
        return self._post("publish", key, clientid, **kw)

    def publish_done(self, key: str, clientid: str = "1", **kw: Any) -> httpx.Response:
        return self._post("publish_done", key, clientid, **kw)

    def _post(
        self, call: str, key: str, clientid: str, secret: str | None = None, app: str = "live"
    ) -> httpx.Response:
        return self.client.post(
            f"/api/media/rtmp/{call}",
            params={"secret": self.secret if secret is None else secret},
            data=notice(call, key, clientid, app),
            follow_redirects=False,
        )


@pytest.fixture
def nginx(client: TestClient) -> Nginx:
    return Nginx(client)


@pytest.fixture
def scheduled_show(make_user: Callable[..., Api]) -> Callable[..., tuple[Api, dict[str, Any]]]:
    """A host and one of their scheduled shows (one product in the line-up)."""

    def make() -> tuple[Api, dict[str, Any]]:
        merchant, host = make_user("merchant"), make_user("host")
        product = merchant.post(
            "/api/products",
            json={
                "title": "Mug",
                "skus": [{"name": "One", "price": 900, "currency": "USD", "stock": 5}],
            },
        ).json()
        show = host.post(
            "/api/shows",
            json={
                "title": "Morning mugs",
                "scheduled_start": "2026-01-01T10:00:00Z",
                "product_ids": [product["id"]],
            },
        ).json()
        return host, show

    return make
