"""Product image uploads: accepted only when the bytes really are an image we can serve."""

from __future__ import annotations

from hawker.catalog.errors import BadImage
from hawker.core.ids import new_token
from hawker.infra.media import MediaStore

# Magic numbers of the formats browsers display; the file name and the declared content type
# are the uploader's claims, the first bytes are the truth.
SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


def sniff(data: bytes) -> str:
    for magic, ext in SIGNATURES.items():
        if data.startswith(magic):
            return ext
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    raise BadImage("the upload is not a PNG, JPEG, GIF or WebP image")


def store_image(store: MediaStore, data: bytes, max_bytes: int) -> str:
    """Store the image under ``products/`` and return its public URL."""
    if not data:
        raise BadImage("the upload is empty")
    if len(data) > max_bytes:
        raise BadImage(f"images may be at most {max_bytes // 1000} kB")
    return store.put(f"products/{new_token(12)}.{sniff(data)}", data)
