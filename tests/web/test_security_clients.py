"""Who a client is, on a real ``devo serve``: a random X-Forwarded-For buys nothing unless the proxy
sending it is trusted (``--forwarded-allow-ips``); a fresh browser token does not buy another
budget from the same address past the per-address cap; cookies are Secure over HTTPS."""

from __future__ import annotations

import ipaddress
import itertools
from types import SimpleNamespace

import httpx
import pytest
from fastapi.testclient import TestClient

from devolution.web.app import create_app
from devolution.web.security import CSRF_COOKIE, SUBMIT_COOKIE, client_of
from devolution.web.state import Settings
from tests.web.conftest import Server

addresses = (f"203.0.113.{n}" for n in itertools.count(1))


def submit(url: str, code: str, headers: dict | None = None) -> httpx.Response:
    """A new browser (no cookies) opens the simulator and submits a balanced budget."""
    with httpx.Client(base_url=url, timeout=30, headers=headers or {}) as browser:
        browser.get(f"/simulator/{code}")
        return browser.post(f"/simulator/{code}/submit", data={"csrf": browser.cookies.get(CSRF_COOKIE),
                                                               "council_tax_change": "0", "changes": "{}"})


@pytest.fixture()
def one_a_while(loaded_store_path, tmp_path):
    """``devo serve`` allowing one submission per client (then one every three hours)."""
    server = Server(loaded_store_path, tmp_path / "s.sqlite", rate="1,0.0001").start()
    yield server
    server.stop()


def test_a_random_x_forwarded_for_buys_no_more_submissions(one_a_while):
    first = submit(one_a_while.url, "E06000001", {"X-Forwarded-For": next(addresses)})
    assert first.status_code == 201, first.text
    for _ in range(3):  # each "from" another address it made up
        again = submit(one_a_while.url, "E06000002", {"X-Forwarded-For": next(addresses)})
        assert again.status_code == 429 and again.headers["Retry-After"], again.text


def test_behind_a_trusted_proxy_each_visitor_counts_apart(loaded_store_path, tmp_path):
    server = Server(loaded_store_path, tmp_path / "s.sqlite", rate="1,0.0001",
                    args=("--forwarded-allow-ips", "127.0.0.1")).start()
    try:
        alice, bob = next(addresses), next(addresses)
        assert submit(server.url, "E06000001", {"X-Forwarded-For": alice}).status_code == 201
        assert submit(server.url, "E06000001", {"X-Forwarded-For": bob}).status_code == 201  # the proxy's word
        assert submit(server.url, "E06000002", {"X-Forwarded-For": alice}).status_code == 429  # alice's bucket
        # The proxy says the visitor came over HTTPS: the cookies are Secure.
        page = httpx.get(server.url + "/simulator/E06000003", headers={"X-Forwarded-For": bob,
                                                                        "X-Forwarded-Proto": "https"})
        assert all("secure" in c.lower() for c in page.headers.get_list("set-cookie"))
    finally:
        server.stop()


def test_a_fresh_token_buys_no_more_budgets_from_one_address(loaded_store_path, tmp_path):
    server = Server(loaded_store_path, tmp_path / "s.sqlite", env={"DEVOLUTION_SUBMISSIONS_PER_ADDRESS": "2"}).start()
    try:
        answers = [submit(server.url, "E06000001") for _ in range(3)]  # three browsers, three fresh tokens
        assert [a.status_code for a in answers] == [201, 201, 429], [a.text for a in answers]
        assert "the most one address may send" in answers[2].json()["error"]
        assert submit(server.url, "E06000002").status_code == 201  # the cap is per council
        restarted = Server(loaded_store_path, tmp_path / "s.sqlite", env={"DEVOLUTION_SUBMISSIONS_PER_ADDRESS": "2"})
        server.stop()
        server = restarted.start()
        assert submit(server.url, "E06000001").status_code == 429  # kept in the database: a restart forgets nothing
    finally:
        server.stop()


def test_the_database_stores_a_pseudonym_of_the_address_never_the_address(loaded_store_path, tmp_path):
    import sqlite3

    app = create_app(Settings(store_path=loaded_store_path, submissions_path=tmp_path / "s.sqlite"))
    with TestClient(app, base_url="http://devolution.test") as browser:
        browser.get("/simulator/E06000001")
        assert browser.post("/simulator/E06000001/submit", data={"csrf": browser.cookies.get(CSRF_COOKIE),
                            "council_tax_change": "0", "changes": "{}"}).status_code == 201
    with sqlite3.connect(tmp_path / "s.sqlite") as db:
        (client,) = db.execute("SELECT client FROM submissions").fetchone()
    assert client == app.state.signer.pseudonym("testclient") and "testclient" not in client and len(client) == 32
    assert "client" not in app.state.submissions.frame().columns  # nor on the results page


@pytest.mark.parametrize("peer, client", [
    ("198.51.100.7", "198.51.100.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),  # the same subscriber's /64
    ("::ffff:198.51.100.7", "198.51.100.7"),                    # IPv4 written as IPv6
])
def test_a_client_is_its_address_and_an_ipv6_client_its_64(peer, client):
    request = SimpleNamespace(client=SimpleNamespace(host=peer))
    assert client_of(request) == client
    assert ipaddress.ip_network(client_of(request), strict=False).num_addresses in (1, 2**64)


def test_cookies_are_secure_over_https_only(web_app):
    for base, secure in (("https://devolution.test", True), ("http://devolution.test", False)):
        with TestClient(web_app, base_url=base) as browser:
            cookies = browser.get("/simulator/E06000001").headers.get_list("set-cookie")
        assert {c.split("=", 1)[0] for c in cookies} == {CSRF_COOKIE, SUBMIT_COOKIE}
        assert all(("; secure" in c.lower()) is secure and "httponly" in c.lower() and "samesite=strict" in c.lower()
                   for c in cookies), cookies
