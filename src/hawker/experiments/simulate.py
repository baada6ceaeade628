"""A marketplace with interference, to see which design measures the truth (issue 7, part 5).

Hosts restock ``stock`` units each period; every shopper arrives once a period, in random
order, and buys one unit from a host with stock left, or nothing: multinomial logit over the
hosts in stock, host attractiveness ``w_h`` (log-normal), shopper appetite ``w_s``
(log-normal), and an outside option sized so that ``relative_demand`` = the purchases shoppers
would make with unlimited stock over the units on offer. The treatment multiplies a treated
shopper-host pair's attractiveness by ``1 + lift``. Stock is shared, so a treated shopper's
extra purchase can be a unit a control shopper would have bought: a shopper-level test sees
that theft as an effect. Arrivals choose in batches of ``batch`` between stock updates (a
batch's excess orders of a host are served in random order); that is what keeps one run to a
few hundred numpy steps.

``study`` runs, per seed, the market all in control and all treated (the same random draws,
so their difference is the global treatment effect), then the designs: shopper-level (the
naive A/B test), host-side, two-sided (``two_sided``; sides drawn by the registry's own
``PairCompiled``) and a switchback over periods. Figures are in docs/experiments.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import optimize

from hawker.experiments import assignment, two_sided

Array = NDArray[np.float64]
Flags = NDArray[np.bool_]
ESTIMATES = ("shopper", "host", "tsrn", "tsri-1", "tsri-2", "switchback")


@dataclass(frozen=True)
class Market:
    shoppers: int = 1000
    hosts: int = 100
    stock: int = 2  # units per host per period
    periods: int = 10
    relative_demand: float = 1.5
    lift: float = 0.5
    batch: int = 100
    spread: float = 0.5  # log-normal sigma of host attractiveness and shopper appetite


@dataclass(frozen=True)
class Draw:
    """One market: its units and the outside option that gives its relative demand."""

    host_w: Array
    shopper_w: Array
    outside: float


def draw(market: Market, rng: np.random.Generator) -> Draw:
    host_w = rng.lognormal(0, market.spread, market.hosts)
    shopper_w = rng.lognormal(0, market.spread, market.shoppers)
    supply = market.hosts * market.stock
    if not 0 < market.relative_demand * supply < market.shoppers:
        raise ValueError("relative demand must leave room: 0 < demand < one unit per shopper")
    appeal = shopper_w * host_w.sum()

    def excess(outside: float) -> float:
        return float((appeal / (outside + appeal)).sum()) - market.relative_demand * supply

    return Draw(host_w, shopper_w, optimize.brentq(excess, 1e-12, 1e12))


def run(
    market: Market,
    d: Draw,
    rng: np.random.Generator,
    shoppers: Flags,
    hosts: Flags,
    periods: Flags,
) -> tuple[Array, Array]:
    """Orders per (shopper, host) and per period; a pair is treated in a period when its
    shopper, its host and the period all are."""
    n, m = market.shoppers, market.hosts
    orders = np.zeros((n, m))
    per_period = np.zeros(market.periods)
    for p in range(market.periods):
        left = np.full(m, market.stock)
        arrivals = rng.permutation(n)
        for start in range(0, n, market.batch):
            who = arrivals[start : start + market.batch]
            treated = shoppers[who, None] & hosts[None, :] & periods[p]
            w = d.shopper_w[who, None] * d.host_w[None, :] * (1 + market.lift * treated)
            w *= left > 0
            cum = np.cumsum(w, axis=1) / (d.outside + w.sum(axis=1))[:, None]
            pick = (cum < rng.random(len(who))[:, None]).sum(axis=1)  # m: buys nothing
            buyer, host = who[pick < m], pick[pick < m]
            order = np.lexsort((rng.random(len(host)), host))  # random service per host
            buyer, host = buyer[order], host[order]
            served = np.arange(len(host)) - np.searchsorted(host, host) < left[host]
            np.add.at(orders, (buyer[served], host[served]), 1)
            left -= np.bincount(host[served], minlength=m)
            per_period[p] += served.sum()
    return orders, per_period


def sides(market: Market, seed: int, share: int) -> tuple[Flags, Flags]:
    """Each shopper's and host's side, drawn as the registry draws a pair experiment's (both
    sides treated with ``share`` basis points)."""
    table = assignment.reallocate(None, [assignment.BUCKETS - share, share], assignment.BUCKETS)
    shopper_salt, host_salt = two_sided.side_salts(f"interference-{seed}")
    pair = two_sided.PairCompiled(
        assignment.Compiled(assignment.Hasher(shopper_salt), table),
        assignment.Hasher(host_salt),
    )
    s_side = [pair.shopper.arm(f"s{i}".encode()) == 1 for i in range(market.shoppers)]
    h_side = [pair.host_arm(f"h{j}".encode()) == 1 for j in range(market.hosts)]
    return np.array(s_side), np.array(h_side)


@dataclass(frozen=True)
class Study:
    truth: Array  # per seed: the global treatment effect, orders per shopper over the run
    estimates: dict[str, Array]  # per design/estimator, per seed

    def bias(self, name: str) -> float:
        return float(np.mean(self.estimates[name] - self.truth))

    def rmse(self, name: str) -> float:
        return float(np.sqrt(np.mean((self.estimates[name] - self.truth) ** 2)))


def study(market: Market, seeds: range, share: int = 5000) -> Study:
    """The global effect and every design's estimate, for each seed."""
    truth = []
    found: dict[str, list[float]] = {name: [] for name in ESTIMATES}
    all_s = np.ones(market.shoppers, dtype=bool)
    all_h = np.ones(market.hosts, dtype=bool)
    all_p = np.ones(market.periods, dtype=bool)
    for seed in seeds:
        d = draw(market, np.random.default_rng([seed, 0]))
        control, _ = run(market, d, np.random.default_rng([seed, 1]), all_s, all_h, ~all_p)
        treated, _ = run(market, d, np.random.default_rng([seed, 1]), all_s, all_h, all_p)
        truth.append((treated.sum() - control.sum()) / market.shoppers)
        s_side, h_side = sides(market, seed, share)

        orders, _ = run(market, d, np.random.default_rng([seed, 2]), s_side, all_h, all_p)
        per_shopper = orders.sum(axis=1)
        found["shopper"].append(per_shopper[s_side].mean() - per_shopper[~s_side].mean())

        orders, _ = run(market, d, np.random.default_rng([seed, 3]), all_s, h_side, all_p)
        per_host = orders.sum(axis=0)
        a_l = h_side.mean()
        found["host"].append(
            (per_host[h_side].sum() / a_l - per_host[~h_side].sum() / (1 - a_l)) / market.shoppers
        )

        orders, _ = run(market, d, np.random.default_rng([seed, 4]), s_side, h_side, all_p)
        shopper, host = np.nonzero(orders)
        pairs = two_sided.Pairs(s_side, h_side, shopper, host, orders[shopper, host])
        rates = two_sided.cell_rates(pairs)
        beta = two_sided.beta_for(market.relative_demand)
        found["tsrn"].append(float(two_sided.tsrn(rates)[0]))
        found["tsri-1"].append(float(two_sided.tsri(rates, 1, beta)[0]))
        found["tsri-2"].append(float(two_sided.tsri(rates, 2, beta)[0]))

        slots = np.zeros(market.periods, dtype=bool)
        slots[
            np.random.default_rng([seed, 5]).permutation(market.periods)[: market.periods // 2]
        ] = True
        _, per_period = run(market, d, np.random.default_rng([seed, 6]), all_s, all_h, slots)
        found["switchback"].append(
            (per_period[slots].mean() - per_period[~slots].mean())
            * market.periods
            / market.shoppers
        )
    return Study(np.array(truth), {k: np.array(v) for k, v in found.items()})
