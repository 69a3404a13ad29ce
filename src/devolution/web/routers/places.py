"""Places: the register (API) and a page per place with its trends, its parents and the places
like it (same tier and region). ``/places/E06000001`` is the page, ``.json`` its twin."""

from __future__ import annotations

import datetime as dt
from typing import Optional

import pandas as pd
from fastapi import APIRouter, Depends, HTTPException, Query
from starlette.concurrency import run_in_threadpool

from devolution import api
from devolution.exports import clean, records
from devolution.places.register import lifecycle, parents
from devolution.places.tiers import COUNCIL_TIERS, TIER_LABELS
from devolution.web import baseline_view, charts, powers_view, served
from devolution.web.figures import display, figure, map_values, peers
from devolution.web.formats import Format, Page, split_suffix, table
from devolution.web.routers import FinancialYear, data, kept_code, place_code
from devolution.web.search import of_its_time
from devolution.web.state import AppState
from devolution.years import financial_year_of, year_label

router = APIRouter(tags=["places"])

TRENDS = ("nce_total_service_expenditure", "band_d_excl_parish", "population", "csp_total",
          "nce_adult_social_care", "nce_childrens_social_care")
COMPARE = "nce_total_service_expenditure"
#: The place page's tabs (``?tab=`` in its URL), in order: label, and the parts of the place's
#: document that fill it (a tab is shown when one of them is not empty).
TABS = {"trends": ("Trends", ("trends", "comparison")), "gap": ("Funding gap", ("gap",)),
        "budget": ("Budget and deals", ("devolution",)), "figures": ("Latest figures", ("latest",)),
        "similar": ("Similar places", ("similar",))}


def tabs_of(document: dict) -> list[tuple[str, str]]:
    """The tabs a place's page shows, as (id, label), in order (a former council has no budget tab)."""
    return [(tab, label) for tab, (label, parts) in TABS.items() if any(document.get(part) for part in parts)]
PLACE_COLUMNS = ["code", "name", "official_name", "tier", "region_code", "county_code", "strategic_authority_code",
                 "start_date", "end_date", "current", "replaced_by", "ecode"]


@router.get("/api/places", summary="The register of places (current ones unless year or former is given)")
@served.by_address
def places_list(state: AppState = Depends(data), page: Page = Depends(),
                tier: Optional[str] = Query(None, max_length=200, description="Tier(s), comma-separated."),
                region: Optional[str] = Query(None, max_length=80, description="Region code or name."),
                year: Optional[FinancialYear] = Query(None, ge=1900, le=2100, description=(
                    "Places in force on 1 April of this financial year: 2019, 2019-20 or 2019/20.")),
                former: bool = Query(False, description="Include abolished places."),
                format: Format = Format.json):
    frame = state.run(api.places, tier=tier, region=region, year=year, former=former)
    return table(frame[[c for c in PLACE_COLUMNS if c in frame.columns]], format, page, filename="places")


def place_document(state: AppState, code: str) -> dict:
    code = place_code(state, code)
    register = state.places()
    row = register.set_index("code").loc[code]
    chain = parents(register, code)
    held = state.place_observations(code)
    latest = held.sort_values("year").groupby("measure", as_index=False).last()
    latest["label"] = [year_label(int(y)) for y in latest["year"]]
    trends = []
    for measure in TRENDS:
        rows = held[held["measure"] == measure]
        if len(rows) >= 2 and (rows["value"] != 0).any():  # a service the place does not provide: no chart
            values = [{"label": year_label(int(r.year)), "value": r.value} for r in rows.itertuples()]
            unit = rows["unit"].iloc[0]
            trends.append({"measure": measure, "unit": unit,
                           "spec": charts.trend(values, rows["description"].iloc[0], unit)})
    comparison = None
    former = former_view(register, code)
    similar = (peers(state, code) if former is None else of_its_time(register, code, former["last_year"])
               if former["last_year"] is not None else register.iloc[0:0][["code", "name", "tier"]])
    spend = latest[latest["measure"] == COMPARE]
    if len(spend) and row["tier"] in COUNCIL_TIERS:
        year = int(spend["year"].iloc[0])
        values, meta = map_values(state, COMPARE, year, per_resident=True)
        values = values[values["code"].isin(set(similar["code"]))]
        if len(values) > 1 and code in set(values["code"]):  # a former council is not on today's boundaries
            values = values.assign(display=[display(v, meta["unit"]) for v in values["value"]])
            title = f"Net current expenditure per resident, {year_label(year)}: {plural(TIER_LABELS[row['tier']].lower())} in the same region"
            comparison = {"measure": COMPARE, "year": year, "unit": meta["unit"], "notes": meta["notes"],
                          "values": records(values), "spec": charts.bars(records(values), title, meta["unit"], code)}
    place = {k: row[k] for k in PLACE_COLUMNS if k in row.index and k != "code"}
    return {"code": code, **{k: clean(v) for k, v in place.items()},
            "tier_label": TIER_LABELS.get(row["tier"], row["tier"]),
            "lifecycle": lifecycle(register, code),
            "parents": records(chain[["code", "name", "tier"]].iloc[1:]),
            "similar": records(similar[similar["code"] != code]),
            "latest": records(latest[["measure", "label", "year", "value", "unit", "description"]].assign(
                shown=[figure(v, u) for v, u in zip(latest["value"], latest["unit"])])),
            "trends": trends, "comparison": comparison, "former": former,
            # A former council's page is its history (its successor has today's budget, deals and gap).
            "devolution": powers_view.strategic_view(state, code, row["tier"]) if former is None else None,
            "gap": baseline_view.gap_view(state, code, row["tier"]) if former is None else None,
            "simulator": bool(row["tier"] in COUNCIL_TIERS and row["current"]
                              and (held["measure"].str.startswith("nce_")).any())}


def cached_place_document(state: AppState, name: str) -> dict:
    """:func:`place_document`, built once per place and day (its readiness and deals are judged on
    the day) and kept in the app's cache; :mod:`devolution.web.warm` builds every current place's
    before its first visitor. Read only: callers must not change it."""
    code = place_code(state, name)
    return state.cached(("place_document", code, dt.date.today().isoformat()),
                        lambda store: place_document(state, code))


def plural(words: str) -> str:
    """``"county"`` -> ``"counties"``, ``"unitary authority"`` -> ``"unitary authorities"``, ``"london borough"`` -> ``"london boroughs"``."""
    return words[:-1] + "ies" if words.endswith("y") and not words.endswith(("ey", "ay", "oy")) else words + "s"


def former_view(register, code: str) -> dict | None:
    """A former council's end, from the register's ``lifecycle``, with its last financial year
    (the places of that year are its similar places); None for a place in being."""
    life = lifecycle(register, code)
    if life["status"] == "current":
        return None
    last_day = pd.Timestamp(life["end_date"]) if life["end_date"] else None
    last_year = None if last_day is None else financial_year_of(last_day)
    return {**life, "last_year": last_year, "last_label": None if last_year is None else year_label(last_year)}


@router.get("/api/places/{code}", summary="One place (GSS code, E-code or name): register entry, when it began "
                                          "and ended and its successor, parents, latest values, trends, peers")
async def place_json_api(code: str, state: AppState = Depends(data)):
    name = await kept_code(state, "place", _document_name(code), "json", "")
    return await served.served(state, ("place", name, "json", ""), lambda: place_answer(state, name, "json", ""))


@router.get("/places/{name}", include_in_schema=False)
async def place_page(name: str, tab: str = Query("", max_length=40), state: AppState = Depends(data)):
    code, suffix = split_suffix(name)
    _document_name(name)
    kind = "json" if suffix is Format.json else "html"
    if tab and (kind == "json" or tab not in TABS):  # a mistyped tab showed the first one, as if chosen
        raise HTTPException(404, "the JSON holds every tab; ?tab= is for the page" if kind == "json" else
                                 f"no tab {tab!r} on a place's page: its tabs are {', '.join(TABS)}")
    code = await kept_code(state, "place", code, kind, tab)
    if tab and state.peek(served.key("place", code, kind, tab)) is None:  # a tab this place's page lacks
        document = await run_in_threadpool(cached_place_document, state, code)
        shown = [id_ for id_, _ in tabs_of(document)]
        if tab not in shown:
            raise HTTPException(404, f"{document['name']}'s page has no {tab!r} tab: its tabs are {', '.join(shown)}")
    return await served.served(state, ("place", code, kind, tab), lambda: place_answer(state, code, kind, tab))


def _document_name(name: str) -> str:
    """``name`` without a ``.json`` suffix; a 404 for ``.csv`` or ``.parquet``: a place's document
    is not a table (``/places/Kent.csv`` answered the HTML page, ``/api/places/Kent.csv`` JSON)."""
    code, suffix = split_suffix(name)
    if suffix not in (None, Format.json):
        raise HTTPException(404, f"a place has no .{suffix.value} twin: its document is .json; its budget as a "
                                 f"table is /api/places/{code[:60]}/budget.{suffix.value}")
    return code


def place_answer(state: AppState, name: str, kind: str, tab: str = "") -> served.Served:
    """The place page of ``name`` (``kind`` html, on its ``tab``, or its json twin) as served."""
    document = cached_place_document(state, name)
    if kind == "json":
        return served.json_page(document)
    return served.html_page("place.html", {"place": document, "tab": tab, "tabs": tabs_of(document)})


def prepare(state: AppState, code: str) -> None:
    """Keep the place page of ``code`` and its JSON twin, ready for their first visitor."""
    for kind in ("html", "json"):
        served.prepare(state, ("place", code, kind, ""), lambda: place_answer(state, code, kind))
