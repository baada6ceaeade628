"""Group commit on its own (no Redis): who leaves together, in what order, and what happens to
callers that give up or whose call fails."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hawker.infra.group_commit import GroupCommit


class Server:
    """Answers each request with (key, request * 10) after a short round trip."""

    def __init__(self, delay: float = 0.002) -> None:
        self.delay = delay
        self.calls: list[tuple[str, list[int]]] = []
        self.in_flight: dict[str, int] = {}
        self.fail: set[int] = set()

    async def send(self, key: str, requests: Sequence[int]) -> list[tuple[str, int]]:
        assert not self.in_flight.get(key), "two calls in flight for one key"
        self.in_flight[key] = 1
        self.calls.append((key, list(requests)))
        try:
            await asyncio.sleep(self.delay)
            if self.fail & set(requests):
                raise ConnectionError("down")
            return [(key, r * 10) for r in requests]
        finally:
            self.in_flight[key] = 0


async def test_a_lone_request_leaves_at_once_and_alone() -> None:
    server = Server(delay=0)
    batches = GroupCommit(server.send, max_batch=8)
    assert await batches.submit("a", 1) == ("a", 10)
    assert await batches.submit("a", 2) == ("a", 20)
    assert server.calls == [("a", [1]), ("a", [2])]


async def test_requests_arriving_during_a_call_leave_together_in_order() -> None:
    server = Server()
    batches = GroupCommit(server.send, max_batch=50)
    first = asyncio.create_task(batches.submit("a", 0))
    await asyncio.sleep(0.0005)  # the first call is in flight
    rest = await asyncio.gather(*(batches.submit("a", i) for i in range(1, 121)))
    assert await first == ("a", 0)
    assert rest == [("a", i * 10) for i in range(1, 121)]
    assert [len(r) for _, r in server.calls] == [1, 50, 50, 20]
    assert [r for _, call in server.calls for r in call] == list(range(121))


@settings(max_examples=50, deadline=None)
@given(
    arrivals=st.lists(st.tuples(st.sampled_from("abc"), st.integers(0, 3)), max_size=80),
    max_batch=st.integers(1, 9),
)
def test_every_request_is_sent_once_per_key_in_arrival_order(
    arrivals: list[tuple[str, int]], max_batch: int
) -> None:
    """Any interleaving of arrivals (a key and a number of loop turns to wait before the next
    one): each caller gets its own answer, every request is sent exactly once, one call per key
    at a time, no batch above the maximum, and per key the order of arrival is kept."""

    async def crowd() -> None:
        server = Server(delay=0.0002)
        batches = GroupCommit(server.send, max_batch=max_batch)
        callers = []
        for n, (key, pause) in enumerate(arrivals):
            callers.append(asyncio.create_task(batches.submit(key, n)))
            for _ in range(pause):
                await asyncio.sleep(0)
        answers = await asyncio.gather(*callers)
        assert answers == [(key, n * 10) for n, (key, _) in enumerate(arrivals)]
        for key in "abc":
            sent = [r for k, call in server.calls if k == key for r in call]
            assert sent == [n for n, (k, _) in enumerate(arrivals) if k == key]
        assert all(0 < len(call) <= max_batch for _, call in server.calls)

    asyncio.run(crowd())


async def test_a_failed_call_fails_its_batch_only() -> None:
    server = Server()
    server.fail = {3}
    batches = GroupCommit(server.send, max_batch=3)
    first = asyncio.create_task(batches.submit("a", 0))
    await asyncio.sleep(0.0005)
    results = await asyncio.gather(
        *(batches.submit("a", i) for i in range(1, 7)), return_exceptions=True
    )
    assert await first == ("a", 0)
    assert [isinstance(r, ConnectionError) for r in results] == [True] * 3 + [False] * 3
    assert results[3:] == [("a", 40), ("a", 50), ("a", 60)]


async def test_callers_that_give_up_are_never_sent_or_are_handed_back() -> None:
    undone: list[tuple[str, int, tuple[str, int]]] = []

    async def undo(key: str, request: int, result: tuple[str, int]) -> None:
        undone.append((key, request, result))

    server = Server(delay=0.05)
    batches = GroupCommit(server.send, max_batch=8, abandoned=undo)
    in_flight = asyncio.create_task(batches.submit("a", 1))
    await asyncio.sleep(0.002)
    queued = asyncio.create_task(batches.submit("a", 2))
    kept = asyncio.create_task(batches.submit("a", 3))
    await asyncio.sleep(0)
    in_flight.cancel()
    queued.cancel()
    assert await kept == ("a", 30)
    await batches.aclose()
    assert server.calls == [("a", [1]), ("a", [3])]
    assert undone == [("a", 1, ("a", 10))]


async def test_a_wrong_number_of_results_is_an_error_for_every_caller() -> None:
    async def short(key: str, requests: Sequence[int]) -> list[int]:
        return [1]

    batches = GroupCommit(short, max_batch=8)
    results = await asyncio.gather(
        *(batches.submit("a", i) for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, ValueError) for r in results)


def test_max_batch_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(Server().send, max_batch=0)
