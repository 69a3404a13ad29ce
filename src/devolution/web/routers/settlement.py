"""The settlement and business rates retention per authority from ``devolution.analysis.settlement``
(what the store holds); 501 until it exists."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path

from devolution.web.formats import Format, Page, table
from devolution.web.routers import data, not_yet, optional
from devolution.web.state import AppState

router = APIRouter(tags=["settlement"])
settlement = optional("devolution.analysis.settlement")


@router.get("/api/settlement/{year}", summary="SFA, RSG and retained rates per authority in a year")
def settlement_year(year: int = Path(..., ge=1990, le=2100), state: AppState = Depends(data),
                    page: Page = Depends(), format: Format = Format.json):
    if settlement is None:
        raise not_yet("The settlement", "devolution.analysis.settlement")
    frame = state.cached(("settlement", year), lambda s: settlement.settlement_illustration(s, year))
    return table(frame, format, page, filename=f"settlement_{year}")
