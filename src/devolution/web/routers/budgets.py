"""Place budgets ("One Place, One Budget") from ``devolution.powers.budget``; 501 until it exists."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, Query

from devolution.web.formats import Format, Page, table
from devolution.web.routers import data, not_yet, optional, place_code
from devolution.web.state import AppState

router = APIRouter(tags=["budgets"])
budget = optional("devolution.powers.budget")


@router.get("/api/places/{code}/budget", summary="A place's budget by function and who decides (£m, £ per head)")
def place_budget(code: str, state: AppState = Depends(data), page: Page = Depends(),
                 year: Optional[int] = Query(None, ge=1990, le=2100, description="Financial year; latest held if omitted."),
                 format: Format = Format.json):
    if budget is None:
        raise not_yet("The place budget", "devolution.powers.budget")
    code = place_code(state, code)
    with state.lock:
        years = budget.common_years(state.store)
        chosen = year if year is not None else years[-1]
        result = budget.place_budget(state.store, code, chosen)
        frame = budget.summary(result)
    return table(frame, format, page, meta={"place": result.place, "name": result.name, "year": result.year,
                                            "total": result.total, "years_held": years},
                 filename=f"budget_{code}_{chosen}")
