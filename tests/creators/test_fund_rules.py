"""Creator fund rules without storage: which views qualify, and how a pool is split (a
hypothesis property: shares are whole minor units, add up to the pool and stay within one
minor unit of the exact pro-rata share)."""

from datetime import datetime, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from hawker.creators.fund import Rules, View, qualify, split_pool

RULES = Rules(min_watch_ms=3000, burst_window_s=3600, max_view_ms=60_000)
T0 = datetime(2026, 11, 1, 12, 0)
HOST, OTHER_HOST, FAN, FAN2 = 10, 11, 20, 21


def view(
    viewer: int | None = FAN,
    ms: int = 5000,
    minutes: float = 0,
    video: int = 1,
    host: int = HOST,
    duration_ms: int = 30_000,
) -> View:
    return View(viewer, T0 + timedelta(minutes=minutes), ms, video, host, duration_ms)


def watch_of(*views: View) -> dict[int, tuple[int, int]]:
    return {host: (w.ms, w.views) for host, w in qualify(views, RULES).items()}


def test_a_signed_in_viewer_watching_long_enough_qualifies() -> None:
    assert watch_of(view(ms=3000)) == {HOST: (3000, 1)}


def test_a_short_view_does_not_qualify() -> None:
    assert watch_of(view(ms=2999)) == {}


def test_the_host_watching_their_own_clip_does_not_qualify() -> None:
    assert watch_of(view(viewer=HOST)) == {}


def test_an_anonymous_view_does_not_qualify() -> None:
    assert watch_of(view(viewer=None, ms=30_000)) == {}


def test_a_burst_from_one_viewer_counts_once_per_window() -> None:
    burst = [view(minutes=m) for m in (0, 1, 2, 59.9)]
    assert watch_of(*burst) == {HOST: (5000, 1)}
    # the window runs from the last qualified view: 60 min later counts again
    assert watch_of(*burst, view(minutes=60), view(minutes=61)) == {HOST: (10_000, 2)}
    # a short view does not open a window
    assert watch_of(view(ms=100), view(minutes=1)) == {HOST: (5000, 1)}


def test_two_viewers_and_two_clips_each_count() -> None:
    views = [view(), view(viewer=FAN2), view(video=2), view(video=3, host=OTHER_HOST)]
    assert watch_of(*views) == {HOST: (15_000, 3), OTHER_HOST: (5000, 1)}


def test_watch_time_is_capped_at_the_clip_length_or_the_setting() -> None:
    assert watch_of(view(ms=3_600_000, duration_ms=12_000)) == {HOST: (12_000, 1)}
    assert watch_of(view(ms=3_600_000, duration_ms=0)) == {HOST: (60_000, 1)}
    # capped below the minimum: a 2 s clip looped for a minute does not qualify
    assert watch_of(view(ms=60_000, duration_ms=2000)) == {}


def test_the_pool_goes_by_largest_remainder_ties_to_the_lower_host_id() -> None:
    assert split_pool(1000, {3: 1, 1: 1, 2: 1}) == {1: 334, 2: 333, 3: 333}
    assert split_pool(10, {1: 1, 2: 2}) == {1: 3, 2: 7}  # 3.33 and 6.67: the 0.67 wins
    assert split_pool(1, {5: 10, 6: 10}) == {5: 1, 6: 0}
    assert split_pool(500, {}) == {}


@given(
    pool=st.integers(1, 10**15),
    weights=st.dictionaries(st.integers(1, 10**6), st.integers(1, 10**10), min_size=1),
)
def test_shares_are_whole_sum_to_the_pool_and_are_within_a_unit(
    pool: int, weights: dict[int, int]
) -> None:
    shares = split_pool(pool, weights)
    total = sum(weights.values())
    assert set(shares) == set(weights)
    assert sum(shares.values()) == pool
    for host, share in shares.items():
        assert isinstance(share, int) and share >= 0
        assert abs(share - Fraction(pool * weights[host], total)) < 1
