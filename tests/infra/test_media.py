"""The local media store: files land under the media folder, keys cannot escape it."""

from pathlib import Path

import pytest

from hawker.infra.media import LocalMediaStore


def test_put_writes_the_file_and_returns_its_url(tmp_path: Path) -> None:
    store = LocalMediaStore(tmp_path)
    assert store.put("posters/show-1.jpg", b"jpeg bytes") == "/media/posters/show-1.jpg"
    assert (tmp_path / "posters" / "show-1.jpg").read_bytes() == b"jpeg bytes"
    assert store.put("posters/show-1.jpg", b"new") == "/media/posters/show-1.jpg"  # replace
    assert (tmp_path / "posters" / "show-1.jpg").read_bytes() == b"new"
    assert [p.name for p in (tmp_path / "posters").iterdir()] == ["show-1.jpg"]
    store.delete("posters/show-1.jpg")
    store.delete("posters/show-1.jpg")  # already gone is fine
    assert not (tmp_path / "posters" / "show-1.jpg").exists()


@pytest.mark.parametrize(
    "key",
    ["../x.jpg", "a/../../x.jpg", "/etc/passwd.txt", "a/b/c.jpg", "a/x", "a/.x.jpg", "A/x.jpg"],
)
def test_keys_that_could_escape_are_refused(tmp_path: Path, key: str) -> None:
    with pytest.raises(ValueError):
        LocalMediaStore(tmp_path / "media").put(key, b"x")
    assert not any(tmp_path.rglob("x*"))


def test_put_file_copies_a_file_too_big_for_memory(tmp_path: Path) -> None:
    source = tmp_path / "replay.mp4"
    source.write_bytes(b"\x00ftyp" * 1000)
    store = LocalMediaStore(tmp_path / "media")
    assert store.put_file("replays/show-1-2.mp4", source) == "/media/replays/show-1-2.mp4"
    assert (tmp_path / "media" / "replays" / "show-1-2.mp4").read_bytes() == source.read_bytes()
    assert source.exists()  # the caller's file is left alone
    assert [p.name for p in (tmp_path / "media" / "replays").iterdir()] == ["show-1-2.mp4"]
    with pytest.raises(ValueError):
        store.put_file("../x.mp4", source)
