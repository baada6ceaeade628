"""A thin client of Hawker's public JSON API, used by the demo audience and the simulator."""

from __future__ import annotations

import uuid
from typing import Any

import httpx2 as httpx


class ApiError(Exception):
    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        super().__init__(f"{status} {problem.get('code')}: {problem.get('detail')}")
        self.status = status
        self.code = str(problem.get("code", ""))


class HawkerClient:
    """One account talking to the API with its bearer token."""

    def __init__(
        self, http: httpx.AsyncClient, token: str = "", user: dict[str, Any] | None = None
    ):
        self.http = http
        self.token = token
        self.user = user or {}

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    async def call(
        self, method: str, url: str, *, json: Any = None, idempotent: bool = False
    ) -> Any:
        headers = dict(self.headers)
        if idempotent:
            headers["Idempotency-Key"] = uuid.uuid4().hex
        r = await self.http.request(method, url, json=json, headers=headers)
        if r.status_code >= 400:
            body = r.json() if r.headers.get("content-type", "").endswith("json") else {}
            raise ApiError(r.status_code, body)
        return r.json() if r.content else None

    async def sign_up(self, email: str, password: str, name: str, roles: list[str]) -> None:
        body = {"email": email, "password": password, "display_name": name, "roles": roles}
        data = await self.call("POST", "/api/auth/signup", json=body)
        self.token, self.user = data["token"], data["user"]

    async def log_in(self, email: str, password: str) -> None:
        data = await self.call(
            "POST", "/api/auth/login", json={"email": email, "password": password}
        )
        self.token, self.user = data["token"], data["user"]

    def ws_url(self, base_url: str, show_id: int, after: int = 0) -> str:
        ws = base_url.replace("http://", "ws://").replace("https://", "wss://")
        return f"{ws}/ws/shows/{show_id}?token={self.token}&after={after}"
