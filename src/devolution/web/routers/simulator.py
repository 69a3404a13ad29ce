"""The resident budget simulator: a council's net current expenditure by service (Revenue Outturn,
its latest year) as sliders, balanced against a council tax change capped by the real referendum
limit (core + adult social care, or the district cash limit, from the parameters through
``rules.council_tax.max_band_d_without_referendum``). Submissions are stored (committed before the
reply), one per browser and at most ``Settings.submissions_per_address`` per address and council,
with CSRF and a per-client rate limit; results need the admin password (wrong ones locked out).
"""

from __future__ import annotations

import json
import logging
import math

import numpy as np
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError, field_validator

from devolution import parameters
from devolution.errors import ParameterError
from devolution.explain import SOCIAL_CARE_TIERS
from devolution.places.register import COUNCIL_TIERS, TIER_LABELS
from devolution.rules.council_tax import budget_deficit, max_band_d_without_referendum, percentage_principle_binds
from devolution.web.formats import Format, records, split_suffix, table
from devolution.web.routers import data, place_code
from devolution.web.security import (CSRF_COOKIE, SUBMIT_COOKIE, check_csrf, client_of, require_admin,
                                     secure_cookies)
from devolution.web.state import AppState
from devolution.web.submissions import AlreadySubmitted, SubmissionsUnavailable, TooManyFromClient
from devolution.years import year_label

router = APIRouter(tags=["simulator"])
log = logging.getLogger("devolution.web")

SKIP = {"nce_total_service_expenditure", "nce_social_care_total"}
STEP = 0.25            # each service can move by up to a quarter of its net spending
BALANCE_TOLERANCE = 1000.0  # pounds: the rounding of the sliders
#: The council tax slider's step: 0.01 percentage point, the precision councils set rises to (2.99%).
TAX_STEP = 0.0001
MAX_CUT = 0.05         # the council tax slider goes down to a 5% cut; the server holds the same bound
LIMITS = ("council_tax.referendum.core_limit", "council_tax.referendum.asc_limit",
          "council_tax.referendum.shire_district_cash_limit")


def _value(path: str, year: int) -> float | None:
    try:
        found = parameters.value(path, year)
    except ParameterError:
        return None
    return None if found is None else float(found)


def budget_document(state: AppState, code: str) -> dict:
    code = place_code(state, code)
    place = state.places().set_index("code").loc[code]
    if place["tier"] not in COUNCIL_TIERS or not place["current"]:
        raise HTTPException(404, f"{place['name']} ({code}) is not a current council, so it has no budget to set")
    held = state.place_observations(code)
    services = held[held["measure"].str.startswith("nce_") & ~held["measure"].isin(SKIP)]
    if services.empty:
        raise HTTPException(404, f"no Revenue Outturn for {place['name']} ({code})")
    year = int(services["year"].max())
    lines = services[(services["year"] == year) & (services["value"] != 0)]
    tax = held[held["measure"].isin(["council_tax_requirement_excl_parish", "band_d_excl_parish"])]
    if tax.empty:
        raise HTTPException(404, f"no council tax figures for {place['name']} ({code})")
    tax_year = int(tax["year"].max())
    tax = tax[tax["year"] == tax_year].set_index("measure")["value"]
    limit_year = year + 1 if _value(LIMITS[0], year + 1) is not None else year
    core = _value(LIMITS[0], limit_year)
    if core is None:
        raise HTTPException(404, f"no verified referendum limit for {year_label(limit_year)}")
    asc = (_value(LIMITS[1], limit_year) or 0.0) if place["tier"] in SOCIAL_CARE_TIERS else 0.0
    cash = _value(LIMITS[2], limit_year) if place["tier"] == "shire_district" else None
    previous = float(tax["band_d_excl_parish"])
    args = (np.array([previous]), core, np.array([asc]), np.array([np.nan if cash is None else cash]))
    ceiling = float(max_band_d_without_referendum(*args)[0])
    # Under the percentage principle the ceiling itself is excessive: the slider stops one of its
    # steps (0.01 percentage point) below it.
    limit = ceiling / previous - 1 - (TAX_STEP if percentage_principle_binds(*args)[0] else 0.0)
    return {
        "code": code, "name": place["name"], "tier": place["tier"], "tier_label": TIER_LABELS[place["tier"]],
        "year": year, "label": year_label(year), "limit_year": limit_year, "limit_label": year_label(limit_year),
        "services": records(lines[["measure", "description", "value"]].assign(
            description=lines["description"].str.replace("Net current expenditure: ", "", regex=False))),
        "total": float(lines["value"].sum()), "step": STEP, "tax_step": TAX_STEP, "max_cut": MAX_CUT,
        "council_tax": {"year": tax_year, "label": year_label(tax_year),
                        "requirement": float(tax.get("council_tax_requirement_excl_parish", math.nan)),
                        "band_d": previous},
        "limit": {"core": core, "asc": asc, "cash": cash, "max_band_d": ceiling, "max_change": limit},
        "tolerance": BALANCE_TOLERANCE,
        "sources": ["Revenue Outturn (MHCLG), net current expenditure by service",
                    "Council Tax levels set by local authorities in England (MHCLG)",
                    "The Referendums Relating to Council Tax Increases (Principles) (England) Report (parameters: "
                    + ", ".join(LIMITS) + ")"],
    }


class Submission(BaseModel):
    """A resident's budget: the council tax change (a share) and the £ change for each service."""

    council_tax_change: float = Field(ge=-0.5, le=0.5)
    changes: dict[str, float] = Field(max_length=40)

    @field_validator("changes")
    @classmethod
    def _finite(cls, value: dict[str, float]) -> dict[str, float]:
        if not all(math.isfinite(v) for v in value.values()):
            raise ValueError("every change must be a finite number of pounds")
        return value


def check_balanced(document: dict, submission: Submission) -> None:
    """Every service within its range; council tax within the referendum limit; no deficit."""
    lines = {row["measure"]: row["value"] for row in document["services"]}
    unknown = sorted(set(submission.changes) - set(lines))
    if unknown:
        raise HTTPException(422, f"unknown service(s) {', '.join(unknown)[:200]} for {document['code']}")
    for measure, change in submission.changes.items():
        if abs(change) > abs(lines[measure]) * STEP + 1:
            raise HTTPException(422, f"{measure}: a change of £{change:,.0f} is more than a quarter of its £{lines[measure]:,.0f}")
    if submission.council_tax_change < -MAX_CUT - 1e-9:
        raise HTTPException(422, f"a council tax cut of {-submission.council_tax_change:.2%} is beyond the simulator's "
                                 f"{MAX_CUT:.0%}")
    if submission.council_tax_change > document["limit"]["max_change"] + 1e-9:
        raise HTTPException(422, f"a council tax rise of {submission.council_tax_change:.2%} would need a referendum "
                                 f"(the limit for {document['limit_label']} is below {document['limit']['max_change']:.2%})")
    deficit = float(budget_deficit(np.array(list(submission.changes.values()), dtype=float),
                                   document["council_tax"]["requirement"], submission.council_tax_change))
    if deficit > BALANCE_TOLERANCE:
        raise HTTPException(422, f"the budget is not balanced: £{deficit:,.0f} more spending than council tax raises")


def _with_cookies(request: Request, response, state_request) -> None:
    """The CSRF and one-time submission cookies (HttpOnly, SameSite=Strict; Secure over HTTPS), on
    an answer no shared cache may keep."""
    signer = request.app.state.signer
    secure = secure_cookies(request)
    if not signer.valid("csrf", request.cookies.get(CSRF_COOKIE)):
        response.set_cookie(CSRF_COOKIE, state_request["csrf"], httponly=True, samesite="strict", secure=secure)
    if not signer.valid("submit", request.cookies.get(SUBMIT_COOKIE)):
        response.set_cookie(SUBMIT_COOKIE, signer.issue("submit"), httponly=True, samesite="strict",
                            max_age=365 * 24 * 3600, secure=secure)
    response.headers["Cache-Control"] = "private, no-store"


def already_submitted(request: Request, token: str | None) -> bool:
    """Whether this browser's token was used; False when the submissions database cannot be
    reached (the page is still shown; a submission would then get 503)."""
    if not token:
        return False
    try:
        return request.app.state.submissions.used(token)
    except SubmissionsUnavailable as exc:
        log.warning("GET %s: %s", request.url.path, exc)
        return False


@router.get("/simulator", include_in_schema=False)
@router.get("/simulator.json", summary="Councils whose budget can be set in the simulator")
def simulator_index(request: Request, state: AppState = Depends(data)):
    places = state.places()
    councils = places[places["tier"].isin(COUNCIL_TIERS) & places["current"].astype(bool)].sort_values("name")
    councils = councils.assign(tier_label=councils["tier"].map(TIER_LABELS))[["code", "name", "tier", "tier_label"]]
    if request.url.path.endswith(".json"):
        return {"councils": records(councils)}
    from devolution.web.app import templates

    return templates.TemplateResponse(request, "simulator_index.html", {"councils": records(councils)})


@router.get("/simulator/results", include_in_schema=False)
@router.get("/simulator/results.json", summary="Aggregated preferences (HTTP Basic, admin password)")
def results(request: Request, state: AppState = Depends(data)):
    require_admin(request)
    frame = request.app.state.submissions.aggregate()
    if request.url.path.endswith(".json"):
        return table(frame, Format.json)
    from devolution.web.app import templates

    names = state.places().set_index("code")["name"].to_dict()
    return templates.TemplateResponse(request, "results.html", {"rows": records(frame.assign(
        name=frame["place"].map(names)))})


@router.get("/simulator/{name}", include_in_schema=False)
def simulator_page(name: str, request: Request, state: AppState = Depends(data)):
    code, suffix = split_suffix(name)
    document = budget_document(state, code)
    signer = request.app.state.signer
    csrf = request.cookies.get(CSRF_COOKIE)
    csrf = csrf if signer.valid("csrf", csrf) else signer.issue("csrf")
    document["already_submitted"] = already_submitted(request, request.cookies.get(SUBMIT_COOKIE))
    if suffix is Format.json:
        response = JSONResponse(document)
    else:
        from devolution.web.app import templates

        response = templates.TemplateResponse(request, "simulator.html", {"budget": document, "csrf": csrf})
    _with_cookies(request, response, {"csrf": csrf})
    return response


@router.get("/api/simulator/{code}", summary="A council's budget by service and its council tax limit")
def simulator_json(code: str, state: AppState = Depends(data)):
    return budget_document(state, code)


@router.post("/simulator/{code}/submit", summary="Submit a balanced budget (form; CSRF and one per browser)",
             status_code=201)
def submit(code: str, request: Request, state: AppState = Depends(data),
           csrf: str = Form("", max_length=200), council_tax_change: float = Form(..., ge=-0.5, le=0.5),
           changes: str = Form("{}", max_length=20_000)):
    client = client_of(request)
    if not request.app.state.bucket.allow(client):
        raise HTTPException(429, "too many submissions from this address: wait a minute and try again",
                            headers={"Retry-After": "10"})
    check_csrf(request, request.app.state.signer, csrf)
    token = request.cookies.get(SUBMIT_COOKIE)
    if not request.app.state.signer.valid("submit", token):
        raise HTTPException(403, "no submission token: open the simulator page first (cookies must be on)")
    try:
        parsed = json.loads(changes)
        submission = Submission(council_tax_change=council_tax_change, changes=parsed)
    except (ValueError, TypeError, ValidationError) as exc:
        message = exc.errors()[0]["msg"] if isinstance(exc, ValidationError) else "changes must be a JSON object"
        raise HTTPException(422, f"invalid budget: {message}") from None
    document = budget_document(state, code)
    check_balanced(document, submission)
    limit = state.settings.submissions_per_address
    try:
        number = request.app.state.submissions.add(token, document["code"], document["limit_year"],
                                                   submission.council_tax_change, submission.changes,
                                                   client=request.app.state.signer.pseudonym(client), per_client=limit)
    except AlreadySubmitted:
        raise HTTPException(409, "this browser has already submitted a budget (one per browser)") from None
    except TooManyFromClient:
        raise HTTPException(429, f"{limit} budgets have already been sent for {document['name']} from this "
                                 f"address, the most one address may send") from None
    return JSONResponse({"ok": True, "id": number, "place": document["code"]}, status_code=201)
