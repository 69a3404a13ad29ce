"""The devolution part of a place's page (councils, combined authorities and the GLA): its One
Place, One Budget (``powers.budget``: council outturn plus HM Treasury CRA identifiable spending,
by function and who decides), its deals and powers (``powers.deals``) and its readiness level
(``powers.readiness``). Presentation only: the figures come from those modules."""

from __future__ import annotations

import datetime as dt

from devolution.places.register import COUNCIL_TIERS, SA_TIERS, strategic_authority_of
from devolution.web import charts
from devolution.web.formats import records
from devolution.web.routers import optional
from devolution.web.state import AppState
from devolution.years import year_label

budget = optional("devolution.powers.budget")
deals = optional("devolution.powers.deals")
readiness = optional("devolution.powers.readiness")
DECIDERS = ("council", "devolved", "central")


def place_budget(state: AppState, code: str) -> dict | None:
    """The latest place budget, or None when the place has none (not a strategic authority, or no
    member council in force in a year the budget can be made for)."""
    if budget is None:
        return None

    def build(store):
        from devolution.errors import DevolutionError

        years = budget.common_years(store)
        for year in reversed(years):
            try:
                result = budget.place_budget(store, code, year)
                break
            except DevolutionError:
                continue
        else:
            return None
        lines = result.lines
        by_function = lines.groupby(["function", "decided_by"], as_index=False)["value"].sum()
        by_function["value"] = by_function["value"] / 1e6
        decided = lines.groupby("decided_by")["value"].sum()
        total = float(result.total)
        who = [{"decided_by": d, "value_m": float(decided.get(d, 0.0)) / 1e6,
                "share": float(decided.get(d, 0.0)) / total if total else None} for d in DECIDERS]
        title = f"{result.name}: public spending by function and who decides, {year_label(year)} (£m)"
        return {"year": year, "label": year_label(year), "years_held": [year_label(y) for y in years],
                "total_m": total / 1e6, "population": result.population,
                "per_head": total / result.population if result.population else None,
                "who_decides": who, "summary": records(budget.summary(result)),
                "spec": charts.who_decides(records(by_function), title),
                "source": "Revenue Outturn (MHCLG) for councils, weighted by population share; HM Treasury Country "
                          "and Regional Analysis (identifiable spending) for central government, shared out by driver",
                "api": f"/api/places/{code}/budget"}

    return state.cached(("place_budget_view", code), build)


def place_deals(code: str) -> list[dict]:
    return records(deals.table(code)) if deals is not None else []


def place_readiness(state: AppState, code: str) -> dict | None:
    if readiness is None:
        return None

    def build(store):
        population = state.observations("population")[["code", "year", "value"]]
        result = readiness.assess(state.places(), population, code, dt.date.today())
        return {"on": result.on.isoformat(), "level": result.level, "score": result.score,
                "possible": result.possible, "criteria": records(result.criteria)}

    return state.cached(("readiness_view", code, dt.date.today().isoformat()), build)


def strategic_view(state: AppState, code: str, tier: str) -> dict | None:
    """Budget, deals and readiness for a strategic authority; for a council its own place budget
    and the deals of the strategic authority it is part of (``authority``; None if it has none);
    None for other places (regions, England)."""
    if tier in SA_TIERS:
        return {"budget": place_budget(state, code), "deals": place_deals(code),
                "readiness": place_readiness(state, code), "authority": None}
    if tier not in COUNCIL_TIERS:
        return None
    places = state.places()
    authority = strategic_authority_of(places, [code])[0]
    named = places.set_index("code")["name"]
    return {"budget": place_budget(state, code), "deals": place_deals(authority) if authority else [],
            "readiness": None,
            "authority": {"code": authority, "name": named.get(authority, authority)} if authority else None}
