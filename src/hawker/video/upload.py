"""Receive a clip upload (multipart/form-data) as it streams in: the file part goes straight to
a file on disk and the upload is refused the moment it passes the size limit, so neither memory
nor disk ever holds more than the limit. Starlette's own form parsing would spool the whole
body first."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from python_multipart.multipart import MultipartParser, parse_options_header

from hawker.video.errors import BadUpload, ClipTooLarge

FIELD_MAX = 4096  # bytes of a non-file field (the caption, product ids)
FIELDS = {"caption", "product_ids"}


@dataclass
class Received:
    fields: dict[str, list[str]] = field(default_factory=dict)
    size: int = 0  # bytes of the file part; 0: no file was sent


class _Parts:
    """python-multipart callbacks: tracks the current part and routes its bytes."""

    def __init__(self, out: IO[bytes], limit: int, into: Received) -> None:
        self.out, self.limit, self.into = out, limit, into
        self.header_field = b""
        self.header_value = b""
        self.name = ""
        self.is_file = False
        self.value = bytearray()

    def on_part_begin(self) -> None:
        self.name, self.is_file, self.value = "", False, bytearray()

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_field.lower() == b"content-disposition":
            _, params = parse_options_header(self.header_value)
            self.name = params.get(b"name", b"").decode(errors="replace")
            self.is_file = b"filename" in params
        self.header_field = self.header_value = b""

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.is_file and self.name == "file":
            self.into.size += len(chunk)
            if self.into.size > self.limit:
                raise ClipTooLarge(f"clips may be at most {self.limit:,} bytes")
            self.out.write(chunk)
        elif self.name in FIELDS:
            self.value += chunk
            if len(self.value) > FIELD_MAX:
                raise BadUpload(f"the field {self.name!r} is too long")
        # other parts are ignored, as a form with extra inputs would be

    def on_part_end(self) -> None:
        if self.name in FIELDS and not self.is_file:
            text = self.value.decode("utf-8", errors="strict") if self.value else ""
            self.into.fields.setdefault(self.name, []).append(text)


async def receive_clip(
    content_type: str, body: AsyncIterator[bytes], dst: Path, limit: int
) -> Received:
    """Stream the form's ``file`` part into ``dst``; return the other fields."""
    kind, params = parse_options_header(content_type)
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise BadUpload("send the clip as multipart/form-data with a 'file' part")
    received = Received()
    with dst.open("wb") as out:
        parts = _Parts(out, limit, received)
        parser = MultipartParser(
            boundary,
            {
                "on_part_begin": parts.on_part_begin,
                "on_header_field": parts.on_header_field,
                "on_header_value": parts.on_header_value,
                "on_header_end": parts.on_header_end,
                "on_part_data": parts.on_part_data,
                "on_part_end": parts.on_part_end,
            },
        )
        try:
            async for chunk in body:
                parser.write(chunk)
            parser.finalize()
        except UnicodeDecodeError as e:
            raise BadUpload("form fields must be UTF-8 text") from e
        except ValueError as e:  # python-multipart's parse errors are ValueErrors
            raise BadUpload(f"the multipart body could not be read: {e}") from e
    if received.size == 0:
        raise BadUpload("no clip was sent: add the video as the form's 'file' part")
    return received
