"""The public results of the budget simulator: ``/simulator/{code}/results`` (page) and its
``.json`` twin, aggregated as ``web/results.py`` says (no personal data; shown from a minimum
number of submissions). The admin view with every council is ``/simulator/results``."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request

from devolution.web.results import minimum, public_results
from devolution.web.routers import data
from devolution.web.routers.simulator import cached_budget_document
from devolution.web.state import AppState
from devolution.web.templating import templates

router = APIRouter(tags=["simulator"])


def results_document(request: Request, state: AppState, code: str) -> dict:
    budget = cached_budget_document(state, code)
    return public_results(request.app.state.submissions.frame(), budget, minimum())


@router.get("/simulator/{code}/results.json", summary="What residents chose for a council (aggregated, "
                                                      "published from a minimum number of submissions)")
def results_json(code: str, request: Request, state: AppState = Depends(data)):
    return results_document(request, state, code)


@router.get("/simulator/{code}/results", include_in_schema=False)
def results_page(code: str, request: Request, state: AppState = Depends(data)):
    return templates.TemplateResponse(request, "public_results.html",
                                      {"r": results_document(request, state, code)})
