"""A two-sided experiment read from the event log through the API, on both databases: each
event becomes a row of its (shopper, host) pair, each side's treatment is its own hash, and
TSRN matches the cells totalled here from the rows written."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from fastapi.testclient import TestClient
from sqlalchemy import select

from hawker.analytics.service import record
from hawker.core.clock import utcnow
from hawker.experiments import two_sided
from hawker.experiments.models import Experiment
from hawker.experiments.registry import Registry
from hawker.infra.runtime import runtime_of
from hawker.live.models import Show
from tests.conftest import Api, assert_problem
from tests.web.test_pages import login_as

TWO_ARMS = [{"key": "control", "weight": 5000}, {"key": "treatment", "weight": 5000}]


def test_pair_experiment_estimates_from_the_event_log(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    operator = make_user("operator")
    hosts = [make_user("host").user["id"] for _ in range(12)]
    body = {
        "key": "room.badge", "title": "badge", "unit_type": "pair", "layer": "pairs",
        "variants": TWO_ARMS, "metrics": ["live_entries", "conversion"], "holdout": False,
    }  # fmt: skip
    assert operator.post("/api/experiments", json=body).status_code == 201
    assert_problem(operator.get("/api/experiments/room.badge/results"), 409)  # a draft
    assert operator.post("/api/experiments/room.badge/start").status_code == 200
    rt = runtime_of(client.app)
    registry: Registry = rt.services["experiments"]
    pair = registry.entries["room.badge"].pair
    assert pair is not None
    shoppers = list(range(5000, 5080))
    rng = np.random.default_rng(7)
    joins = [(int(rng.choice(shoppers)), int(rng.choice(hosts))) for _ in range(400)]

    async def seed() -> str:
        async with rt.db.write() as s:
            shows = [
                Show(host_id=h, title="on air", scheduled_start=utcnow(), status="live",
                     started_at=utcnow())
                for h in hosts
            ]  # fmt: skip
            s.add_all(shows)
            await s.flush()
            show_of = {show.host_id: show.id for show in shows}
            for shopper, host in joins:
                await record(s, "room.join", user_id=shopper, show_id=show_of[host])
            return str(
                await s.scalar(select(Experiment.salt).where(Experiment.key == "room.badge"))
            )

    salt = client.portal.call(seed)  # type: ignore[union-attr]
    assert two_sided.side_salts(salt)[0] != salt  # the sides hash apart from the experiment
    r = operator.get("/api/experiments/room.badge/results", params={"relative_demand": 0.5})
    assert r.status_code == 200, r.text
    found = r.json()
    assert (found["design"], found["shoppers"], found["hosts"]) == ("two-sided", 80, 12)
    assert found["beta"] == np.exp(-0.5)
    by_key = {m["key"]: m for m in found["metrics"]}
    assert "skipped" in by_key["conversion"]  # "any" does not split into pairs

    side_s = {u: pair.shopper.arm(str(u).encode()) == 1 for u in shoppers}
    side_h = {h: pair.host_arm(str(h).encode()) == 1 for h in hosts}
    cells = np.zeros((2, 2))
    for shopper, host in joins:
        cells[int(side_s[shopper]), int(side_h[host])] += 1
    n_s = np.bincount([int(v) for v in side_s.values()], minlength=2)
    share_h = np.bincount([int(v) for v in side_h.values()], minlength=2) / len(hosts)
    rates = cells / (n_s[:, None] * share_h[None, :])
    entries = by_key["live_entries"]
    assert np.allclose(entries["rates"], rates)
    assert np.isclose(entries["estimates"]["tsrn"]["value"], rates[1, 1] - rates[0, 0])
    low, high = entries["estimates"]["tsri-1"]["ci"]
    assert low < entries["estimates"]["tsri-1"]["value"] < high
    assert entries["shares"] == [n_s[1] / len(shoppers), share_h[1]]
    bad = operator.get("/api/experiments/room.badge/results", params={"relative_demand": -1})
    assert_problem(bad, 422)

    login_as(client, operator)  # the review page shows the estimators, not a variant table
    page = client.get("/operator/experiments/room.badge")
    assert page.status_code == 200, page.text
    assert 'id="two-sided"' in page.text and "80 shoppers \u00d7 12 hosts" in page.text
    assert "Not estimated: only per-shopper sums and counts" in page.text
    assert 'id="srm"' not in page.text
