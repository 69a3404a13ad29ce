"""Local government reorganisation (``devolution.analysis.reorganisation``): the ``/reorganisation``
page runs a shipped example or a pasted proposal with the knobs in its address (harmonisation
years, referendum, increase, drivers, spending year, the map's colour); ``.json`` is its twin;
``POST /api/reorganisation`` takes a proposal as JSON; ``/api/reorganisation/history`` is the
validation on past reorganisations. All figures come from the analysis package; the page only
lays them out (charts from ``report.reorganisation``)."""

from __future__ import annotations

from typing import Any, Optional, Union

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Query, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devolution.analysis import reorganisation as package
from devolution.errors import DevolutionError
from devolution.files import key_path_problems
from devolution.report.reorganisation import specs
from devolution.web.formats import MAX_YAML, Format, Page, pasted_yaml, reads_query, table
from devolution.web import served
from devolution.web.routers import data
from devolution.web.state import AppState
from devolution.web.templating import templates

router = APIRouter(tags=["reorganisation"])
KNOB_NAMES = ("years", "referendum", "increase", "spending_year", "colour")


class Knobs(BaseModel):
    """What a reader may change without editing the proposal (each bounded)."""

    model_config = ConfigDict(extra="forbid")
    years: Optional[int] = Field(None, ge=1, description="Harmonisation over N years (the law's limit is checked "
                                                         "with the proposal: one Band D by the start of year 8).")
    referendum: Optional[bool] = Field(None, description="Whether the new councils would hold a referendum.")
    increase: Optional[Union[float, str]] = Field(None, description="max, or a yearly share between 0 and "
                                                                           "the principle, e.g. 0.0299.")
    spending_year: Optional[str] = Field(None, max_length=10, description="Outturn year, e.g. 2023-24.")
    drivers: dict[str, str] = Field(default_factory=dict, max_length=20, description="service: driver.")
    colour: str = Field("notional_band_d", max_length=40, description="The figure the map is coloured by.")


class ReorganisationRequest(BaseModel):
    """A proposal in the YAML format, as JSON, and the knobs."""

    model_config = ConfigDict(extra="forbid")
    proposal: dict[str, Any] = Field(description="The proposal (see docs/reorganisation.md).")
    knobs: Knobs = Field(default_factory=Knobs)


def _inputs(state: AppState):
    return state.cached("reorganisation_inputs", lambda store: package.read_inputs(store))


def run_document(state: AppState, source, knobs: Knobs) -> dict:
    """The result of a proposal (an example's name or a mapping) with the knobs: the analysis
    package's document plus the charts. 422 listing every problem of the proposal; 400 for a
    figure the data cannot give (the message says why)."""
    if knobs.colour not in package.COLOURS:
        raise HTTPException(422, f"colour: {knobs.colour[:40]!r} is not one of {', '.join(package.COLOURS)}")
    inputs = _inputs(state)
    settings = {"harmonisation_years": knobs.years, "referendum": knobs.referendum, "increase": knobs.increase,
                "drivers": knobs.drivers or None, "spending_year": knobs.spending_year}
    key = ("reorganisation", repr(source), repr(sorted(settings.items(), key=lambda kv: kv[0])))

    def build(_store):
        return package.reorganise(source, inputs, **settings).document()

    try:
        document = state.cached(key, build)
    except package.ProposalProblems as exc:
        raise HTTPException(422, str(exc)) from None
    except DevolutionError as exc:
        raise HTTPException(400, str(exc)) from None
    return {**document, "colour": knobs.colour, "specs": specs(document, knobs.colour)}


def _knobs_from(request: Request) -> Knobs:
    """Knobs from the page's address (``driver.SERVICE=DRIVER`` for drivers); an empty field is none."""
    query = request.query_params
    drivers = {k.removeprefix("driver."): v[:40] for k, v in query.items() if k.startswith("driver.") and v}
    # referendum as given: pydantic takes true/false, 1/0, on/off, yes/no and refuses anything else
    values: dict[str, Any] = {k: query[k] for k in KNOB_NAMES if query.get(k)}
    try:
        return Knobs(**values, drivers=drivers)
    except ValidationError as exc:  # say which knob, on one line
        raise HTTPException(422, knob_problems(exc)) from None


def knob_problems(exc: ValidationError) -> str:
    """The knobs' problems on one line, each with the knob's name and the value given."""
    given = {".".join(str(p) for p in e["loc"]): e.get("input") for e in exc.errors()}
    listed = "; ".join(f"{path}: {str(given.get(path, ''))[:40]!r}: {message}"
                       for path, message in key_path_problems(exc, "unknown knob"))
    return f"invalid knobs: {listed}"


def _example(name: Optional[str]) -> str:
    names = package.example_names()
    chosen = name or (names[0] if names else "")
    if chosen not in names:
        raise HTTPException(404, f"no example {chosen[:60]!r}; the examples are {', '.join(names) or 'not installed'}")
    return chosen


def _parse_yaml(text: str) -> dict:
    content = pasted_yaml(text, "proposal")
    if not isinstance(content, dict):
        raise HTTPException(422, "proposal: expected a mapping (name, kind, vesting, councils, ...); see the examples")
    return content


def _context(state: AppState) -> dict:
    inputs = _inputs(state)
    return {"examples": [{"name": n, "title": package.raw_proposal(n)[0].get("name", n)} for n in package.example_names()],
            "colours": package.COLOURS, "drivers": list(package.DRIVERS),
            "services": [package.service_name(s) for s in inputs.services],
            "defaults": package.DEFAULT_DRIVERS, "max_yaml": MAX_YAML}


def _page(request: Request, state: AppState, document: dict | None, chosen: str, knobs: Knobs, text: str = "",
          error: str | None = None, status: int = 200):
    return templates.TemplateResponse(request, "reorganisation.html", {
        **_context(state), "doc": document, "chosen": chosen, "knobs": knobs, "text": text, "error": error},
        status_code=status)


@router.get("/reorganisation", include_in_schema=False)
@served.by_address
@reads_query(*KNOB_NAMES, prefixes=("driver.",))
def reorganisation_page(request: Request, example: Optional[str] = Query(None, max_length=80),
                        state: AppState = Depends(data)):
    chosen = example or ""
    knobs = Knobs()  # shown on the page again if the address's are bad
    try:  # an unknown example is the page with its message and 404, as HTML (the .json twin's is JSON)
        chosen = _example(example)
        knobs = _knobs_from(request)
        document = run_document(state, chosen, knobs)
    except HTTPException as exc:
        return _page(request, state, None, chosen, knobs, error=str(exc.detail), status=exc.status_code)
    return _page(request, state, document, chosen, knobs)


@router.get("/reorganisation.json", summary="A shipped example proposal run with the page's knobs (the page's twin)")
@served.by_address
@reads_query(prefixes=("driver.",))
def reorganisation_json(request: Request, example: Optional[str] = Query(None, max_length=80, description=(
        "The example's name (GET /api/reorganisation/examples)")),
        years: Optional[int] = Query(None, ge=1), referendum: Optional[bool] = Query(None),
        increase: Optional[str] = Query(None, max_length=10), spending_year: Optional[str] = Query(None, max_length=10),
        colour: str = Query("notional_band_d", max_length=40), state: AppState = Depends(data)):
    knobs = _knobs_from(request)
    return run_document(state, _example(example), knobs)


@router.post("/reorganisation", include_in_schema=False)
@reads_query(*KNOB_NAMES, prefixes=("driver.",))
def reorganisation_page_post(request: Request, proposal_yaml: str = Form("", max_length=MAX_YAML, alias="proposal"),
                             state: AppState = Depends(data)):
    knobs = Knobs()
    try:
        knobs = _knobs_from(request)
        document = run_document(state, _parse_yaml(proposal_yaml), knobs)
    except HTTPException as exc:  # the form again with the problem, so nothing typed is lost
        return _page(request, state, None, "", knobs, proposal_yaml, str(exc.detail), exc.status_code)
    return _page(request, state, document, "", knobs, proposal_yaml)


@router.post("/reorganisation.json", summary="A pasted YAML proposal run with the knobs in the address (form field "
                                             "`proposal`)")
@reads_query(*KNOB_NAMES, prefixes=("driver.",))
def reorganisation_json_post(request: Request, proposal_yaml: str = Form(..., max_length=MAX_YAML, alias="proposal",
                                                                         description="The proposal in YAML."),
                             state: AppState = Depends(data)):
    return run_document(state, _parse_yaml(proposal_yaml), _knobs_from(request))


#: The body of ``POST /api/reorganisation`` shown in the API docs and in docs/reorganisation.md.
API_EXAMPLE = {
    "proposal": {"name": "Warwickshire, two unitaries (illustrative)", "kind": "illustrative", "vesting": "2028-04-01",
                 "councils": [{"name": "North", "members": ["North Warwickshire", "Nuneaton and Bedworth", "Rugby"]},
                              {"name": "South", "members": ["Stratford-on-Avon", "Warwick"]}],
                 "council_tax": {"harmonisation_years": 3, "increase": "max", "referendum": False},
                 "spending": {"drivers": {"highways_transport": "dwellings"}}},
    "knobs": {"years": 5, "referendum": False, "increase": 0.0299, "spending_year": "2017-18",
              "drivers": {"adult_social_care": "population"}, "colour": "first_year_band_d"}}


@router.post("/api/reorganisation", summary="Run a reorganisation proposal (JSON): every table, notes, map, charts")
def reorganisation_api(body: ReorganisationRequest = Body(..., openapi_examples={"warwickshire": {
        "summary": "Warwickshire split in two, with every knob", "value": API_EXAMPLE}}), state: AppState = Depends(data)):
    """``proposal``: the proposal in the YAML format as JSON (docs/reorganisation.md); ``knobs`` (each
    optional) take the place of its own values: ``years``, ``referendum``, ``increase`` (``max`` or a
    share), ``spending_year``, ``drivers`` (service: driver) and ``colour`` (the map's figure)."""
    return run_document(state, body.proposal, body.knobs)


@router.get("/api/reorganisation/examples", summary="The shipped example proposals")
@served.by_address
def reorganisation_examples(state: AppState = Depends(data)):
    return {"examples": [{"name": n, "proposal": package.raw_proposal(n)[0]} for n in package.example_names()]}


@router.get("/api/reorganisation/history", summary="Past reorganisations: the tool's notional Band D and requirement "
                                                   "against the new councils' published figures")
@served.by_address
def reorganisation_history(state: AppState = Depends(data), page: Page = Depends(), format: Format = Format.json):
    return table(package.to_the_penny(history_frame(state)), format, page, filename="reorganisation_history")


def history_frame(state: AppState):
    inputs = _inputs(state)
    return state.cached("reorganisation_history", lambda _store: package.check_history(inputs))
