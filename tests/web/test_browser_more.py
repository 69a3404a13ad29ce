"""Headless Chromium (Debian's package, driven by Playwright) on the scenario page (change a knob,
run, see the result), a strategic authority's page (who decides) and the claims page.
Screenshots go to build/screenshots."""

from __future__ import annotations

from tests.web.conftest import SCREENSHOTS


def test_scenario_page_change_a_knob_run_and_see_the_result(page, live_server):
    page.goto(live_server.url + "/scenarios")
    assert "business rates growth retention" in page.inner_text("#deals-note")
    page.select_option("#levy-cap", "0.0")
    page.fill("#core-limit", "5")
    page.fill("#draws", "200")
    page.check("#devolution-by-default")
    page.click("#run")
    page.wait_for_selector("#scenario-result[data-ready]", timeout=20_000)
    page.wait_for_selector("#england-chart svg", timeout=20_000)
    page.wait_for_selector("#distribution-chart svg", timeout=20_000)
    summary = page.inner_text("#scenario-summary")
    assert "England's funding gap in 2034-35" in summary and "councils gain" in summary
    assert page.locator("#by-region tbody tr").count() == 9
    page.screenshot(path=str(SCREENSHOTS / "scenario.png"), full_page=True)
    # Too many draws: the form refuses it before anything is sent (the server would answer 422).
    page.fill("#draws", "5000")
    assert page.eval_on_selector("#draws", "el => !el.validity.valid")
    assert not page.errors, page.errors


def test_scenario_form_refuses_empty_and_invalid_numbers_next_to_the_field(page, live_server):
    """An empty core limit was sent as 0 (+"" is 0) and run; a link with seed=abc ran seed 0. Now
    nothing is sent and the message stands next to each field."""
    sent = []
    page.on("request", lambda r: sent.append(r.url) if "/api/scenarios/recompute" in r.url else None)
    page.goto(live_server.url + "/scenarios?seed=abc")  # a shared link with a bad value
    page.wait_for_selector("#seed-error:not([hidden])")
    assert "not a number" in page.inner_text("#seed-error")
    page.fill("#seed", "3")
    page.fill("#core-limit", "")
    page.fill("#draws", "5000")
    page.click("#run")
    assert "empty or not a number" in page.inner_text("#core-limit-error")
    assert "to 1000" in page.inner_text("#draws-error")
    assert page.is_hidden("#seed-error") and page.is_hidden("#asc-limit-error")
    assert "Nothing was run" in page.inner_text("#scenario-status")
    assert page.get_attribute("#core-limit", "aria-invalid") == "true"
    assert not sent and page.is_hidden("#scenario-result")
    assert not page.errors, page.errors


def test_strategic_authority_page_shows_who_decides(page, live_server):
    page.goto(live_server.url + "/places/E47000001?tab=budget")  # Greater Manchester, its budget tab
    page.wait_for_selector("#who-decides svg", timeout=20_000)
    assert "devolved" in page.inner_text("#place-budget-summary")
    assert "Established" in page.inner_text("#readiness-level")
    assert page.locator("#deals tbody tr").count() >= 5
    page.screenshot(path=str(SCREENSHOTS / "place_budget.png"), full_page=True)
    assert not page.errors, page.errors


def test_council_page_shows_its_gap_budget_and_authority(page, live_server):
    page.goto(live_server.url + "/places/E08000003")  # Manchester
    page.click("#tab-link-gap")  # the tabs: each shows its part and puts it in the address
    page.wait_for_selector("#gap-chart svg", timeout=20_000)
    assert page.url.endswith("?tab=gap") and page.is_hidden("#tab-trends")
    assert "2034-35" in page.inner_text("#gap-summary") and page.locator("#gap-breakdown tbody tr").count() == 7
    page.screenshot(path=str(SCREENSHOTS / "place_council_gap.png"), full_page=True)
    page.click("#tab-link-budget")
    page.wait_for_selector("#who-decides svg", timeout=20_000)
    assert "Greater Manchester" in page.inner_text("#authority")
    page.screenshot(path=str(SCREENSHOTS / "place_council.png"), full_page=True)
    assert not page.errors, page.errors


def test_claims_page_pick_examples_and_see_verdicts(page, live_server):
    page.goto(live_server.url + "/claims")
    page.check("input[value=cuts-cash-spending-fell]")
    page.check("input[value=children-in-care-three-times]")  # not supported on like-for-like spending
    page.click("#check")
    page.wait_for_selector("#claims-results", timeout=20_000)
    assert page.locator("#claims-results tbody tr").count() == 2
    assert "1 supported, 1 not supported" in page.inner_text("#verdicts")
    page.screenshot(path=str(SCREENSHOTS / "claims.png"), full_page=True)
    assert not page.errors, page.errors
