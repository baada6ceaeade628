"""Media storage port: where uploaded files (product images; later clips, posters, replays)
live, and the URL they are served from.

The embedded default is a local folder (``settings.media_dir``) served by Hawker at ``/media``.
Scaled out, every node must see the same files: mount one shared folder on every node, or put
an S3-compatible bucket behind this port (see docs/media.md: an adapter implementing ``put``
and ``delete`` with boto3/aiobotocore, objects served by the bucket's or a CDN's URL).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from hawker.infra.runtime import Runtime

# One folder level and a plain file name: no traversal, nothing a URL would need to escape.
_KEY = re.compile(r"^[a-z0-9_\-]{1,40}/[A-Za-z0-9_\-]{1,100}\.[a-z0-9]{1,8}$")


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"{key!r} is not a media key (folder/name.ext)")
    return key


class MediaStore(Protocol):
    def put(self, key: str, data: bytes) -> str:
        """Store ``data`` under ``key`` ("folder/name.ext") and return its public URL."""
        ...

    def delete(self, key: str) -> None: ...

    def put_file(self, key: str, path: Path) -> str:
        """Like ``put`` for a file on disk (a replay is too big to hold in memory)."""
        ...


class LocalMediaStore:
    def __init__(self, root: Path, url_prefix: str = "/media") -> None:
        self.root, self.url_prefix = root, url_prefix.rstrip("/")

    def put(self, key: str, data: bytes) -> str:
        path = self.root / check_key(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename: a reader never sees half a file
        partial = path.with_name(f".{path.name}.partial")
        partial.write_bytes(data)
        os.replace(partial, path)
        return f"{self.url_prefix}/{key}"

    def delete(self, key: str) -> None:
        (self.root / check_key(key)).unlink(missing_ok=True)

    def put_file(self, key: str, path: Path) -> str:
        target = self.root / check_key(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
        return f"{self.url_prefix}/{key}"


def media_store(rt: Runtime) -> MediaStore:
    """The runtime's store; an app factory may register another under ``services["media"]``."""
    store: MediaStore = rt.services.setdefault("media", LocalMediaStore(rt.settings.media_dir))
    return store
