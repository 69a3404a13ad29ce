"""The settlement and business rates retention per authority from ``devolution.analysis.settlement``
(what the store holds), and one authority's figures step by step; 501 until it exists.

The steps are the row of ``settlement_illustration`` that ``devo settlement`` prints (every sum is
done there), with the store's inputs beside them, and the Core Spending Power total that SFA is part
of explained by ``devolution.explain`` (what ``devo explain CODE YEAR csp_total`` prints).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path

from devolution.analysis import settlement
from devolution.errors import DevolutionError
from devolution.exports import clean
from devolution.numbers import number
from devolution.explain import not_in_force
from devolution.places.register import in_force
from devolution.places.tiers import COUNCIL_TIERS
from devolution.web.formats import Format, Page, table
from devolution.web import served
from devolution.web.routers import FinancialYear, data, held_year, place_code
from devolution.web.state import AppState
from devolution.years import year_label

router = APIRouter(tags=["settlement"])

#: The store's measures the settlement figures are read from (``settlement_illustration``).
INPUTS = {"sfa": "csp_settlement_funding_assessment", "rsg_outturn": "ro_revenue_support_grant",
          "retained_income_outturn": "ro_retained_business_rates_income"}
STEPS = (
    ("sfa", "sfa = csp_settlement_funding_assessment",
     "Settlement Funding Assessment: RSG + baseline funding level (Core Spending Power tables, MHCLG)"),
    ("rsg_outturn", "rsg_outturn = -ro_revenue_support_grant",
     "Revenue Support Grant received (Revenue Outturn, MHCLG; held as income, negative, so the sign is turned)"),
    ("bfl_implied", "bfl_implied = sfa - rsg_outturn",
     "Baseline funding level implied by SFA and RSG outturn: not the official BFL, which is not in the data"),
    ("retained_income_outturn", "retained_income_outturn = -ro_retained_business_rates_income",
     "Retained business rates income (Revenue Outturn, MHCLG; sign turned to income)"),
    ("retained_minus_bfl_implied", "retained_minus_bfl_implied = retained_income_outturn - bfl_implied",
     "Rates income kept above (or below) the implied baseline funding level: growth, levy and safety net together"),
)


def _frame(state: AppState, year: int):
    return state.cached(("settlement", year), lambda s: settlement.settlement_illustration(s, year))


def _inputs(state: AppState, year: int):
    """The store's settlement inputs (:data:`INPUTS`) in ``year`` (``Store.wide``): one row per
    authority, one column per measure (read once a year, not once per authority explained)."""
    return state.cached(("settlement_inputs", year), lambda s: s.wide(INPUTS.values(), year))


def settled_codes(state: AppState, year: int) -> list[str]:
    """The authorities with settlement figures in ``year`` (those ``/explain`` answers for)."""
    return [str(code) for code in _frame(state, year)["code"]]


def years_held(state: AppState) -> list[int]:
    """Financial years with any of the settlement inputs in the store."""
    def build(store) -> list[int]:
        found = store.query("SELECT DISTINCT year FROM observations WHERE measure IN (?, ?, ?) ORDER BY year",
                            list(INPUTS.values()))
        return [int(y) for y in found["year"]]

    return state.cached("settlement_years", build)


@router.get("/api/settlement/{year}", summary="SFA, RSG and retained rates per authority in a year")
@served.by_address
def settlement_year(year: Annotated[FinancialYear, Path(ge=1990, le=2100, description="2017, 2017-18 or 2017/18.")],
                    state: AppState = Depends(data), page: Page = Depends(), format: Format = Format.json):
    held_year(year, years_held(state), "settlement figures")
    return table(_frame(state, year), format, page, filename=f"settlement_{year}")


@router.get("/api/settlement/{year}/{code}/explain",
            summary="One authority's settlement figures step by step (what `devo settlement` shows, with its inputs)")
@served.by_address
def settlement_explain(code: str, year: Annotated[FinancialYear, Path(ge=1990, le=2100)], state: AppState = Depends(data)):
    code = place_code(state, code)
    held_year(year, years_held(state), "settlement figures")
    places = state.places()
    place = places[places["code"] == code]
    if place["tier"].isin(COUNCIL_TIERS).all() and not bool(in_force(place, year).iloc[0]):
        # the CSP file's placeholder zeros (Aylesbury Vale 2020-21) are not figures of a council
        raise HTTPException(404, not_in_force(places, code, year))
    frame = _frame(state, year)
    found = frame[frame["code"] == code]
    if found.empty:
        raise HTTPException(404, f"{place['name'].iloc[0]} ({code}) has no SFA, RSG or retained rates figure "
                                 f"in {year_label(year)}")
    row = found.iloc[0]
    held = _inputs(state, year)
    stored = held.loc[code].dropna().to_dict() if code in held.index else {}
    steps = [{"step": name, "formula": formula, "what": what, "value": clean(row[name]),
              **({"input": {INPUTS[name]: clean(stored.get(INPUTS[name]))}} if name in INPUTS else {})}
             for name, formula, what in STEPS]
    return {"code": code, "name": row["name"], "tier": row["tier"], "year": year, "label": year_label(year),
            "steps": steps, "core_spending_power": _csp(state, code, year),
            "lines": [f"{s['formula']} = {_money(s['value'])}" for s in steps],
            "notes": ["The official business rates baseline, BFL, tariff or top-up and NNDR income are not in "
                      "the data, so the levy and safety net are not shown (see docs/settlement.md).",
                      "A missing value (null) means the store holds no such figure for this authority and year."]}


def _csp(state: AppState, code: str, year: int) -> dict | None:
    """``devo explain CODE YEAR csp_total``: SFA as one component of Core Spending Power."""
    from devolution.explain import explain

    try:
        with state.work():
            found = explain(code, year, "csp_total", store=state.store)
    except DevolutionError:
        return None  # no CSP for the year (SFA is held 2015-16 to 2020-21)
    return {"rule": found.rule, "law": found.law, "inputs": dict(found.inputs), "result": clean(found.result),
            "published": dict([found.published]) if found.published else None, "lines": found.lines()}


def _money(value) -> str:
    return number(value, 2) or "none"
