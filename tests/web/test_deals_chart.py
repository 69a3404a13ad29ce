"""The deals chart on a strategic authority's page (and a council's, through its authority): every
entry of the authority, and of the authorities it replaced, on a time line; the JSON twin carries
the same rows as ``devo deals``."""

from __future__ import annotations

from devolution.powers import deals

NORTH_EAST, DURHAM = "E47000014", "E06000047"


def test_the_north_east_page_charts_its_deals_and_its_predecessors(client):
    view = client.get(f"/places/{NORTH_EAST}.json").json()["devolution"]
    chart = view["deals_chart"]
    points = chart["data"]["values"]
    expected = deals.table(["E47000014", "E47000010", "E47000011"])
    assert len(points) == len(view["deals"]) == len(expected)
    assert {p["status"] for p in points} >= {"in force", "abandoned", "superseded"}
    assert chart["encoding"]["x"]["type"] == "temporal" and chart["encoding"]["color"]["field"] == "status"
    abandoned = next(p for p in points if p["status"] == "abandoned")
    assert abandoned["label"] == "2015-10-23" and abandoned["date"] == "2015-10-23"
    month_only = next(p for p in points if p["label"] == "2017-11")   # North of Tyne: only the month was read
    assert month_only["date"] == "2017-11-01"
    page = client.get(f"/places/{NORTH_EAST}", headers={"accept": "text/html"}).text
    assert 'id="deals-timeline"' in page and "devo deals --timeline" in page


def test_a_council_page_shows_its_authoritys_deals_and_says_how(client):
    view = client.get(f"/places/{DURHAM}.json").json()["devolution"]
    assert view["authority"]["code"] == NORTH_EAST
    assert "County Durham (E06000047) is in North East (E47000014)" in view["authority"]["note"]
    assert {d["place"] for d in view["deals"]} == {NORTH_EAST}
    assert view["deals_chart"]["data"]["values"]


def test_the_deals_chart_draws_in_the_browser(page, live_server):
    page.goto(live_server.url + f"/places/{NORTH_EAST}?tab=budget")  # the chart is on the budget and deals tab
    page.wait_for_selector("#deals-timeline svg", timeout=20_000)
    assert page.locator("#deals-timeline svg path, #deals-timeline svg .mark-symbol").count() > 0
    assert not page.errors, page.errors


def test_the_timeline_api_is_the_packages_table(client, loaded_store_path):
    from devolution.powers import timeline
    from devolution.powers.authorities import Authorities
    from devolution.store import Store

    got = client.get("/api/deals/timeline").json()
    with Store(loaded_store_path, read_only=True) as store:
        direct = timeline.by_year(Authorities.from_store(store), store.observations("population"))
    assert got["total"] == len(direct) and [r["year"] for r in got["rows"]] == direct["year"].tolist()
    assert [r["share_mayoral"] for r in got["rows"]] == direct["share_mayoral"].tolist()
    assert client.get("/api/deals/timeline?format=csv").text.splitlines()[0].startswith("year,deals_agreed")
