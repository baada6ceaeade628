"""Where pins fall in a replay, when a recording started, and which notices name a recording:
pure rules, no storage."""

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hawker.video.errors import BadRecording
from hawker.video.replays import Moment, Pin, check_recording, product_moments, recording_start

T0 = datetime(2026, 5, 1, 12, 0, 0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_pins_become_moments_at_their_offsets() -> None:
    pins = [
        Pin(2, at(40), at(70)),
        Pin(1, at(10), at(40)),
        Pin(1, at(70), None),  # pinned again: a second moment
    ]
    assert product_moments(pins, T0, 100.0) == [Moment(1, 10.0), Moment(2, 40.0), Moment(1, 70.0)]


def test_pins_outside_the_recording_are_dropped_or_clamped() -> None:
    pins = [
        Pin(1, at(-30), at(-5)),  # over before the recording began: dropped
        Pin(2, at(-5), at(20)),  # up when the recording began: a moment at 0
        Pin(3, at(100), None),  # made as the recording ended: dropped
        Pin(4, at(150), at(160)),  # after it: dropped
        Pin(5, at(-1), at(0)),  # taken down the instant recording began: dropped
    ]
    assert product_moments(pins, T0, 100.0) == [Moment(2, 0.0)]


def test_no_pins_no_moments() -> None:
    assert product_moments([], T0, 30.0) == []


pin_times = st.floats(min_value=-500, max_value=500, allow_nan=False)


@given(
    st.lists(st.tuples(st.integers(1, 5), pin_times, st.none() | pin_times), max_size=20),
    st.floats(min_value=0.1, max_value=400),
)
def test_moments_lie_in_the_replay_in_time_order(
    raw: list[tuple[int, float, float | None]], duration: float
) -> None:
    pins = [
        Pin(pid, at(start), None if end is None else at(max(start, end))) for pid, start, end in raw
    ]
    moments = product_moments(pins, T0, duration)
    offsets = [m.offset_s for m in moments]
    assert all(0 <= o < duration for o in offsets)
    assert offsets == sorted(offsets)
    # exactly the pins whose time up overlaps the recording, one moment each
    overlapping = [
        p
        for p in pins
        if p.pinned_at < at(duration) and (p.unpinned_at is None or p.unpinned_at > T0)
    ]
    assert len(moments) == len(overlapping)
    assert sorted(m.product_id for m in moments) == sorted(p.product_id for p in overlapping)


STAMP = int((T0 - datetime(1970, 1, 1)).total_seconds())


def test_recording_start_is_the_end_minus_the_length_within_the_named_second() -> None:
    assert recording_start(STAMP, at(60.4), 60.0) == at(0.4)
    # the stream idled before nginx closed the file: never before the second it opened it
    assert recording_start(STAMP, at(75.0), 60.0) == at(1.0)
    assert recording_start(STAMP, at(59.0), 60.0) == at(0.0)


def test_a_recording_must_be_ours_and_match_its_show(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    good = check_recording(folder, "show-12", f"{folder}/show-12-{STAMP}.flv")
    assert (good.show_id, good.stamp, good.path) == (12, STAMP, folder / f"show-12-{STAMP}.flv")
    for name, path in [
        ("show-12", f"{folder}/show-13-{STAMP}.flv"),  # another show's file
        ("show-12", f"{folder}/../secret_key"),
        ("show-12", f"{folder}/../recordings/../show-12-{STAMP}.flv"),
        ("show-12", f"/etc/show-12-{STAMP}.flv"),
        ("show-12", f"show-12-{STAMP}.flv"),  # relative
        ("show-12", f"{folder}/show-12-{STAMP}.mp4"),
        ("12-abc", f"{folder}/show-12-{STAMP}.flv"),  # a stream key, not a show's name
        ("show-x", f"{folder}/show-x-{STAMP}.flv"),
    ]:
        with pytest.raises(BadRecording):
            check_recording(folder, name, path)
