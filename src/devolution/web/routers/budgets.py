"""Place budgets ("One Place, One Budget") from ``devolution.powers.budget``.

``?devolve=adult_skills,bus_franchising`` (or ``all``) moves the central lines funding those powers
to the place (``powers.budget.devolve_lines``): who decides changes, the total does not.
``?devolve=by-default&from=2027`` moves what devolution by default from 1 April of that year gives
the place's strategic authority (``powers.by_default``: its level's powers).
``total`` in the reply counts the table's rows (as on every table); the budget in pounds is
``total_gbp``, and ``by_decider`` holds its £m by who decides.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query

from devolution.errors import DevolutionError
from devolution.exports import records
from devolution.places.register import strategic_authority_of
from devolution.powers import budget_tables, catalogue
from devolution.web import served
from devolution.web.formats import Format, Page, table
from devolution.web.routers import FinancialYear, data, held_year, place_code
from devolution.web.state import AppState
from devolution.web.powers_view import budget_years, place_budget_of
from devolution.years import year_label

router = APIRouter(tags=["budgets"])


def devolved_powers(devolve: str | None) -> list[str]:
    """The checked power ids of ``?devolve=`` (422 names an unknown one and lists the catalogue's)."""
    try:
        return catalogue.parse_powers(devolve)
    except DevolutionError as exc:
        raise HTTPException(422, f"devolve: {exc}") from None


def by_default_powers(state: AppState, code: str, start: int | None) -> list[str]:
    """The powers devolution by default gives the place's strategic authority from 1 April of
    ``start`` (none outside any strategic authority)."""
    if start is None:
        raise HTTPException(422, "devolve=by-default needs from=YEAR (the year devolution by default starts)")
    from devolution.powers.by_default import by_default

    table = state.cached(("by_default", start), lambda s: by_default(state.places(), state.observations("population"),
                                                                       start))
    area = strategic_authority_of(state.places(), [code])[0]
    return sorted(table.loc[table["place"] == area, "power"]) if area else []


@router.get("/api/places/{code}/budget", summary="A place's budget by function and who decides (£m, £ per head)")
@served.by_address
def place_budget(code: str, state: AppState = Depends(data), page: Page = Depends(),
                 year: Optional[FinancialYear] = Query(None, ge=1990, le=2100, description=(
                     "Financial year (2017, 2017-18 or 2017/18); latest held if omitted.")),
                 devolve: Optional[str] = Query(None, max_length=400, description=(
                     "Powers moved from central government to the place, comma-separated ids from "
                     "`devo powers` (e.g. adult_skills,bus_franchising), all, or by-default (with from).")),
                 start: Optional[FinancialYear] = Query(None, alias="from", ge=2014, le=2100, description=(
                     "With devolve=by-default: the financial year devolution by default starts (2027 = 2027-28).")),
                 format: Format = Format.json):
    """Kept by its address (web/served.py ``Kept``); each current place's default answer is
    prepared at start-up (web/warm.py)."""
    return budget_answer(state, code, page, year, devolve, start, format)


def budget_answer(state: AppState, code: str, page: Page, year: int | None, devolve: str | None, start: int | None,
                  format: Format):
    code = place_code(state, code)
    moved = by_default_powers(state, code, start) if devolve == "by-default" else devolved_powers(devolve)
    years = budget_years(state)
    chosen = held_year(year, years, "place budget (council outturn, CRA and population together)") \
        if year is not None else years[-1]
    result = place_budget_of(state, code, chosen, tuple(moved or ()))
    frame = budget_tables.summary(result)
    whole = budget_tables.summary(result, by=("place",))  # one row: the place's total by who decides
    by_decider = records(whole.drop(columns=["place"]))[0]
    return table(frame, format, page, meta={"place": result.place, "name": result.name, "year": result.year,
                                            "label": year_label(result.year), "total_gbp": result.total if result.known else None,
                                            "missing": list(result.missing), "note": result.note,
                                            "devolved_powers": moved, "by_decider": by_decider,
                                            "years_held": years},
                 filename=f"budget_{code}_{chosen}" + ("_devolved" if moved else ""))
