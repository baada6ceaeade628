"""Product image uploads: only real images, within the size limit, by the product's owner."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from hawker.core.config import Settings
from tests.catalog.test_catalog_api import product_body
from tests.conftest import CHEAP_ARGON2, Api, assert_problem

LIMIT = 2000
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
GIF = b"GIF89a" + b"\x00" * 64
WEBP = b"RIFF\x40\x00\x00\x00WEBPVP8 " + b"\x00" * 64


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        max_upload_bytes=LIMIT,
        **CHEAP_ARGON2,  # type: ignore[arg-type]
    )


def stored(settings: Settings) -> list[Path]:
    return sorted(p for p in settings.media_dir.rglob("*") if p.is_file())


def upload(api: Api, pid: int, data: bytes, name: str = "x.png", kind: str = "image/png") -> Any:
    return api.post(f"/api/products/{pid}/image", files={"file": (name, data, kind)})


def test_real_images_are_stored_under_random_names_and_served(
    make_user: Callable[..., Api], settings: Settings
) -> None:
    merchant = make_user("merchant")
    pid = merchant.post("/api/products", json=product_body()).json()["id"]
    urls = []
    for data, ext in ((PNG, "png"), (JPEG, "jpg"), (GIF, "gif"), (WEBP, "webp"), (PNG, "png")):
        # the name and declared type are the uploader's claims; the bytes decide the extension
        r = upload(merchant, pid, data, name="photo.exe", kind="application/octet-stream")
        assert r.status_code == 200, r.text
        url = r.json()["image_url"]
        assert url.startswith("/media/products/") and url.endswith(f".{ext}")
        assert "photo" not in url
        assert merchant.client.get(url).content == data
        assert merchant.client.get(f"/api/products/{pid}").json()["image_url"] == url
        urls.append(url)
    assert len(set(urls)) == 5 and len(stored(settings)) == 5


def test_fake_empty_and_oversized_images_are_refused_and_change_nothing(
    make_user: Callable[..., Api], settings: Settings
) -> None:
    merchant = make_user("merchant")
    pid = merchant.post("/api/products", json=product_body()).json()["id"]
    url = upload(merchant, pid, PNG).json()["image_url"]
    before = merchant.client.get(f"/api/products/{pid}").json()
    for data in (b"just some text, honest", b"<svg onload=alert(1)>", b"", PNG[:4]):
        body = assert_problem(upload(merchant, pid, data, name="evil.png"), 422, "bad_image")
        assert body["detail"]
    assert_problem(upload(merchant, pid, PNG + b"\x00" * LIMIT), 422, "bad_image")
    exactly = PNG + b"\x00" * (LIMIT - len(PNG))
    assert upload(merchant, pid, exactly).status_code == 200
    merchant.patch(f"/api/products/{pid}", json={"image_url": url})
    assert merchant.client.get(f"/api/products/{pid}").json() == before
    assert len(stored(settings)) == 2  # only the two accepted uploads reached the disk


def test_uploads_need_the_owner_and_an_existing_product(
    client: TestClient, make_user: Callable[..., Api], settings: Settings
) -> None:
    owner, other, operator = make_user("merchant"), make_user("merchant"), make_user("operator")
    pid = owner.post("/api/products", json=product_body()).json()["id"]
    assert_problem(upload(other, pid, PNG), 403, "forbidden")
    assert_problem(upload(Api(client, "", {}), pid, PNG), 401)
    assert_problem(upload(owner, 999, PNG), 404, "not_found")
    assert_problem(owner.post(f"/api/products/{pid}/image", data={"file": "x"}), 422, "invalid")
    assert stored(settings) == []
    assert client.get(f"/api/products/{pid}").json()["image_url"] == ""
    assert upload(operator, pid, GIF).json()["image_url"].endswith(".gif")
