"""Room state in Redis, shared by every server node (scale-out).

Viewers: one hash per room, a field per node holding "count deadline". Each node refreshes its
field as a heartbeat; the total sums the fields whose deadline has not passed, so a killed
node's viewers age out within the heartbeat TTL. Chat budgets: one sliding-window sorted set
per user and room. Both are Lua scripts timed by the Redis server's clock, so nodes with
skewed clocks still agree.
"""

from __future__ import annotations

import uuid

from redis.asyncio import Redis

from hawker.infra.room_state import ViewerTotal

# Shared by both viewer scripts: the fresh total of hash KEYS[1] at time `now` (ms), pruning
# the fields of nodes whose heartbeat expired. The "announced" field is not a node.
_NOW_AND_TOTAL = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local function fresh_total()
  local total, fields = 0, redis.call('HGETALL', KEYS[1])
  for i = 1, #fields, 2 do
    if fields[i] ~= 'announced' then
      local count, deadline = string.match(fields[i + 1], '(%d+) (%d+)')
      if tonumber(deadline) < now then
        redis.call('HDEL', KEYS[1], fields[i])
      else
        total = total + tonumber(count)
      end
    end
  end
  return total
end
"""

# ARGV: node, count, ttl ms, claim (1/0). Returns {total, changed}.
_REPORT = (
    _NOW_AND_TOTAL
    + """
local ttl = tonumber(ARGV[3])
if tonumber(ARGV[2]) > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. ' ' .. (now + ttl))
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local total = fresh_total()
local changed = 0
if ARGV[4] == '1' and redis.call('HGET', KEYS[1], 'announced') ~= tostring(total) then
  redis.call('HSET', KEYS[1], 'announced', total)
  changed = 1
end
redis.call('PEXPIRE', KEYS[1], ttl * 10)
return {total, changed}
"""
)

_TOTAL = _NOW_AND_TOTAL + "\nreturn fresh_total()\n"

# KEYS: the user's window. ARGV: limit, window ms, a unique member. Returns ms to wait, or 0.
_SPEND_CHAT = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return math.max(1, tonumber(oldest[2]) + window - now)
end
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], window)
return 0
"""


class RedisRoomState:
    def __init__(self, url: str, *, prefix: str = "hawker:", heartbeat_ttl: float = 5.0) -> None:
        """``heartbeat_ttl``: how long a node's viewer report counts without a refresh."""
        self._redis: Redis = Redis.from_url(url)
        self._prefix = prefix
        self._node = uuid.uuid4().hex
        self._ttl_ms = max(1, int(heartbeat_ttl * 1000))
        self._report = self._redis.register_script(_REPORT)
        self._total = self._redis.register_script(_TOTAL)
        self._spend = self._redis.register_script(_SPEND_CHAT)

    def _viewers_key(self, show_id: int) -> str:
        return f"{self._prefix}room:{show_id}:viewers"

    async def report_viewers(self, show_id: int, count: int, *, claim: bool) -> ViewerTotal:
        args: list[str | int] = [self._node, count, self._ttl_ms, int(claim)]
        total, changed = await self._report(keys=[self._viewers_key(show_id)], args=args)
        return ViewerTotal(int(total), bool(changed))

    async def viewers(self, show_id: int) -> int:
        return int(await self._total(keys=[self._viewers_key(show_id)]))

    async def spend_chat(self, show_id: int, user_id: int, limit: int, window: float) -> float:
        key = f"{self._prefix}room:{show_id}:chat:{user_id}"
        args: list[str | int] = [limit, int(window * 1000), uuid.uuid4().hex]
        wait_ms = await self._spend(keys=[key], args=args)
        return int(wait_ms) / 1000

    async def close(self) -> None:
        await self._redis.aclose()
