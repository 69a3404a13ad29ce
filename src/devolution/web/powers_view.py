"""The devolution part of a place's page (councils, combined authorities and the GLA): its One
Place, One Budget (``powers.budget``: council outturn plus HM Treasury CRA identifiable spending,
by function and who decides), its deals and powers (``powers.deals``) with a chart of them over
time, and its readiness level (``powers.readiness``). A council's deals are those of the strategic
authority it is in (``powers.authorities``). Presentation only: the figures come from those modules."""

from __future__ import annotations

import datetime as dt

from devolution.exports import records
from devolution.places.tiers import COUNCIL_TIERS, SA_TIERS
from devolution.powers import authorities, budget, budget_tables, deals, readiness
from devolution.web import charts
from devolution.web.state import AppState
from devolution.years import year_label

DECIDERS = ("council", "devolved", "central")


def budget_year(state: AppState, year: int):
    """What every place's budget of ``year`` shares (``powers.budget.BudgetYear``), read once."""
    return state.cached(("budget_year", year), lambda store: budget.budget_year(store, year))


def budget_years(state: AppState) -> list[int]:
    """The years a place budget can be made for (``powers.budget.common_years``), read once."""
    return state.cached("budget_years", budget.common_years)


def place_budget_of(state: AppState, code: str, year: int, moved: tuple[str, ...] = ()):
    """A place's budget in ``year`` with ``moved`` powers devolved (``powers.budget.place_budget``),
    made once: the place page (prepared at start-up) and ``/api/places/{code}/budget`` share it. A
    refusal (a DevolutionError) is kept too and raised again: it is as fixed as the store, and
    working it out took ~0.5 s a visit (Dorset Council and BCP in 2017-18: trying each place the
    refusal might suggest instead)."""
    from devolution.errors import DevolutionError

    def build(store):
        try:
            return budget.place_budget(store, code, year, list(moved) or None, shared=budget_year(state, year))
        except DevolutionError as refused:
            return refused

    found = state.cached(("place_budget", code, year, tuple(moved)), build)
    if isinstance(found, DevolutionError):
        raise found.with_traceback(None)
    return found


def place_budget(state: AppState, code: str) -> dict | None:
    """The latest place budget, or None when the place has none (not a strategic authority, or no
    member council in force in a year the budget can be made for)."""

    def build(store):
        from devolution.errors import DevolutionError

        years = budget_years(state)
        for year in reversed(years):
            try:
                result = place_budget_of(state, code, year)
                break
            except DevolutionError:
                continue
        else:
            return None
        lines = result.lines
        by_function = lines.groupby(["function", "decided_by"], as_index=False)["value"].sum()
        by_function["value"] = by_function["value"] / 1e6
        decided = lines.groupby("decided_by")["value"].sum()
        total = float(result.total) if result.known else None  # a total lacking a part is no total
        who = [{"decided_by": d, "value_m": None if d in result.missing else float(decided.get(d, 0.0)) / 1e6,
                "share": float(decided.get(d, 0.0)) / total if total else None} for d in DECIDERS]
        title = f"{result.name}: public spending by function and who decides, {year_label(year)} (£m)"
        return {"year": year, "label": year_label(year), "years_held": [year_label(y) for y in years],
                "total_m": total / 1e6 if total is not None else None, "population": result.population,
                "note": result.note, "per_head": total / result.population if total and result.population else None,
                "missing": list(result.missing),
                "who_decides": who, "summary": records(budget_tables.summary(result)),
                "spec": charts.who_decides(records(by_function), title),
                "source": "Revenue Outturn (MHCLG) for councils, weighted by population share; HM Treasury Country "
                          "and Regional Analysis (identifiable spending) for central government, shared out by driver",
                "api": f"/api/places/{code}/budget"}

    return state.cached(("place_budget_view", code), build)


def register(state: AppState):
    """Strategic authorities and their members over time (read once)."""
    return state.cached("authorities_register", lambda s: authorities.Authorities.from_store(s))


def place_deals(codes) -> list[dict]:
    return records(deals.table(codes))


#: Colours of the deals chart by status (in force, agreed, abandoned, superseded).
STATUS_COLOURS = {"in_force": "#2e7d32", "agreed": "#4a6fa5", "abandoned": "#c0392b", "superseded": "#999999"}


def deals_chart(rows: list[dict], title: str) -> dict:
    """Each entry a point on a time line (the day agreed; the month or year where only that was
    read), one row per kind, coloured by status, with the name, status and day in force on hover."""
    values = [{"date": r["date"] if len(r["date"]) == 10 else (r["date"] + "-01" if len(r["date"]) == 7
                                                               else r["date"] + "-01-01"),
               "label": r["date"], "deal": r["deal"], "kind": r["kind"].replace("_", " "),
               "status": r["status"].replace("_", " "), "in_force": r["in_force"]} for r in rows]
    return {
        "$schema": charts.SCHEMA, "title": title, "width": "container", "height": {"step": 28},
        "data": {"values": values}, "mark": {"type": "point", "filled": True, "size": 90},
        "encoding": {
            "x": {"field": "date", "type": "temporal", "title": "agreed", "axis": {"format": "%Y"}},
            "y": {"field": "kind", "type": "nominal", "title": None},
            "color": {"field": "status", "type": "nominal", "title": "status",
                      "scale": {"domain": [k.replace("_", " ") for k in STATUS_COLOURS],
                                "range": list(STATUS_COLOURS.values())}},
            "tooltip": [{"field": "deal"}, {"field": "label", "title": "agreed"}, {"field": "status"},
                        {"field": "in_force", "title": "in force"}]},
    }


def place_readiness(state: AppState, code: str) -> dict | None:

    def build(store):
        population = state.observations("population")[["code", "year", "value"]]
        result = readiness.assess(state.places(), population, code, dt.date.today(), register=register(state))
        return {"on": result.on.isoformat(), "level": result.level, "score": result.score,
                "possible": result.possible, "criteria": records(result.criteria), "note": result.note}

    return state.cached(("readiness_view", code, dt.date.today().isoformat()), build)


def strategic_view(state: AppState, code: str, tier: str) -> dict | None:
    """Budget, deals (with a chart of them over time) and readiness for a strategic authority; for
    a council its own place budget and the deals of the strategic authority it is in today
    (``authority``; None if it has none); None for other places (regions, England)."""
    if tier not in SA_TIERS and tier not in COUNCIL_TIERS:
        return None
    names = state.places().set_index("code")["name"]
    area = register(state).area(code, dt.date.today())
    authority = area.authority if area is not None else None
    codes = [code] if tier in SA_TIERS else ([authority] if authority else [])
    if tier in SA_TIERS:
        codes += register(state).predecessors(code)
    rows = place_deals(codes) if codes else []
    chart = deals_chart(rows, f"{names.get(authority or code, code)}: deals, orders and settlements over time") \
        if rows else None
    if tier in SA_TIERS:
        return {"budget": place_budget(state, code), "deals": rows, "deals_chart": chart,
                "readiness": place_readiness(state, code), "authority": None}
    return {"budget": place_budget(state, code), "deals": rows, "deals_chart": chart, "readiness": None,
            "authority": {"code": authority, "name": names.get(authority, authority),
                          "note": area.note} if authority else None}
