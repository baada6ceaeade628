"""The experiment review pages through the in-process client: operators only, CSRF, the
definition form's validation (reason beside the form, input kept, 4xx), the lifecycle forms,
and the results section (SRM banner, interval bars, lift plots, unknown figures)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from scipy import stats as sps

from hawker.accounts.audit import list_audit
from hawker.analytics.models import Event
from hawker.analytics.service import record
from hawker.core.clock import clock, utcnow
from hawker.core.config import Settings
from hawker.experiments import results
from hawker.experiments.jobs import check_guardrails
from hawker.experiments.service import access_experiment
from hawker.infra.runtime import runtime_of
from tests.conftest import Api
from tests.web.experiment_seed import Seeded, seed_history
from tests.web.test_pages import XSS, csrf, login_as

KEY = "home.live_position"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"experiment_holdout_bps": 0})


def definition(client: TestClient, **extra: Any) -> dict[str, Any]:
    return {
        "csrf_token": csrf(client),
        "key": KEY,
        "kind": "experiment",
        "title": "Live now: top or middle",
        "hypothesis": "Live higher up sells more",
        "unit_type": "shopper",
        "layer": "home",
        "layer_share": "6000",
        "traffic": "10000",
        "holdout": "on",
        "slot_seconds": "",
        "variant_key": ["top", "middle", ""],
        "variant_weight": ["5000", "5000", ""],
        "variant_value": ['"top"', '"middle"', ""],
        "metrics": ["gmv_per_shopper", "conversion"],
        "guardrail_metric": ["refund_rate", ""],
        "guardrail_threshold": ["0.1", ""],
        **extra,
    }


def errors_of(html: str, box: str) -> str:
    found = re.search(rf'<div class="errors" id="{box}"[^>]*>(.*?)</div>', html, re.S)
    assert found, f"no #{box} in the page"
    return found.group(1)


def audit_actions(client: TestClient, key: str = KEY) -> list[str]:
    rt = runtime_of(client.app)

    async def read() -> list[str]:
        async with rt.db.read() as s:
            found = await list_audit(s, target_type="experiment", target_id=key)
        return [e.action for e, _ in reversed(found)]

    return list(client.portal.call(read))  # type: ignore[union-attr]


def test_only_operators_with_the_csrf_token_reach_the_pages(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    shopper, operator = make_user(), make_user("operator")
    r = client.get("/operator/experiments", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/operator/experiments"
    login_as(client, shopper)
    assert client.get("/operator/experiments").status_code == 403
    r = client.post("/operator/experiments", data=definition(client), follow_redirects=False)
    assert r.status_code == 403
    login_as(client, operator)
    assert 'href="/operator/experiments"' in client.get("/operator").text  # in the navigation
    no_token = {k: v for k, v in definition(client).items() if k != "csrf_token"}
    r = client.post("/operator/experiments", data=no_token, follow_redirects=False)
    assert r.status_code == 403 and r.json()["code"] == "csrf_failed"
    assert "No experiments yet" in client.get("/operator/experiments").text
    assert audit_actions(client) == []


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"variant_weight": ["5000", "4000", ""]}, 422, "weights add up to 9000, not 10000"),
        ({"metrics": ["gmv_per_shopper", "nope"]}, 422, "no metric &#39;nope&#39;"),
        ({"variant_value": ["top", '"middle"', ""]}, 422, "Variant 1 value: not JSON"),
        ({"variant_key": ["top", "top", ""]}, 422, "variant keys must be unique"),
        ({"layer_share": "lots"}, 422, "Layer share: Input should be a valid integer"),
        ({"key": "Bad Key"}, 422, "Key: String should match pattern"),
        ({"guardrail_threshold": ["0", ""]}, 422, "Guardrail 1 threshold"),
        ({"unit_type": "slot"}, 422, "a switchback experiment (slot units) needs slot_seconds"),
        ({"slot_seconds": "600"}, 422, "slot_seconds and burn_in_seconds are for slot units"),
        (
            {"unit_type": "slot", "slot_seconds": "600", "burn_in_seconds": "600"},
            422,
            "burn_in_seconds must be shorter than slot_seconds",
        ),
    ],
)
def test_a_rejected_definition_comes_back_with_the_reason_and_the_input(
    client: TestClient,
    make_user: Callable[..., Api],
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    login_as(client, make_user("operator"))
    r = client.post("/operator/experiments", data=definition(client, **change))
    assert r.status_code == status
    assert message in errors_of(r.text, "new-error")
    assert 'value="Live now: top or middle"' in r.text  # what was typed is kept
    assert "Live higher up sells more</textarea>" in r.text
    assert 'value="gmv_per_shopper" checked' in r.text
    assert audit_actions(client) == []


def test_define_list_filter_and_conflicts(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    login_as(client, make_user("operator"))
    hostile = definition(client, title=f"Live {XSS}")
    r = client.post("/operator/experiments", data=hostile, follow_redirects=False)
    assert r.status_code == 303, r.text
    for path in ("/operator/experiments", f"/operator/experiments/{KEY}"):
        assert XSS not in client.get(path).text and "Live &lt;script&gt;" in client.get(path).text
    assert r.headers["location"] == f"/operator/experiments/{KEY}?done=created"
    page = client.get(r.headers["location"]).text
    assert "Experiment defined as a draft." in page and "refund_rate (10 %)" in page
    listed = client.get("/operator/experiments").text
    row = re.search(rf'<tr data-key="{re.escape(KEY)}">(.*?)</tr>', listed, re.S)
    assert row and "draft" in row.group(1) and "home" in row.group(1) and "60 %" in row.group(1)
    assert f'data-key="{KEY}"' in client.get("/operator/experiments?status=draft").text
    assert f'data-key="{KEY}"' not in client.get("/operator/experiments?status=running").text
    assert client.get("/operator/experiments?status=sideways").status_code == 422

    again = client.post("/operator/experiments", data=definition(client))
    assert again.status_code == 409 and "is taken" in errors_of(again.text, "new-error")
    full = client.post(
        "/operator/experiments", data=definition(client, key="home.other", layer_share="5000")
    )
    assert full.status_code == 409
    assert "4000 free buckets" in errors_of(full.text, "new-error")
    assert audit_actions(client) == ["experiment.create"]
    assert client.get("/operator/experiments/nope").status_code == 404


def test_edit_start_ramp_and_stop_with_a_decision(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    login_as(client, make_user("operator"))
    client.post("/operator/experiments", data=definition(client))
    url = f"/operator/experiments/{KEY}"
    three = {
        "title": "Top, middle or hidden",
        "variant_key": ["top", "middle", "hidden"],
        "variant_weight": ["3334", "3333", "3333"],
        "variant_value": ['"top"', '"middle"', '"hidden"'],
    }
    bad = client.post(url, data=definition(client, **(three | {"variant_weight": ["1", "1", "1"]})))
    assert bad.status_code == 422
    assert "weights add up to 3" in errors_of(bad.text, "edit-error")
    assert 'value="Top, middle or hidden"' in bad.text
    r = client.post(url, data=definition(client, **three), follow_redirects=False)
    assert r.status_code == 303
    page = client.get(url).text
    assert "Top, middle or hidden" in page and "hidden · 33.33 %" in page

    r = client.post(f"{url}/start", data={"csrf_token": csrf(client)}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("done=started")
    late = client.post(url, data=definition(client, **three))
    assert late.status_code == 409 and "only drafts are edited" in errors_of(
        late.text, "edit-error"
    )
    again = client.post(f"{url}/start", data={"csrf_token": csrf(client)})
    assert again.status_code == 409
    assert "cannot start an experiment that is running" in errors_of(again.text, "action-error")

    ramp = {"csrf_token": csrf(client), "traffic": "5000", "weight": ["5000", "2500", "2000"]}
    r = client.post(f"{url}/ramp", data=ramp)
    assert r.status_code == 422 and "weights add up to 9500" in errors_of(r.text, "ramp-error")
    assert 'name="traffic" value="5000"' in r.text and 'value="2000"' in r.text
    ramp["weight"] = ["5000", "2500", "2500"]
    assert client.post(f"{url}/ramp", data=ramp, follow_redirects=False).status_code == 303
    assert "Traffic</dt><dd>50 %" in client.get(url).text

    no_reason = client.post(f"{url}/stop", data={"csrf_token": csrf(client), "ship": "middle"})
    assert no_reason.status_code == 422 and "reason" in errors_of(no_reason.text, "stop-error")
    unknown = {"csrf_token": csrf(client), "ship": "sideways", "reason": "why not"}
    r = client.post(f"{url}/stop", data=unknown)
    assert r.status_code == 422 and "no variant" in errors_of(r.text, "stop-error")
    assert 'value="why not"' in r.text
    decide = {"csrf_token": csrf(client), "ship": "middle", "reason": "Middle sold 4 % more"}
    assert client.post(f"{url}/stop", data=decide, follow_redirects=False).status_code == 303
    page = client.get(url).text
    decision = re.search(r'id="decision".*?</section>', page, re.S)
    assert decision and "Shipped “middle” to everyone" in decision.group(0)
    assert "Middle sold 4 % more" in decision.group(0) and "Operator" in decision.group(0)
    assert 'id="ramp-form"' not in page and 'id="stop-form"' not in page
    assert audit_actions(client) == [
        "experiment.create",
        "experiment.change",
        "experiment.start",
        "experiment.ramp",
        "experiment.stop",
    ]
    assert f"target_id={KEY}" in page  # the filtered audit log


def test_kill_needs_a_reason_and_a_confirmation(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    login_as(client, make_user("operator"))
    client.post("/operator/experiments", data=definition(client))
    url = f"/operator/experiments/{KEY}/kill"
    forged = client.post(url, data={"reason": "Checkout errors", "confirm": "yes"})
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    r = client.post(url, data={"csrf_token": csrf(client), "reason": "Checkout errors"})
    assert r.status_code == 422 and "confirm" in errors_of(r.text, "kill-error")
    assert 'value="Checkout errors"' in r.text
    r = client.post(url, data={"csrf_token": csrf(client), "confirm": "yes"})
    assert r.status_code == 422 and "Reason" in errors_of(r.text, "kill-error")
    done = {"csrf_token": csrf(client), "reason": "Checkout errors", "confirm": "yes"}
    assert client.post(url, data=done, follow_redirects=False).status_code == 303
    page = client.get(f"/operator/experiments/{KEY}").text
    assert "Killed: everyone gets the control" in page and "Checkout errors" in page
    assert 'id="kill-form"' not in page
    assert audit_actions(client)[-1] == "experiment.kill"


def seeded(client: TestClient, make_user: Callable[..., Api], **history: Any) -> Seeded:
    login_as(client, make_user("operator"))
    two = {"variant_key": ["control", "treatment"], "variant_weight": ["5000", "5000"]}
    client.post("/operator/experiments", data=definition(client, **two, variant_value=["", ""]))
    client.post(f"/operator/experiments/{KEY}/start", data={"csrf_token": csrf(client)})
    rt = runtime_of(client.app)

    async def write() -> Seeded:
        async with rt.db.write() as s:
            return await seed_history(s, KEY, **history)

    return client.portal.call(write)  # type: ignore[union-attr,no-any-return]


def test_results_show_the_srm_banner_bars_and_lift_plots(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    data = seeded(client, make_user)
    page = client.get(f"/operator/experiments/{KEY}").text
    banner = re.search(
        r'<section id="srm" class="srm srm-bad" role="alert".*?</section>', page, re.S
    )
    assert banner, "the SRM banner is not flagged"
    expected = (data.units["control"] + data.units["treatment"]) / 2
    assert f"control: {data.units['control']} seen, {expected:g} expected" in banner.group(0)
    assert "p &lt; 0.001 (flagged below 0.001)" in banner.group(0)
    assert re.search(r'id="mixed">1<', page)
    gmv = re.search(r'id="metric-gmv_per_shopper".*?</section>', page, re.S)
    assert gmv
    row = re.search(r'<tr data-arm="treatment" class="tone-good">(.*?)</tr>', gmv.group(0), re.S)
    assert row, "a significant GMV gain is drawn green"
    p = sps.ttest_ind(data.gmv["treatment"], data.gmv["control"], equal_var=False).pvalue
    assert p < 0.001 and "&lt; 0.001" in row.group(1)
    assert row.group(1).count('class="ci-bar tone-good"') == 1
    lift_url = f"/operator/experiments/{KEY}/lift/gmv_per_shopper"
    assert f'hx-get="{lift_url}"' in gmv.group(0)  # drawn once the page shows
    plot = client.get(lift_url).text
    assert plot.count('<polyline class="line arm-1"') == 1
    days = re.search(r'<polyline class="line arm-1" points="([^"]+)"', plot)
    assert days and len(days.group(1).split()) == 5  # four whole days and today's part
    assert 'class="zero"' in plot and '<polygon class="band arm-1"' in plot
    assert client.get(f"/operator/experiments/{KEY}/lift/nope").status_code == 422
    guard = re.search(r'id="guardrails".*?</section>', page, re.S)
    assert guard and "refund_rate" in guard.group(0)


def test_figures_a_design_adds_are_shown_not_dropped(
    client: TestClient, make_user: Callable[..., Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    def with_more(found: Any, guardrails: Any) -> dict[str, Any]:
        body = original(found, guardrails)
        body["interference"] = {"shared_stock": True}
        body["metrics"][0] |= {"ri_p": [0.0123], "randomization_p": [0.0004]}
        body["metrics"][0]["randomization_ci"] = [[12.5, 30.25]]
        return body

    original = results.results_dict
    monkeypatch.setattr("hawker.web.pages.experiments.results_dict", with_more)
    seeded(client, make_user)
    page = client.get(f"/operator/experiments/{KEY}").text
    more = re.search(r'id="more-figures".*?</section>', page, re.S)
    assert more and "<dt>interference</dt><dd>{&#34;shared_stock&#34;: true}</dd>" in more.group(0)
    assert "<dt>ri_p</dt><dd>[0.0123]</dd>" in page
    assert "Shopper-level A/B test" in page
    gmv = re.search(r'id="metric-gmv_per_shopper".*?</section>', page, re.S)
    assert gmv and "p randomization" in gmv.group(0)
    row = re.search(r'<tr data-arm="treatment".*?</tr>', gmv.group(0), re.S)
    assert row and "&lt; 0.001" in row.group(0) and "[+12.5, +30.2]" in row.group(0)


def test_a_draft_has_no_results_section(client: TestClient, make_user: Callable[..., Api]) -> None:
    login_as(client, make_user("operator"))
    client.post("/operator/experiments", data=definition(client))
    page = client.get(f"/operator/experiments/{KEY}").text
    assert 'id="srm"' not in page and 'id="start-form"' in page and 'id="edit-form"' in page
    rt = runtime_of(client.app)

    async def status() -> str:
        async with rt.db.read() as s:
            return (await access_experiment(s, KEY)).status

    assert client.portal.call(status) == "draft"  # type: ignore[union-attr]


def test_the_power_calculator_measures_the_metric_on_the_event_log(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    login_as(client, make_user("operator"))
    empty = client.get("/operator/experiments", params={"metric": "gmv_per_shopper", "mde": "2"})
    assert empty.status_code == 422 and "too few shoppers" in errors_of(empty.text, "power-error")
    spent = [1000 + 150 * (i % 7) for i in range(60)]
    rt = runtime_of(client.app)

    async def write() -> None:
        async with rt.db.write() as s:
            for user_id, value in enumerate(spent, 500):
                await record(s, "purchase", user_id=user_id, order_id=user_id, value=value)

    client.portal.call(write)  # type: ignore[union-attr]
    asked = {"metric": "gmv_per_shopper", "mde": "2", "arms": "3", "days": "7"}
    r = client.get("/operator/experiments", params=asked)
    assert r.status_code == 200, r.text
    mean, sd = np.mean(spent), np.std(spent, ddof=1)
    z = sps.norm.ppf(0.975) + sps.norm.ppf(0.8)
    # all three arms, a third each: the control vs one variant has 1/(1/3) + 1/(1/3) = 6
    total = math.ceil(z**2 * sd**2 * 6 / (0.02 * mean) ** 2)
    answer = re.search(r'id="power-answer".*?</p>', r.text, re.S)
    assert answer and f"{total:,} units</strong> in all" in answer.group(0)
    assert f"{math.ceil(total / (len(spent) / 7))} days" in answer.group(0)
    bad = client.get("/operator/experiments", params=asked | {"mde": "-1", "arms": "99"})
    assert bad.status_code == 422
    assert "mde: Input should be greater than 0" in errors_of(bad.text, "power-error")
    assert 'name="arms" value="99"' in bad.text


def test_a_flag_runs_without_metrics(client: TestClient, make_user: Callable[..., Api]) -> None:
    login_as(client, make_user("operator"))
    r = client.post("/operator/experiments", data=definition(client, kind="flag"))
    assert r.status_code == 422
    assert "a flag has no metrics" in errors_of(r.text, "new-error")
    flag = definition(client, kind="flag", metrics=[], guardrail_metric=[], guardrail_threshold=[])
    assert (
        client.post("/operator/experiments", data=flag, follow_redirects=False).status_code == 303
    )
    client.post(f"/operator/experiments/{KEY}/start", data={"csrf_token": csrf(client)})
    page = client.get(f"/operator/experiments/{KEY}")
    assert page.status_code == 200
    assert 'class="srm srm-ok"' in page.text and 'class="card metric"' not in page.text
    assert "Audit log for this flag" in page.text


def test_a_harmed_guardrail_shows_and_its_stop_is_the_decision(
    client: TestClient, make_user: Callable[..., Api]
) -> None:
    seeded(client, make_user, units=(300, 300), refund=(0.05, 0.6))
    page = client.get(f"/operator/experiments/{KEY}").text
    guard = re.search(r'id="guardrails".*?</section>', page, re.S)
    assert guard and "harmed" in guard.group(0) and "the guardrail job stops it" in guard.group(0)
    assert client.portal.call(check_guardrails, runtime_of(client.app)) == [KEY]  # type: ignore[union-attr]
    page = client.get(f"/operator/experiments/{KEY}").text
    guard = re.search(r'id="guardrails".*?</section>', page, re.S)
    assert guard and "harmed</span>" in guard.group(0) and "→ stopped" in guard.group(0)
    decision = re.search(r'id="decision".*?</section>', page, re.S)
    assert decision and "Killed: everyone gets the control" in decision.group(0)
    assert "automatic stop: guardrail refund_rate" in decision.group(0)
    assert "by the guardrail job" in decision.group(0)


def test_a_switchback_shows_its_design_and_randomization_test(
    client: TestClient, make_user: Callable[..., Api], monkeypatch: pytest.MonkeyPatch
) -> None:
    """One-minute slots with a 15 s burn-in for 30 minutes; a slot's purchases are its GMV."""
    login_as(client, make_user("operator"))
    slot = {"unit_type": "slot", "slot_seconds": "60", "burn_in_seconds": "15"}
    two = {"variant_key": ["control", "treatment"], "variant_weight": ["5000", "5000"]}
    body = definition(client, **slot, **two, variant_value=["", ""])
    r = client.post("/operator/experiments", data=body, follow_redirects=False)
    assert r.status_code == 303, r.text
    client.post(f"/operator/experiments/{KEY}/start", data={"csrf_token": csrf(client)})
    rt = runtime_of(client.app)

    async def write() -> datetime:
        async with rt.db.write() as s:
            started = (await access_experiment(s, KEY)).started_at
            assert started is not None
            for minute in range(30):
                at = started + timedelta(minutes=minute, seconds=30)
                s.add(Event(type="purchase", at=at, user_id=1, value=1000 + 10 * minute))
        return started

    started = client.portal.call(write)  # type: ignore[union-attr]
    monkeypatch.setattr(
        clock, "offset_seconds", (started + timedelta(minutes=30) - utcnow()).total_seconds()
    )
    page = client.get(f"/operator/experiments/{KEY}").text
    assert "slots of 60 s, the first 15 s of each not measured" in page  # the definition
    design = re.search(r'<p class="muted" id="design">(.*?)</p>', page, re.S)
    assert design and design.group(1).startswith("Switchback: slots of 60 s, the first 15 s")
    gmv = re.search(r'id="metric-gmv_per_shopper".*?</section>', page, re.S)
    assert gmv and "p randomization" in gmv.group(0)
    row = re.search(r'<tr data-arm="treatment".*?</tr>', gmv.group(0), re.S)
    assert row
    cells = re.findall(r'<td class="num[^"]*">(.*?)</td>', row.group(0))
    assert len(cells) == 10  # units ... always-valid p, then the randomization p and interval
    assert re.fullmatch(r"\d\.\d{3}|&lt; 0\.001", cells[-2]) and cells[-1].startswith("[")
    assert client.get(f"/operator/experiments/{KEY}/lift/gmv_per_shopper").status_code == 200
