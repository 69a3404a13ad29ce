"""Offline: every kind of page and every HTML report works with all outside requests refused.

Headless Chromium (Debian's, driven by Playwright) may reach only the test server (pages) or the
file itself (reports written by `devo ... --out`); any other request, such as a CDN's, is refused
and recorded, and the test fails naming it. A page must also draw what it is for (its charts, the
API documentation) with no script error, so a CDN URL added back to a template, a script or a
report fails here."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.web.conftest import SCREENSHOTS

#: (path, selector that shows the page did its job, screenshot name)
PAGES = [
    ("/", "#map[data-ready] svg path", "offline_home"),
    ("/places/E06000001", "#tab-trends .chart svg", "offline_place_unitary"),
    ("/places/E10000016", "#tab-trends .chart svg", "offline_place_county"),
    ("/places/E47000001?tab=budget", "#who-decides svg", "offline_place_strategic_authority"),
    ("/places/E08000003?tab=gap", "#gap-chart svg", "offline_place_gap"),
    ("/places/E07000026", "#former", "offline_place_former"),
    ("/places/E12000001", "h1", "offline_place_region"),
    ("/simulator", "ul.columns a", "offline_simulator_index"),
    ("/simulator/E06000001", "#budget-form", "offline_simulator"),
    ("/simulator/E10000016", "#budget-form", "offline_simulator_county"),
    ("/simulator/E06000001/results", "#public-results", "offline_results"),
    ("/scenarios", "#scenario-form", "offline_scenarios"),
    ("/claims", "#claims-form", "offline_claims"),
    ("/reorganisation?example=dorset-2019", "#reorganisation-map svg path", "offline_reorganisation"),
    ("/search?q=allerdal", "#search-results li", "offline_search"),
    ("/docs", ".swagger-ui .opblock", "offline_docs"),
    ("/redoc", "#api-docs[data-ready] .api-content", "offline_redoc"),
    ("/no/such/page", "#not-found", "offline_404"),
]


def offline_page(browser, allowed: str):
    """A page in its own context whose requests may go only to URLs starting with ``allowed``;
    ``page.outside`` lists the others (refused), ``page.errors`` the script errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.outside, page.errors = [], []

    def route(r):
        if r.request.url.startswith(allowed) or r.request.url.startswith("data:"):
            return r.continue_()
        page.outside.append(r.request.url)
        return r.abort()

    context.route("**/*", route)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.mark.parametrize("path, ready, shot", PAGES, ids=[p for p, _, _ in PAGES])
def test_every_kind_of_page_works_offline(browser, live_server, path, ready, shot):
    page = offline_page(browser, live_server.url)
    page.goto(live_server.url + path)
    page.wait_for_selector(ready, timeout=30_000)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(SCREENSHOTS / f"{shot}.png"), full_page=path not in ("/docs", "/redoc"))
    assert not page.outside, f"{path} asked outside the server: {page.outside}"
    assert not page.errors, page.errors
    page.context.close()


def _devo(*args: str, store: Path) -> None:
    env = {**os.environ, "DEVOLUTION_STORE": str(store)}
    done = subprocess.run([str(Path(sys.executable).with_name("devo")), *args], env=env, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]


@pytest.fixture(scope="module")
def reports(loaded_store_path, tmp_path_factory) -> dict[str, Path]:
    """Every HTML report the command line writes, written as a user would."""
    out = tmp_path_factory.mktemp("reports")
    scenario = Path(__file__).resolve().parents[2] / "examples" / "scenarios"
    runs = {
        "overview": ["overview", "--out", str(out / "overview.html")],
        "change": ["change", "nce_total_service_expenditure", "--from", "2010", "--to", "2017", "--by", "region",
                   "--out", str(out / "change.html")],
        "budget": ["budget", "E47000001", "--year", "2017", "--out", str(out / "budget.html")],
        "budget_years": ["budget", "E47000001", "--years", "--out", str(out / "budget_years.html")],
        "scenario_run": ["scenario", "run", str(scenario / "baseline.yaml"), "--draws", "20",
                         "--out", str(out / "scenario_run.html")],
        "scenario_compare": ["scenario", "compare", str(scenario / "baseline.yaml"), str(scenario / "devolution.yaml"),
                             "--place", "E08000003", "--out", str(out / "scenario_compare.html")],
        "reorganise": ["reorganise", "dorset-2019", "--out", str(out / "reorganise.html")],
    }
    with ThreadPoolExecutor(max_workers=3) as pool:  # separate processes: the suite leaves a core idle
        list(pool.map(lambda args: _devo(*args, store=loaded_store_path), runs.values()))
    return {name: out / f"{name}.html" for name in runs}


@pytest.mark.parametrize("name", ["overview", "change", "budget", "budget_years", "scenario_run", "scenario_compare",
                                  "reorganise"])
def test_every_html_report_works_offline(browser, reports, name):
    path = reports[name]
    page = offline_page(browser, path.as_uri())
    page.goto(path.as_uri())
    page.wait_for_selector("#chart0 svg, #chart0 canvas", timeout=30_000)
    charts = page.locator("[id^=chart]").count()
    assert page.locator("[id^=chart] svg, [id^=chart] canvas").count() >= charts  # every chart drawn
    page.screenshot(path=str(SCREENSHOTS / f"report_{name}.png"))
    assert not page.outside, f"{name} report asked outside its file: {page.outside}"
    assert not page.errors, page.errors
    page.context.close()
