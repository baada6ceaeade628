"""Flash-deal stock in Redis: every decision is one Lua script, so it is atomic on the server.

The database stays the source of truth; Redis answers the crowd. Per deal ``{id}`` (a hash tag,
so the four keys share a cluster slot):

- ``P{id}`` hash: ``ready`` (the readiness marker), ``live``, ``ends_at`` (ms), ``available``,
  ``limit``, ``expire_at`` (ms), ``fresh`` and ``ops``, a change counter the reconcile step
  compares before it overwrites anything;
- ``P{id}:buyers`` hash: units each buyer holds or bought;
- ``P{id}:pending`` sorted set: changes in flight between Redis and the database (a reservation
  not yet committed there, a release committed there but not yet applied here), scored by the
  time after which their node is presumed dead;
- ``P{id}:keys`` set: the Idempotency-Key tokens of requests that took units. When the deal was
  loaded at launch (``fresh``), it holds every key that ever won it, so a verdict can say the
  request is not a retry of a winner and needs no database look-up for an earlier response
  (refused or held alike); a deal rebuilt after a loss is not fresh, and its verdicts always
  say "may replay".

Everything that moves units is keyed by its pending member, so it applies at most once: a
late confirm, compensation or release of an entry the state was rebuilt without is a no-op.
See docs/inventory.md for the reconcile rule.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Self

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.lock import Lock
from redis.exceptions import RedisError

from hawker.infra.group_commit import GroupCommit

# What callers catch when Redis cannot answer (down, timed out, a lock lost).
InventoryUnavailable = RedisError
log = logging.getLogger(__name__)

_EXPIRY = """
local exp = redis.call('HGET', KEYS[1], 'expire_at')
redis.call('PEXPIREAT', KEYS[2], exp)
redis.call('PEXPIREAT', KEYS[3], exp)
redis.call('PEXPIREAT', KEYS[4], exp)
"""

# A verdict's code moves MAY_REPLAY away from zero (a refusal's down, a hold's up) unless the
# deal is fresh and the key never won it.
MAY_REPLAY = 10
NO_KEY = "-"  # a request whose Idempotency-Key is not known: its refusals always may replay

# ARGV: buyer, quantity, now_ms, member, deadline_ms, key
RESERVE = (
    """
local d = redis.call('HMGET', KEYS[1], 'ready', 'live', 'ends_at', 'available', 'limit', 'fresh')
if not d[1] then return {0, 0} end
local may = d[6] ~= '1' or redis.call('SISMEMBER', KEYS[4], ARGV[6]) == 1
local available, limit, q, code = tonumber(d[4]), tonumber(d[5]), tonumber(ARGV[2]), 1
if d[2] ~= '1' or tonumber(ARGV[3]) >= tonumber(d[3]) then code = -1
elseif q > limit then code = -3
elseif available < q then code = -2
elseif tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0') + q > limit then code = -3
end
if code < 0 then
  if may then code = code - 10 end
  return {code, available}
end
if may then code = code + 10 end
redis.call('HINCRBY', KEYS[2], ARGV[1], q)
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[6])
redis.call('HINCRBY', KEYS[1], 'ops', 1)
"""
    + _EXPIRY
    + """
return {code, redis.call('HINCRBY', KEYS[1], 'available', -q)}
"""
)

# RESERVE for many requests in one run, in order, each decided exactly as RESERVE would decide
# it alone after the ones before it; the writes are summed and made once at the end. ARGV:
# member prefix (request i's in-flight member is the prefix .. i), grace_ms, then the requests as
# one string "buyer quantity now_ms key ..." (keys are tokens without spaces). Returns available
# before the first request and the verdict codes as one string. One string each way because
# redis-py packs every argument and parses every reply element in Python (microseconds each):
# per batch, not per request.
RESERVE_MANY = (
    """
local f, codes = {}, {}
for v in string.gmatch(ARGV[3], '%S+') do f[#f + 1] = v end
local n = #f / 4
local d = redis.call('HMGET', KEYS[1], 'ready', 'live', 'ends_at', 'available', 'limit', 'fresh')
if not d[1] then
  for i = 1, n do codes[i] = 0 end
  return {0, table.concat(codes, ' ')}
end
local live, ends, limit, grace = d[2] == '1', tonumber(d[3]), tonumber(d[5]), tonumber(ARGV[2])
local start, fresh = tonumber(d[4]), d[6] == '1'
local available, mine, took, pending, won, winners = start, {}, {}, {}, {}, {}
for i = 0, n - 1 do
  local j = 4 * i
  local buyer, q, now, key = f[j + 1], tonumber(f[j + 2]), tonumber(f[j + 3]), f[j + 4]
  local code, may = 1, not fresh or won[key] or redis.call('SISMEMBER', KEYS[4], key) == 1
  if not live or now >= ends then code = -1
  elseif q > limit then code = -3
  elseif available < q then code = -2
  else
    if not mine[buyer] then
      mine[buyer], took[buyer] = tonumber(redis.call('HGET', KEYS[2], buyer) or '0'), 0
    end
    if mine[buyer] + q > limit then code = -3
    else
      mine[buyer], took[buyer], available = mine[buyer] + q, took[buyer] + q, available - q
      pending[#pending + 1] = now + grace
      pending[#pending + 1] = ARGV[1] .. i
      won[key], winners[#winners + 1] = true, key
    end
  end
  if may then code = code < 0 and code - 10 or code + 10 end
  codes[i + 1] = code
end
local out = {start, table.concat(codes, ' ')}
if #pending == 0 then return out end
for buyer, q in pairs(took) do
  if q > 0 then redis.call('HINCRBY', KEYS[2], buyer, q) end
end
redis.call('ZADD', KEYS[3], unpack(pending))
redis.call('SADD', KEYS[4], unpack(winners))
redis.call('HINCRBY', KEYS[1], 'ops', #pending / 2)
redis.call('HINCRBY', KEYS[1], 'available', available - start)
"""
    + _EXPIRY
    + "return out"
)

# Gives units back (compensation, or a release the database committed); ARGV: member, buyer,
# quantity, to_available (1: the units go back on sale, 0: the deal no longer sells them).
GIVE_BACK = """
if redis.call('ZREM', KEYS[3], ARGV[1]) == 0 then return -1 end
local q = tonumber(ARGV[3])
if redis.call('HINCRBY', KEYS[2], ARGV[2], -q) <= 0 then redis.call('HDEL', KEYS[2], ARGV[2]) end
redis.call('HINCRBY', KEYS[1], 'ops', 1)
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'live') == '1' then
  return redis.call('HINCRBY', KEYS[1], 'available', q)
end
return tonumber(redis.call('HGET', KEYS[1], 'available') or '0')
"""

# Records a release before the database commits it; ARGV: member, deadline_ms.
INTEND = (
    """
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return 0 end
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
redis.call('HINCRBY', KEYS[1], 'ops', 1)
"""
    + _EXPIRY
    + "return 1"
)

END = """
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return 0 end
redis.call('HSET', KEYS[1], 'live', 0, 'available', 0)
redis.call('HINCRBY', KEYS[1], 'ops', 1)
return 1
"""

# The state written by LOAD and RESYNC; ARGV from 2: available, limit, ends_at, live, expire_at,
# then buyer/units pairs. ``ops`` restarts from the server's clock in microseconds, so a
# reconcile step that read ``ops`` before a rebuild can never match after it.
_WRITE = """
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('HSET', KEYS[1], 'available', ARGV[2], 'limit', ARGV[3], 'ends_at', ARGV[4],
  'live', ARGV[5], 'expire_at', ARGV[6], 'ready', 1)
for i = 7, #ARGV, 2 do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
redis.call('PEXPIREAT', KEYS[2], ARGV[6])
redis.call('PEXPIREAT', KEYS[4], ARGV[6])
"""

# ARGV[1]: fresh (1: loaded at launch, before anyone could buy; RESYNC keeps it as it is).
LOAD = (
    """
if redis.call('HEXISTS', KEYS[1], 'ready') == 1 then return 0 end
"""
    + _WRITE
    + """
local t = redis.call('TIME')
redis.call('HSET', KEYS[1], 'ops', t[1] .. string.format('%06d', tonumber(t[2])), 'fresh', ARGV[1])
return 1
"""
)

# Overwrites the state from a database snapshot only if nothing changed since ``ops`` was read
# (ARGV[1]) and nothing is in flight; returns the drift corrected (database - Redis available).
RESYNC = (
    """
if redis.call('HGET', KEYS[1], 'ops') ~= ARGV[1] or redis.call('ZCARD', KEYS[3]) > 0 then
  return {0, 0}
end
local before = tonumber(redis.call('HGET', KEYS[1], 'available'))
"""
    + _WRITE
    + """
redis.call('HINCRBY', KEYS[1], 'ops', 1)
return {1, tonumber(ARGV[2]) - before}
"""
)

# Drops in-flight entries whose node is presumed dead; ARGV: now_ms.
SWEEP = """
if redis.call('HEXISTS', KEYS[1], 'ready') == 0 then return {0, '0', 0, 0} end
local purged = redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[1])
if purged > 0 then redis.call('HINCRBY', KEYS[1], 'ops', 1) end
return {1, redis.call('HGET', KEYS[1], 'ops'), redis.call('ZCARD', KEYS[3]), purged}
"""


class Verdict(IntEnum):
    HELD = 1
    NOT_LOADED = 0  # Redis lost the deal (restart, flush, failover): rebuild it first
    NOT_LIVE = -1
    SOLD_OUT = -2
    OVER_LIMIT = -3


@dataclass(frozen=True)
class Hold:
    """A change in flight for one buyer: units taken (a reservation not yet known to be
    durable) or being given back (a release not yet known to be committed)."""

    deal_id: int
    buyer_id: int
    quantity: int
    member: str
    # Units taken by a key that may have won this deal before (so an earlier order may exist)
    may_replay: bool = field(default=True, compare=False)


@dataclass(frozen=True)
class ReserveRequest:
    buyer_id: int
    quantity: int
    now_ms: int
    key: str = NO_KEY  # the request's Idempotency-Key token


@dataclass(frozen=True)
class Attempt:
    verdict: Verdict
    left: int
    hold: Hold | None = None
    may_replay: bool = True  # the key may have won this deal before


def _decided(code: Any) -> tuple[Verdict, bool]:
    """A script's code: the verdict, and whether the key may have won before."""
    value = int(code)
    if abs(value) >= MAY_REPLAY:
        return Verdict(value - MAY_REPLAY if value > 0 else value + MAY_REPLAY), True
    return Verdict(value), False


@dataclass(frozen=True)
class DealSnapshot:
    """A deal as the database has it (or as Redis has it, read back)."""

    deal_id: int
    available: int
    per_buyer_limit: int
    ends_at_ms: int
    live: bool
    buyers: dict[int, int] = field(default_factory=dict)
    # Loaded at launch, so every key that wins is seen by Redis; not part of the stock state.
    fresh: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class Sweep:
    ready: bool
    ops: str
    pending: int
    purged: int


def deal_keys(prefix: str, deal_id: int) -> list[str]:
    """The deal's hash, its buyers, its in-flight set and its winning keys."""
    base = f"{prefix}{{{deal_id}}}"
    return [base, f"{base}:buyers", f"{base}:pending", f"{base}:keys"]


class RedisInventory:
    def __init__(
        self, client: Redis, prefix: str, *, grace_ms: int = 60_000, max_batch: int = 128
    ) -> None:
        """``grace_ms``: how long a change may stay in flight before its node is presumed
        dead; longer than any request's wait for its database write. ``max_batch``: the most
        reservations sent in one script run (a run blocks the Redis server while it lasts)."""
        self.client, self.prefix, self.grace_ms = client, prefix, grace_ms
        self._batches = GroupCommit(self.reserve_many, max_batch=max_batch, abandoned=self._undo)
        self._reserve = client.register_script(RESERVE)
        self._reserve_many = client.register_script(RESERVE_MANY)
        self._give_back = client.register_script(GIVE_BACK)
        self._intend = client.register_script(INTEND)
        self._end = client.register_script(END)
        self._load = client.register_script(LOAD)
        self._resync = client.register_script(RESYNC)
        self._sweep = client.register_script(SWEEP)

    @classmethod
    def from_url(cls, url: str, prefix: str, *, connections: int = 64, **kw: Any) -> Self:
        """A bounded pool per node that queues callers beyond ``connections`` (a burst of
        thousands must not open thousands of sockets on a server every node shares)."""
        pool = BlockingConnectionPool.from_url(url, max_connections=connections, timeout=10)
        return cls(Redis.from_pool(pool), prefix, **kw)

    def keys(self, deal_id: int) -> list[str]:
        return deal_keys(self.prefix, deal_id)

    def rebuild_lock(self, deal_id: int, timeout: float = 5.0) -> Lock:
        """Only one node rebuilds a lost deal; the lock expires if that node dies."""
        return self.client.lock(f"{self.keys(deal_id)[0]}:rebuild", timeout=timeout)

    async def load(self, snap: DealSnapshot) -> bool:
        """Write the deal unless it is already there (then False)."""
        args = [int(snap.fresh), *_state(snap)]
        return bool(await self._load(keys=self.keys(snap.deal_id), args=args))

    async def reserve(
        self, deal_id: int, buyer_id: int, quantity: int, now_ms: int, key: str = NO_KEY
    ) -> Attempt:
        """Live, enough left, buyer within the limit: then take the units, in one step. The
        reservations this node makes for a deal while its previous call is in flight go
        together as one script run (group commit), each decided as if alone, in arrival order.
        ``key``: the request's Idempotency-Key token, recorded when it wins."""
        request = ReserveRequest(buyer_id, quantity, now_ms, key)
        return await self._batches.submit(deal_id, request)

    async def reserve_many(self, deal_id: int, requests: Sequence[ReserveRequest]) -> list[Attempt]:
        """One script run for the requests, one after another; a single request runs RESERVE."""
        if len(requests) == 1:
            return [await self._reserve_one(deal_id, requests[0])]
        prefix = f"h:{secrets.token_hex(8)}:"
        fields = " ".join(f"{r.buyer_id} {r.quantity} {r.now_ms} {r.key}" for r in requests)
        start, codes = await self._reserve_many(
            keys=self.keys(deal_id), args=[prefix, self.grace_ms, fields]
        )
        left, attempts = int(start), []
        for i, (r, code) in enumerate(zip(requests, codes.split(), strict=True)):
            (verdict, may_replay), hold = _decided(code), None
            if verdict is Verdict.HELD:  # the units left after each request follow from the codes
                left -= r.quantity
                hold = Hold(deal_id, r.buyer_id, r.quantity, f"{prefix}{i}", may_replay)
            attempts.append(Attempt(verdict, left, hold, may_replay))
        return attempts

    async def _reserve_one(self, deal_id: int, r: ReserveRequest) -> Attempt:
        member = f"h:{secrets.token_hex(8)}:{r.buyer_id}:{r.quantity}"
        code, left = await self._reserve(
            keys=self.keys(deal_id),
            args=[r.buyer_id, r.quantity, r.now_ms, member, r.now_ms + self.grace_ms, r.key],
        )
        verdict, may_replay = _decided(code)
        held = verdict is Verdict.HELD
        hold = Hold(deal_id, r.buyer_id, r.quantity, member, may_replay) if held else None
        return Attempt(verdict, int(left), hold, may_replay)

    async def confirm(self, hold: Hold) -> None:
        """The database committed the reservation: it is no longer in flight."""
        await self.client.zrem(self.keys(hold.deal_id)[2], hold.member)

    async def cancel(self, hold: Hold) -> bool:
        """Compensation: the durable write failed, the units go back (once)."""
        return await self._apply(hold, to_available=True) >= 0

    async def intend_release(self, deal_id: int, buyer_id: int, quantity: int, now_ms: int) -> Hold:
        """Record a release before the database commits it (see docs/inventory.md)."""
        member = f"r:{secrets.token_hex(8)}:{buyer_id}:{quantity}"
        await self._intend(keys=self.keys(deal_id), args=[member, now_ms + self.grace_ms])
        return Hold(deal_id, buyer_id, quantity, member)

    async def apply_release(self, release: Hold, *, back_on_sale: bool) -> None:
        await self._apply(release, to_available=back_on_sale)

    async def withdraw(self, release: Hold) -> None:
        """The release rolled back in the database: forget the intent."""
        await self.confirm(release)

    async def end(self, deal_id: int) -> None:
        await self._end(keys=self.keys(deal_id), args=[])

    async def sweep(self, deal_id: int, now_ms: int) -> Sweep:
        ready, ops, pending, purged = await self._sweep(keys=self.keys(deal_id), args=[now_ms])
        return Sweep(bool(ready), _text(ops), int(pending), int(purged))

    async def resync(self, snap: DealSnapshot, ops: str) -> int | None:
        """Overwrite from the database if untouched since ``ops``; the drift, or None."""
        done, drift = await self._resync(keys=self.keys(snap.deal_id), args=[ops, *_state(snap)])
        return int(drift) if done else None

    async def snapshot(self, deal_id: int) -> DealSnapshot | None:
        """What Redis holds for a deal (None when it is not loaded)."""
        deal_key, buyers_key, *_ = self.keys(deal_id)
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.hgetall(deal_key)
            pipe.hgetall(buyers_key)
            d, buyers = await pipe.execute()
        d = {_text(k): _text(v) for k, v in d.items()}
        if "ready" not in d:
            return None
        return DealSnapshot(
            deal_id,
            int(d["available"]),
            int(d["limit"]),
            int(d["ends_at"]),
            d["live"] == "1",
            {int(k): int(v) for k, v in buyers.items()},
            d.get("fresh") == "1",
        )

    async def is_loaded(self, deal_id: int) -> bool:
        return bool(await self.client.hexists(self.keys(deal_id)[0], "ready"))

    async def pending(self, deal_id: int) -> int:
        return int(await self.client.zcard(self.keys(deal_id)[2]))

    async def aclose(self) -> None:
        await self._batches.aclose()
        await self.client.aclose()

    async def _undo(self, deal_id: int, request: ReserveRequest, attempt: Attempt) -> None:
        """Its caller gave up while the batch was in flight: nobody will confirm the units."""
        if attempt.hold is not None:
            try:
                await self.cancel(attempt.hold)
            except InventoryUnavailable:
                log.warning("giving back an abandoned hold failed; the reconcile job repairs it")

    async def _apply(self, hold: Hold, *, to_available: bool) -> int:
        left = await self._give_back(
            keys=self.keys(hold.deal_id),
            args=[hold.member, hold.buyer_id, hold.quantity, int(to_available)],
        )
        return int(left)


def _state(snap: DealSnapshot) -> list[Any]:
    # Keys live a day past the deal's end (or now, for a deal already over), long after the
    # last release could reach them.
    expire_at = max(snap.ends_at_ms, int(time.time() * 1000)) + 86_400_000
    state: list[Any] = [
        snap.available,
        snap.per_buyer_limit,
        snap.ends_at_ms,
        int(snap.live),
        expire_at,
    ]
    for buyer, units in snap.buyers.items():
        if units > 0:
            state += [buyer, units]
    return state


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
