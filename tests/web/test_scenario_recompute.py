"""The scenario page's quick recompute (POST /api/scenarios/recompute): knobs normalised into one
cache key, answers from memory for a repeated setting, the local share knob passed as a parameter
override, every bad knob named, and parallel clients served consistent answers by a real server.
Results only: speed is measured in bench/bench_scenario_web.py."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pandas as pd
import pytest

from devolution.scenarios import compare, model, runner
from devolution.scenarios.inputs import load_inputs
from devolution.scenarios.knobs import INTERACTIVE_DRAWS, knob_scenario
from devolution.scenarios.recompute import Memory, baseline_of, recompute

CORE = "parameters.council_tax.referendum.core_limit"
SHARE = "parameters.business_rates.local_share"


def test_same_knobs_give_the_same_answer_from_memory(client):
    knobs = {CORE: {"2026-27": 0.0499}, "seed": 11, "draws": 40}
    first = client.post("/api/scenarios/recompute", json=knobs)
    assert first.status_code == 200, first.text
    # the same setting written differently (year as a number, keys in another order) is one key
    again = client.post("/api/scenarios/recompute", json={"draws": 40, "seed": 11, CORE: {2026: 0.04990000000001}})
    assert again.headers["X-Cache"] == "hit" and again.content == first.content
    got = first.json()
    assert got["draws"] == 40 and got["scenario_run"]["parameters"] == {"council_tax.referendum.core_limit":
                                                                       {"2026-27": 0.0499}}
    assert got["england_at_year"]["change_central"] < 0  # a higher core limit: a smaller gap


def test_an_override_equal_to_the_law_in_force_is_the_same_run_as_none(client):
    start = client.get("/api/scenarios").json()
    assert start["choices"][SHARE] == [0.5, 0.75, 1.0] and SHARE in start["knobs"]
    key_none, _ = knob_scenario({"seed": 12}, 1000)
    key_same, raw = knob_scenario({"seed": 12, "assumptions.council_tax_increase": "max"}, 1000)
    assert key_none == key_same and raw["parameters"] == {} and raw["draws"] == INTERACTIVE_DRAWS


def test_the_local_share_knob_reaches_the_scenario_that_runs(client):
    response = client.post("/api/scenarios/recompute", json={SHARE: {"2026-27": 1.0}, "seed": 13, "draws": 20})
    assert response.status_code == 200, response.text
    ran = response.json()["scenario_run"]
    assert ran["parameters"] == {"business_rates.local_share": {"2026-27": 1.0}}
    _, raw = knob_scenario({SHARE: {"2026-27": 1.0}, "seed": 13, "draws": 20}, 1000)
    tree = model.tree_for(model.check(raw))
    assert tree.value("business_rates.local_share", "2030-31") == 1.0
    assert tree.value("business_rates.local_share", "2025-26") == 0.5  # before the override: the law


def test_a_full_local_share_helps_only_without_the_levy(client):
    """The template assumes rates grow 1% a year: at a 100% share with the levy abolished councils
    keep more and the gap narrows; with the levy kept (cap 50%) it takes the extra back exactly,
    in the estimate the data allows (each council's baseline taken as its funding level)."""
    levy = "parameters.settlement.retention.levy_rate_cap"
    kept = client.post("/api/scenarios/recompute", json={SHARE: {"2026-27": 1.0}, "seed": 14, "draws": 20}).json()
    free = client.post("/api/scenarios/recompute",
                       json={SHARE: {"2026-27": 1.0}, levy: {"2026-27": 0.0}, "seed": 14, "draws": 20}).json()
    assert abs(kept["england_at_year"]["change_central"]) < 1e-6  # £m
    assert free["england_at_year"]["change_central"] < -100  # more than £100m a year kept by 2034-35
    assert free["outcomes"]["loses"] == 0
    bad = client.post("/api/scenarios/recompute", json={levy: {"2026-27": 0.3}})
    assert bad.status_code == 422 and levy in bad.text


@pytest.mark.parametrize("knobs, named", [
    ({SHARE: {"2026-27": 0.6}}, SHARE),
    ({SHARE: "all"}, SHARE),
    ({CORE: {"2026-27": 7}}, CORE),
    ({"parameters.council_tax.nope": 0.1}, "parameters.council_tax.nope"),
    ({"draws": 5000}, "draws"),
    ({"deals.devolution_by_default": "yes"}, "deals.devolution_by_default"),
    ({"years": "2025-26..2070-71"}, "years"),
])
def test_a_bad_knob_is_refused_by_name(client, knobs, named):
    response = client.post("/api/scenarios/recompute", json=knobs)
    assert response.status_code == 422
    assert [p["path"] for p in response.json()["problems"]] == [named] and named in response.json()["error"]


@pytest.mark.parametrize("body, named", [
    (f'{{"{CORE}": null}}', CORE),                       # an empty field sent as null: was run as the default
    (f'{{"{SHARE}": null}}', SHARE),
    (f'{{"{CORE}": ""}}', CORE),
    (f'{{"{CORE}": NaN}}', CORE),                        # Number("abc") in a page
    (f'{{"{CORE}": {{"2026-27": NaN}}}}', CORE),
    ('{"seed": null}', "seed"),
    ('{"draws": NaN}', "draws"),
    ('{"assumptions.council_tax_increase": null}', "assumptions.council_tax_increase"),
])
def test_an_empty_or_nan_knob_is_refused_by_name_never_run_as_0(client, body, named):
    response = client.post("/api/scenarios/recompute", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 422, response.text
    paths = [p["path"].removeprefix("body.") for p in response.json()["problems"]]  # NaN: refused as JSON
    assert len(paths) == 1 and paths[0].startswith(named) and named in response.json()["error"]


def test_the_tables_equal_a_plain_pandas_reading_of_the_runs(client, store):
    """compare.by_place / by_group (central arrays, whole-column sums) against the long central
    frames read row by row with pandas, and the served answer against a run made directly."""
    knobs = {CORE: 0.06, "seed": 14, "draws": 30}
    got = client.post("/api/scenarios/recompute", json=knobs).json()
    _, raw = knob_scenario(knobs, 1000)
    direct = recompute(raw, store=store)
    assert got["england_at_year"] == direct["england_at_year"] and got["places"] == direct["places"]
    inputs = load_inputs(store, 2024)
    base = runner.run(model.check(baseline_of(raw)), store, draws=1, inputs=inputs)
    scenario = runner.run(model.check(raw), store, draws=30, inputs=inputs)
    table = compare.by_place(base, scenario, 2034, store)

    def at(result, component):
        c = result.central
        return c[(c["year"] == 2034) & (c["component"] == component)].set_index("code")["value"]

    codes = table["code"]
    assert np.allclose(table["gap_scenario"], codes.map(at(scenario, "gap")).astype(float), rtol=1e-12)
    assert np.allclose(table["gap_baseline"], codes.map(at(base, "gap")).astype(float), rtol=1e-12)
    assert np.allclose(table["population"], codes.map(at(scenario, "population")).astype(float), rtol=1e-12)
    assert table["imd2025_decile"].notna().sum() > 290
    for column in ("region", "tier_label", "imd2025_decile"):
        fast = compare.by_group(table, column)
        grouped = table.groupby(column, dropna=False)
        plain = pd.DataFrame({
            "councils": grouped.size(),
            "gain": grouped["outcome"].apply(lambda s: int((s == "gains").sum())),
            "lose": grouped["outcome"].apply(lambda s: int((s == "loses").sum())),
            "change": grouped["change"].sum(),
            "population": grouped.apply(lambda g: g.loc[g["tier"] != "county", "population"].sum()
                                        if (g["tier"] != "county").any() else g["population"].sum()),
        }).reset_index(drop=True)
        for name in plain.columns:
            assert np.allclose(fast[name].to_numpy(dtype=float), plain[name].to_numpy(dtype=float), rtol=1e-12), name
        assert fast["councils"].sum() == len(table)


def test_twenty_parallel_clients_get_consistent_answers(live_server):
    settings = [{CORE: {"2026-27": limit}, "seed": 15, "draws": 20} for limit in (0.0399, 0.0599, 0.0799, 0.0999)]
    asked = [settings[i % 4] for i in range(20)]

    def post(knobs):
        return httpx.post(live_server.url + "/api/scenarios/recompute", json=knobs, timeout=60)

    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, asked))
    assert [a.status_code for a in answers] == [200] * 20
    by_setting = {}
    for knobs, answer in zip(asked, answers):
        by_setting.setdefault(str(knobs), set()).add(answer.content)
    assert all(len(bodies) == 1 for bodies in by_setting.values())  # one answer per setting
    gaps = [post(k).json()["england_at_year"]["central"] for k in settings]
    assert gaps == sorted(gaps, reverse=True) and len(set(gaps)) == 4  # higher limits, smaller gaps


def test_the_served_rows_are_by_place_and_by_group_of_the_same_runs(store):
    """The answer's tables are built from the runs' arrays: each row equals compare.by_place /
    by_group on the same two runs (money in £m), with one Memory shared by two settings."""
    memory = Memory()
    for knobs in ({SHARE: {"2026-27": 1.0}, "parameters.settlement.retention.levy_rate_cap": {"2026-27": 0.0},
                   "seed": 16, "draws": 25}, {CORE: {"2026-27": 0.0599}, "seed": 16, "draws": 25}):
        _, raw = knob_scenario(knobs, 1000)
        got = recompute(raw, store=store, memory=memory)
        inputs = load_inputs(store, 2024)
        base = runner.run(model.check(baseline_of(raw)), store, draws=1, inputs=inputs)
        scenario = runner.run(model.check(raw), store, draws=25, inputs=inputs)
        table = compare.by_place(base, scenario, 2034, store)
        rows = pd.DataFrame(got["places"])
        assert list(rows["code"]) == list(table["code"]) and list(rows["outcome"]) == list(table["outcome"])
        assert (rows["outcome"] != "no change").sum() > 100  # the setting moved many councils
        for column, scale in (("gap_baseline", 1e6), ("gap_scenario", 1e6), ("change", 1e6), ("population", 1),
                              ("change_per_head", 1)):
            assert np.allclose(rows[column].astype(float), table[column] / scale, rtol=1e-12, equal_nan=True), column
        assert rows["imd2025_decile"].astype("Int64").equals(table["imd2025_decile"].rename("imd2025_decile"))
        for name, column in (("by_region", "region"), ("by_type", "tier_label"), ("by_deprivation", "imd2025_decile")):
            served, fast = pd.DataFrame(got[name]), compare.by_group(table, column)
            assert list(served["group"]) == [str(g) for g in fast["group"]]
            assert np.allclose(served["change"], fast["change"] / 1e6, rtol=1e-12)
            assert list(served["gain"]) == list(fast["gain"]) and list(served["lose"]) == list(fast["lose"])
        assert got["england"][-1]["p50"] == pytest.approx(scenario.england["p50"].iloc[-1] / 1e6, rel=1e-12)
    assert len(memory.pressures) == 1 and len(memory.councils) == 1  # policy only: pressure reused


def test_an_app_started_warm_is_computing_the_default_page_before_anyone_asks(loaded_store_path, tmp_path):
    """``devo serve`` starts the workers with the app (DEVOLUTION_WARM=1): the first visitor joins
    the default setting's computation already under way (or finds it done), never starts it."""
    import time

    from fastapi.testclient import TestClient

    from devolution.web.app import create_app, settings_from_env
    from devolution.web.state import Settings

    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite", warm=True))
    with TestClient(app) as c:
        first = c.post("/api/scenarios/recompute", json={})
        assert first.status_code == 200 and first.headers["X-Cache"] in ("shared", "hit")
        deadline = time.monotonic() + 60
        while c.post("/api/scenarios/recompute", json={}).headers["X-Cache"] != "hit":
            assert time.monotonic() < deadline
    os.environ["DEVOLUTION_WARM"] = "1"
    try:
        assert settings_from_env().warm
    finally:
        del os.environ["DEVOLUTION_WARM"]
    assert not settings_from_env().warm  # tests and embedded apps start cold unless asked
