"""The public results of the budget simulator: ``/simulator/{code}/results`` (page) and its
``.json`` twin, aggregated as ``web/results.py`` says (no personal data; shown from a minimum
number of submissions). The admin view with every council is ``/simulator/results``.

Each answer is kept as its bytes (:mod:`devolution.web.served`) under the council's code and the
tally of its submissions for the budget year (their count and latest id, one indexed query): a
visit reads the tally, and the results are made again only when a budget was submitted since, by
this server or any other sharing the database. ``devo serve`` prepares every current council's
page at start-up (web/warm.py)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from devolution.web import served
from devolution.web.results import minimum, public_results
from devolution.web.routers import data, place_code
from devolution.web.routers.simulator import cached_budget_document
from devolution.web.state import AppState
from devolution.web.submissions import SubmissionStore

router = APIRouter(tags=["simulator"])


def results_answer(submissions: SubmissionStore, state: AppState, name: str, kind: str) -> served.Served:
    """The results of the council ``name`` as ``kind`` (``html`` or ``json``), kept while its tally
    of submissions is unchanged. Errors as :func:`place_code` and the simulator's document."""
    code = place_code(state, name)
    budget = cached_budget_document(state, code)
    tally = submissions.tally(budget["code"], budget["limit_year"])

    def make() -> served.Served:
        document = public_results(submissions.rows_for(budget["code"], budget["limit_year"]), budget, minimum())
        return (served.html_page("public_results.html", {"r": document}) if kind == "html"
                else served.json_page(document))

    return served.prepare(state, ("results", budget["code"], kind, minimum(), tally), make)


def prepare(submissions: SubmissionStore, state: AppState, code: str) -> None:
    """Keep the results page of ``code`` ready for its first visitor."""
    results_answer(submissions, state, code, "html")


@router.get("/simulator/{code}/results.json", summary="What residents chose for a council (aggregated, "
                                                      "published from a minimum number of submissions)")
def results_json(code: str, request: Request, state: AppState = Depends(data)) -> Response:
    return results_answer(request.app.state.submissions, state, code, "json").response()


@router.get("/simulator/{code}/results", include_in_schema=False)
def results_page(code: str, request: Request, state: AppState = Depends(data)) -> Response:
    return results_answer(request.app.state.submissions, state, code, "html").response()
