"""Headless Chromium (Debian's package, driven by Playwright): load the map, click a place, open
its budget, move a slider, submit. Screenshots go to build/screenshots."""

from __future__ import annotations

from tests.web.conftest import SCREENSHOTS


def test_map_click_place_move_slider_and_submit_budget(page, live_server):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-ready] svg path", timeout=20_000)
    assert page.locator("#map svg path").count() > 250  # every council on the map is drawn
    page.screenshot(path=str(SCREENSHOTS / "map.png"), full_page=True)

    # Move the year slider back one year: the map is redrawn for that year.
    last = page.get_attribute("#map", "data-ready")
    page.eval_on_selector("#year", "el => { el.value = el.max - 1; el.dispatchEvent(new Event('change')); }")
    page.wait_for_function(f"() => document.getElementById('map').dataset.ready !== {last!r}", timeout=20_000)

    # Real terms: the same year in the latest deflator year's prices.
    last = page.get_attribute("#map", "data-ready")
    page.select_option("#prices", index=1)
    page.wait_for_function(f"() => document.getElementById('map').dataset.ready !== {last!r}", timeout=20_000)
    assert page.get_attribute("#map", "data-ready").endswith("-25") and "prices" in page.inner_text("#map")
    assert "GDP deflator" in page.inner_text("#map-notes")
    page.screenshot(path=str(SCREENSHOTS / "map_real_terms.png"), full_page=True)

    # Click a coloured place (the top layer): its page opens.
    page.locator("#map svg path[aria-roledescription=geoshape]").nth(400).click(force=True)
    page.wait_for_url("**/places/E*", timeout=20_000)
    page.wait_for_selector(".chart svg", timeout=20_000)
    page.screenshot(path=str(SCREENSHOTS / "place.png"), full_page=True)
    assert page.locator("h1").inner_text()

    page.goto(live_server.url + "/simulator/E06000001")  # Hartlepool (a unitary: core + ASC limit)
    page.wait_for_selector("#budget-form")
    assert "Balanced" in page.inner_text("#balance")
    # Raise the first service by 5% without more council tax (five presses of the arrow key, as a
    # keyboard user would): not balanced, submit disabled.
    page.locator("input.service").first.focus()
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    assert page.locator("input.service").first.input_value() == "5"
    assert "Not balanced" in page.inner_text("#balance")
    assert page.is_disabled("#submit")
    # Pay for it with council tax at the referendum limit (4.99% for a unitary in 2025-26).
    page.locator("#council-tax").focus()
    page.keyboard.press("End")  # the slider's maximum: the referendum limit
    page.screenshot(path=str(SCREENSHOTS / "simulator.png"), full_page=True)
    if "Not balanced" in page.inner_text("#balance"):  # the service too big for the limit: cut it back
        page.eval_on_selector("input.service", "el => { el.value = 1; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    assert "Balanced" in page.inner_text("#balance")
    page.click("#submit")
    page.wait_for_function("() => document.getElementById('result').textContent.includes('Thank you')", timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "submitted.png"), full_page=True)
    # The same browser cannot submit twice.
    page.reload()
    assert page.is_disabled("#submit")
    assert "already submitted" in page.inner_text("#result")
    assert not errors, errors
