"""Two-sided randomization (TSR), issue 7 part 5: assignment and estimators (pure, numpy).

Johari, Li, Liskovich & Weintraub, "Experimental Design in Two-Sided Platforms: An Analysis of
Bias", Management Science 68(10):7069-7089, 2022 (arXiv:2002.05670, section 6). Shoppers
(the paper's customers) are treated with share ``a_C``, hosts (its listings) with share
``a_L``, independently; a shopper-host interaction is treated only when both sides are. The
market splits into four cells ``(i, j)``, ``i`` the shopper side and ``j`` the host side
(1 = treated). Writing ``Y[i, j] = Q(ij) / (share_C(i) * share_L(j))`` for a cell's outcome
scaled to the whole market (the paper's normalisation; here per shopper, with the realised
shares of the units in the experiment rather than the design's, a Hajek ratio that has less
variance and the same limit):

- **TSRN** (naive): ``Y11 - Y00``, both sides treated against both in control.
- **TSRI-k** (interpolating): with ``beta`` in [0, 1],
  ``beta * (Y11 - Y01 - k (Y00 - Y10)) + (1 - beta) * (Y11 - Y10 - k (Y00 - Y01))``.
  The first bracket is a shopper-side contrast (treated against control shoppers on treated
  hosts), less the business treated shoppers took from control hosts (``Y00 - Y10``): the
  interference that biases a host-side test when demand is scarce. The second is a host-side
  contrast among treated shoppers, less what control shoppers lost on treated hosts
  (``Y00 - Y01``): the competition for stock that biases a shopper-side test when supply is
  scarce. The paper weighs them by market balance, ``beta = exp(-lambda/tau)`` with
  ``lambda/tau`` the relative demand (``beta_for``): demand-constrained markets (``beta`` near
  1) lean on the shopper-side bracket, supply-constrained ones on the host-side bracket. ``k``
  scales the correction; the paper studies k = 1 and 2. The paper's full text was not at hand
  (only its abstract): this follows its construction, and the signs are those under which
  each bracket is unbiased in its limit, checked in the tests on two markets solved by hand.

Intervals: the outcome rows are crossed (each row belongs to a shopper and a host, both
randomised), so neither a shopper- nor a host-clustered variance is right. We use the
pigeonhole bootstrap (Owen 2007, "The pigeonhole bootstrap", Ann. Appl. Stat. 1(2); Owen &
Eckles 2012, "Bootstrapping data arrays of arbitrary order", Ann. Appl. Stat. 6(3)): every
replicate draws an independent Poisson(1) weight per shopper and per host, and a row weighs
the product; under crossed random effects its variance is mildly conservative. The
replicates are two sparse-dense products, so they stay vectorised at any size. The interval
is about sampling noise: it says nothing of the interference bias the estimators trade off.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from scipy import stats as sps

from hawker.experiments.assignment import RETIRED, Compiled, Hasher

Array = NDArray[np.float64]
REPLICATES = 400
WEIGHTS_IN_MEMORY = 4_000_000  # bootstrap weights held at once (32 MB)


def side_salts(salt: str) -> tuple[str, str]:
    """The shopper side's and the host side's salts, derived from the experiment's: keyed
    hashes under different keys, so the two sides' buckets are independent."""
    return f"{salt}:shopper", f"{salt}:host"


@dataclass(frozen=True)
class PairCompiled:
    """A running pair experiment, ready for the hot path. Each side's bucket (its own salt)
    goes through the experiment's allocation table, so each side is treated with the
    treatment variant's share; layers and traffic apply to the shopper side, whose ``Compiled``
    carries the layer slice."""

    shopper: Compiled
    host: Hasher

    def host_arm(self, host: bytes) -> int | None:
        """The variant index the host's side drew (None: outside the experiment)."""
        h = self.shopper.table[self.host.of(host)]
        return None if h >= RETIRED else h

    def arm(self, shopper: bytes, host: bytes) -> int | None:
        """The pair's variant index: the treatment (1) only when both sides drew it."""
        s = self.shopper.arm(shopper)
        h = self.host_arm(host)
        return None if s is None or h is None else int(s == h == 1)


def beta_for(relative_demand: float) -> float:
    """The paper's weight ``exp(-lambda/tau)``: ``relative_demand`` is demand over supply
    (in Hawker: the purchases shoppers would make in a period with unlimited stock, over the
    units on offer in it; 0: no one competes for stock)."""
    if not relative_demand >= 0:
        raise ValueError("relative demand must be >= 0")
    return float(np.exp(-relative_demand))


def tsrn(rates: Array) -> Array:
    """Naive TSR over ``rates[..., i, j]``: ``Y11 - Y00``."""
    return rates[..., 1, 1] - rates[..., 0, 0]


def tsri(rates: Array, k: float, beta: float) -> Array:
    """TSRI-k over ``rates[..., i, j]`` (formula in the module docstring)."""
    y00, y01, y10, y11 = (rates[..., i, j] for i in (0, 1) for j in (0, 1))
    shopper_side = y11 - y01 - k * (y00 - y10)
    host_side = y11 - y10 - k * (y00 - y01)
    result: Array = beta * shopper_side + (1 - beta) * host_side
    return result


@dataclass(frozen=True)
class Pairs:
    """The outcome of a TSR experiment. ``shopper_treated`` and ``host_treated`` list every
    unit in the experiment (units without outcome rows count as zeros); each outcome row
    (an order, GMV...) names its shopper and host by index into them."""

    shopper_treated: NDArray[np.bool_]
    host_treated: NDArray[np.bool_]
    shopper: NDArray[np.int64]
    host: NDArray[np.int64]
    value: Array

    def __post_init__(self) -> None:
        n, m = len(self.shopper_treated), len(self.host_treated)
        if not len(self.shopper) == len(self.host) == len(self.value):
            raise ValueError("shopper, host and value must have one entry per row")
        if len(self.shopper) and not (
            self.shopper.min() >= 0 and self.shopper.max() < n
            and self.host.min() >= 0 and self.host.max() < m
        ):  # fmt: skip
            raise ValueError("a row names a unit outside the experiment")
        for side, treated in (("shopper", self.shopper_treated), ("host", self.host_treated)):
            if treated.all() or not treated.any():
                raise ValueError(f"the {side} side needs treated and control units")


def cell_rates(pairs: Pairs, shopper_w: Array | None = None, host_w: Array | None = None) -> Array:
    """``Y[b, i, j]``: cell ``(i, j)``'s total scaled to the market, per shopper, under unit
    weights ``shopper_w`` (replicates x shoppers) and ``host_w`` (replicates x hosts); no
    weights: the plain estimate (one replicate)."""
    n, m = len(pairs.shopper_treated), len(pairs.host_treated)
    ws = np.ones((1, n)) if shopper_w is None else shopper_w
    wh = np.ones((1, m)) if host_w is None else host_w
    s_onehot = np.stack([~pairs.shopper_treated, pairs.shopper_treated], -1).astype(np.float64)
    h_onehot = np.stack([~pairs.host_treated, pairs.host_treated], -1).astype(np.float64)
    # hosts x shoppers, duplicate rows summed; per shopper side, the weighted total per host
    y = sparse.csr_array((pairs.value, (pairs.host, pairs.shopper)), shape=(m, n))
    totals = np.stack(
        [((y @ (ws * s_onehot[:, i]).T).T * wh) @ h_onehot for i in (0, 1)], axis=1
    )  # replicates x shopper side x host side
    shoppers = ws @ s_onehot
    hosts = wh @ h_onehot
    with np.errstate(divide="ignore", invalid="ignore"):
        share = hosts / hosts.sum(axis=1, keepdims=True)
        rates: Array = totals / (shoppers[:, :, None] * share[:, None, :])
    return rates


@dataclass(frozen=True)
class Estimate:
    value: float
    se: float
    ci: tuple[float, float]
    p: float


@dataclass(frozen=True)
class TwoSided:
    shares: tuple[float, float]  # realised treated shares (shoppers a_C, hosts a_L)
    beta: float
    rates: list[list[float]]  # Y[i][j], per shopper
    estimates: dict[str, Estimate]  # "tsrn", "tsri-1", "tsri-2"


def analyse(
    pairs: Pairs,
    relative_demand: float,
    *,
    alpha: float = 0.05,
    replicates: int = REPLICATES,
    seed: int = 0,
) -> TwoSided:
    """TSRN, TSRI-1 and TSRI-2 with pigeonhole-bootstrap standard errors, normal intervals
    and two-sided p-values. ``seed`` fixes the bootstrap so a result page is reproducible.
    Cost: ``replicates`` x (units + rows) multiply-adds, in chunks of bounded memory."""
    if not 0 < alpha < 1:
        raise ValueError("alpha must be within (0, 1)")
    beta = beta_for(relative_demand)
    rng = np.random.default_rng(seed)
    point = cell_rates(pairs)
    n, m = len(pairs.shopper_treated), len(pairs.host_treated)
    chunk = max(1, WEIGHTS_IN_MEMORY // (n + m))  # replicates at once, bounding memory
    boot = np.concatenate(
        [
            cell_rates(
                pairs,
                rng.poisson(1.0, (size, n)).astype(np.float64),
                rng.poisson(1.0, (size, m)).astype(np.float64),
            )
            for size in np.diff([*range(0, replicates, chunk), replicates])
        ]
    )
    # a replicate that drew no unit of some cell's side has no estimate; leave it out
    boot = boot[np.isfinite(boot).all(axis=(1, 2))]
    z = float(sps.norm.ppf(1 - alpha / 2))
    estimates = {}
    for name, f in (
        ("tsrn", tsrn),
        ("tsri-1", lambda r: tsri(r, 1, beta)),
        ("tsri-2", lambda r: tsri(r, 2, beta)),
    ):
        value = float(f(point)[0])
        se = float(np.std(f(boot), ddof=1))
        p = float(2 * sps.norm.sf(abs(value) / se)) if se > 0 else float(value == 0)
        estimates[name] = Estimate(value, se, (value - z * se, value + z * se), p)
    shares = (float(pairs.shopper_treated.mean()), float(pairs.host_treated.mean()))
    return TwoSided(shares, beta, point[0].tolist(), estimates)
