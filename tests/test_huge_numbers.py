"""Invariant 7 at the edges of the number line: ids and quantities beyond what the database's
columns hold are the client's input, answered 4xx with a problem body, never 500."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Api

HUGE = (2**31, 2**63, 2**70)


@pytest.mark.parametrize("number", HUGE)
def test_huge_ids_in_paths_and_bodies(
    number: int, client: TestClient, make_user: Callable[..., Api]
) -> None:
    buyer = make_user()
    for path in (f"/api/shows/{number}", f"/api/products/{number}", f"/api/videos/{number}"):
        r = client.get(path)
        assert r.status_code in (404, 422), (path, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
    r = buyer.post(
        "/api/orders",
        json={"items": [{"sku_id": number, "quantity": 1}]},
        headers={"Idempotency-Key": f"huge-{number}"},
    )
    assert r.status_code in (404, 422), r.text
    assert buyer.get("/api/orders").json() == []
