"""Big screen and console metrics API shapes (money in minor units with its currency)."""

from __future__ import annotations

from pydantic import BaseModel


class CurrencyTotalOut(BaseModel):
    currency: str
    gmv: int
    orders: int


class ChannelOut(BaseModel):
    channel: str
    gmv: int


class RankedOut(BaseModel):
    id: int
    name: str
    avatar_url: str
    gmv: int
    orders: int


class RoomOut(BaseModel):
    show_id: int
    title: str
    host: str
    viewers: int
    gmv: int


class SnapshotOut(BaseModel):
    """One frame: totals in every currency; channels, hosts, merchants and rooms in
    ``currency``; everything since ``since``."""

    at: str
    scope: str
    since: str
    currency: str
    totals: list[CurrencyTotalOut]
    orders_per_second: float
    window_seconds: int
    channels: list[ChannelOut]
    hosts: list[RankedOut]
    merchants: list[RankedOut]
    rooms: list[RoomOut]


class DayGmvOut(BaseModel):
    currency: str
    gmv: int
    live: int
    live_share_bps: int  # live / gmv in basis points


class DayMetricsOut(BaseModel):
    day: str
    gmv: list[DayGmvOut]
    active_buyers: int
    watch_ms: int


class MetricsOut(BaseModel):
    days: list[DayMetricsOut]
