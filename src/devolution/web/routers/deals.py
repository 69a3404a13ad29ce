"""Devolution deals and powers from ``devolution.powers``; 501 until it exists."""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Query

from devolution.web.formats import Format, Page, table
from devolution.web.routers import not_yet, optional

router = APIRouter(tags=["deals"])
deals = optional("devolution.powers.deals")
catalogue = optional("devolution.powers.catalogue")


@router.get("/api/deals", summary="Devolution deals by place: date, powers, verified amounts, source")
def deal_list(place: Optional[str] = Query(None, pattern=r"^E\d{8}$"), limit: int = Query(500, ge=1, le=5000),
              offset: int = Query(0, ge=0), format: Format = Format.json):
    if deals is None:
        raise not_yet("The list of deals", "devolution.powers.deals")
    return table(deals.table(place), format, Page(limit, offset), filename="deals")


@router.get("/api/powers", summary="The catalogue of powers that can be devolved")
def power_list(limit: int = Query(500, ge=1, le=5000), offset: int = Query(0, ge=0), format: Format = Format.json):
    if catalogue is None:
        raise not_yet("The catalogue of powers", "devolution.powers.catalogue")
    return table(catalogue.table(), format, Page(limit, offset), filename="powers")
