"""Headless Chromium (Debian's, driven by Playwright) as a resident or a journalist: search to a
place, share the map's view by its URL, a county's budget (its ring-fenced lines refuse a move),
the public results appearing once the minimum number of budgets is in, the place page's tab and
the scenario page's knobs in the URL. Screenshots go to build/screenshots."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import SCREENSHOTS, Server

KENT = "E10000016"


@pytest.fixture(scope="module")
def results_server(loaded_store_path, tmp_path_factory):
    """A server of its own (empty submissions) that publishes a council's results from 3 budgets."""
    server = Server(loaded_store_path, tmp_path_factory.mktemp("results") / "submissions.sqlite",
                    env={"DEVOLUTION_RESULTS_MINIMUM": "3"}).start()
    yield server
    server.stop()


def new_page(browser, server):
    """A fresh browser (its own cookies: one budget each) that may reach only ``server``."""
    context = browser.new_context(viewport={"width": 1200, "height": 1000})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.url)
                  else route.abort())
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


def test_search_to_a_place_and_from_a_former_council_to_its_successor(browser, live_server):
    page = new_page(browser, live_server)
    page.goto(live_server.url + "/claims")
    page.fill("#search-q", "Hartlepool")  # a name the register knows: straight to its page
    page.press("#search-q", "Enter")
    page.wait_for_url("**/places/E06000001", timeout=20_000)
    assert page.inner_text("h1") == "Hartlepool"
    page.fill("#search-q", "allerdal")  # misspelt, and a council abolished in 2023
    page.press("#search-q", "Enter")
    page.wait_for_selector("#search-results li")
    assert "now part of Cumberland" in page.inner_text("#search-results")
    page.screenshot(path=str(SCREENSHOTS / "search.png"), full_page=True)
    page.click("#search-results a:text('Allerdale')")
    page.wait_for_selector("#former")
    assert "Abolished on 1 April 2023" in page.inner_text("#former")
    page.click("#tab-link-similar")
    assert "Copeland" in page.inner_text("#similar-places")  # similar places of its own time
    page.screenshot(path=str(SCREENSHOTS / "place_former.png"), full_page=True)
    page.click("#former a:text('Cumberland')")
    page.wait_for_url("**/places/E06000063")
    assert page.inner_text("h1") == "Cumberland"
    assert not page.errors, page.errors
    page.context.close()


def test_a_shared_map_url_opens_the_same_view(browser, live_server):
    page = new_page(browser, live_server)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-ready] svg path", timeout=30_000)
    page.select_option("#measure", "cla_31_march_rate_per_10k")  # a county-level measure
    page.wait_for_function("() => document.getElementById('map').dataset.ready.startsWith('cla_31_march_rate_per_10k')",
                           timeout=30_000)
    last = page.get_attribute("#map", "data-ready")
    page.eval_on_selector("#year", "el => { el.value = 0; el.dispatchEvent(new Event('change')); }")  # the first year
    page.wait_for_function(f"() => document.getElementById('map').dataset.ready !== {last!r}", timeout=30_000)
    view = page.get_attribute("#map", "data-ready")
    shared = page.url
    assert re.search(r"measure=cla_31_march_rate_per_10k&year=\d{4}&per=resident&councils=all&prices=cash", shared)
    assert "County Council's figure" in page.inner_text("#map-notes") or "county" in page.inner_text("#map-notes")

    other = new_page(browser, live_server)  # someone opening the link
    other.goto(shared)
    other.wait_for_selector("#map[data-ready] svg path", timeout=30_000)
    assert other.get_attribute("#map", "data-ready") == view
    assert other.input_value("#measure") == "cla_31_march_rate_per_10k"
    assert other.inner_text("#year-label") == page.inner_text("#year-label")
    assert other.locator("#map svg path[aria-roledescription=geoshape]").count() > 250
    other.screenshot(path=str(SCREENSHOTS / "map_shared_county_measure.png"), full_page=True)
    assert not page.errors and not other.errors, page.errors + other.errors
    page.context.close()
    other.context.close()


def _county_budget(page, server, rise: bool = True) -> None:
    """Open Kent's simulator, raise adult social care by 1% and pay for it with the precept at its
    limit (``rise``) or by cutting central services by 13%."""
    page.goto(server.url + f"/simulator/{KENT}")
    page.wait_for_selector("#budget-form")
    slider = page.locator("input.service[data-measure=nce_adult_social_care]")
    slider.focus()
    page.keyboard.press("ArrowRight")  # +1% of adult social care
    assert "Not balanced" in page.inner_text("#balance")
    if rise:
        page.locator("#council-tax").focus()
        page.keyboard.press("End")
    else:
        page.locator("input.service[data-measure=nce_central_services]").focus()
        for _ in range(13):
            page.keyboard.press("ArrowLeft")
    assert "Balanced" in page.inner_text("#balance")


def test_a_county_budget_its_ring_fenced_lines_and_the_public_results(browser, results_server):
    first = new_page(browser, results_server)
    first.goto(results_server.url + f"/simulator/{KENT}")
    first.wait_for_selector("#budget-form")
    assert "precept" in first.inner_text("#precept-note")
    # The ring-fenced lines: their sliders do not move, by keyboard or otherwise.
    education = first.locator("input.service[data-measure=nce_education]")
    assert education.is_disabled() and first.locator("input.service[data-measure=nce_public_health]").is_disabled()
    assert "Ring-fenced" in first.inner_text("tr.ring-fenced >> nth=0")
    # A forged form moving schools money to social care is refused by the server, which says why.
    refused = first.evaluate("""async () => {
        const form = new FormData(document.getElementById('budget-form'));
        const budget = JSON.parse(document.getElementById('budget-data').textContent);
        const dsg = budget.services.find(s => s.measure === 'nce_education').value;
        form.set('changes', JSON.stringify({nce_education: -0.01 * dsg, nce_adult_social_care: 0.01 * dsg}));
        const r = await fetch(document.getElementById('budget-form').action, {method: 'POST', body: form});
        return [r.status, (await r.json()).error];
    }""")
    assert refused[0] == 422 and "ring-fenced" in refused[1]
    first.screenshot(path=str(SCREENSHOTS / "simulator_county.png"), full_page=True)

    # Three residents submit Kent's budget (each in their own browser); the results page says how
    # many are in until the third, then shows the averages.
    for n in range(3):
        page = first if n == 0 else new_page(browser, results_server)
        page.goto(results_server.url + f"/simulator/{KENT}/results")
        assert f"{n} budget" in page.inner_text("#results-status") and page.locator("#results-services").count() == 0
        if n == 1:
            assert "at least 3 budgets" in page.inner_text("#public-results")
            page.screenshot(path=str(SCREENSHOTS / "results_waiting.png"), full_page=True)
        _county_budget(page, results_server, rise=n != 2)
        page.click("#submit")
        page.wait_for_function("() => document.getElementById('result').textContent.includes('Thank you')", timeout=20_000)
        assert not page.errors, page.errors
    first.goto(results_server.url + f"/simulator/{KENT}/results")
    assert "3 budgets submitted" in first.inner_text("#results-status")
    rows = first.locator("#results-services tbody tr")
    assert rows.count() >= 8
    social_care = first.locator("#results-services tbody tr:has-text('Adult social care')").inner_text()
    assert "+7.21" in social_care  # 1% of £721.1m, the same in each of the three budgets
    first.screenshot(path=str(SCREENSHOTS / "results_published.png"), full_page=True)
    first.context.close()


def test_the_place_tab_and_the_scenario_knobs_live_in_the_url(browser, live_server):
    page = new_page(browser, live_server)
    page.goto(live_server.url + "/places/E08000003?tab=budget")  # a shared link to Manchester's budget tab
    page.wait_for_selector("#who-decides svg", timeout=30_000)
    assert page.is_hidden("#tab-trends") and page.get_attribute("#tab-link-budget", "aria-selected") == "true"
    page.click("#tab-link-figures")
    assert page.url.endswith("?tab=figures") and page.is_visible("#tab-figures")

    page.goto(live_server.url + "/scenarios?core=5&asc=2&policy=fixed&fixed=3&dbd=1&draws=100&seed=7")
    page.wait_for_selector("#scenario-result[data-ready]", timeout=60_000)  # the shared run, run on opening
    assert page.input_value("#core-limit") == "5" and page.is_checked("#devolution-by-default")
    assert page.is_checked("input[name=ct-policy][value=fixed]") and page.input_value("#ct-fixed") == "3"
    assert "England's funding gap" in page.inner_text("#scenario-summary")
    page.fill("#draws", "200")
    page.click("#run")
    page.wait_for_function("() => location.search.includes('draws=200')", timeout=30_000)
    assert "core=5" in page.url and "seed=7" in page.url
    page.screenshot(path=str(SCREENSHOTS / "scenario_shared.png"), full_page=True)
    assert not page.errors, page.errors
    page.context.close()
