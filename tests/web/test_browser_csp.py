"""Headless Chromium under the server's Content-Security-Policy: every kind of page draws its charts
and runs its scripts with nothing refused, and markup injected into a page cannot run a script."""

from __future__ import annotations

from devolution.web.middleware import CSP

PAGES = (("/", "#map[data-ready] svg path"), ("/places/E08000003?tab=gap", "#gap-chart svg"),
         ("/places/E47000001?tab=budget", "#who-decides svg"), ("/simulator", "main a"), ("/simulator/E06000001", "#balance.ok"),
         ("/scenarios", "#scenario-form"), ("/claims", "#claims-form"), ("/places/E99999999", "main h1"))


def test_every_page_runs_under_the_policy_with_nothing_refused(page, live_server):
    for path, ready in PAGES:
        response = page.goto(live_server.url + path)
        assert response.headers["content-security-policy"] == CSP, path
        page.wait_for_selector(ready, timeout=30_000)
    page.goto(live_server.url + "/")
    page.wait_for_selector("#map[data-ready] svg path", timeout=30_000)
    page.locator("#map svg path[aria-roledescription=geoshape]").nth(100).hover(force=True)
    page.wait_for_selector("#vg-tooltip-element.visible", timeout=10_000)  # the tooltip, styled by style.css
    assert page.eval_on_selector("#vg-tooltip-element", "el => getComputedStyle(el).position") == "fixed"
    assert not page.errors, page.errors


def test_injected_markup_cannot_run_a_script(page, live_server):
    page.goto(live_server.url + "/claims")
    page.errors.clear()
    page.eval_on_selector("main", """el => { el.insertAdjacentHTML('beforeend',
        '<img src="/static/none.png" onerror="window.pwned = 1"><a id="js" href="javascript:window.pwned = 2">x</a>');
        const s = document.createElement('script'); s.textContent = 'window.pwned = 3'; document.body.appendChild(s); }""")
    page.click("#js")
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.pwned === undefined")
    assert page.errors and all("Content Security Policy" in e for e in page.errors)  # each refused, and said so
    page.errors.clear()
