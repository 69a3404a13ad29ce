"""The resident budget simulator: a council's net current expenditure by service (Revenue Outturn,
its latest year) as sliders, balanced against a council tax change on the latest Band D and
requirement (a county's precept) held before the budget year, capped by the real referendum limit
of the year after that base (core + adult social care, or the district cash limit, and the
council's own principle where that year's report names it, from the dated parameters through
``rules.referendum``): a rise from a 2023-24 Band D is judged by the 2024-25 principles, never by a
later year's, which would skip a year's rise. Ring-fenced lines (``RING_FENCES``) are held.
Submissions are stored (committed before the reply), one per browser for each council (a resident
of a two-tier area sets the county's and the district's) and at most
``Settings.submissions_per_address`` per address and council, with CSRF and a per-client rate
limit; every council's aggregates need the admin password (wrong ones locked out) (the public results page is
``routers/results.py``).
"""

from __future__ import annotations

import json
import logging
import math

import numpy as np
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from markupsafe import escape
from pydantic import BaseModel, Field, ValidationError, field_validator

from devolution import parameters
from devolution.errors import ParameterError
from devolution.exports import records
from devolution.numbers import money
from devolution.places.tiers import COUNCIL_TIERS, TIER_LABELS
from devolution.rules import referendum
from devolution.rules.council_tax import budget_deficit
from devolution.web import served
from devolution.web.formats import Format, split_suffix, table
from devolution.web.routers import data, kept_code, place_code
from devolution.web.security import (CSRF_COOKIE, SUBMIT_COOKIE, check_csrf, client_of, require_admin,
                                     secure_cookies)
from devolution.web.state import AppState
from devolution.web.submissions import AlreadySubmitted, SubmissionsUnavailable, TooManyFromClient
from devolution.web.templating import templates
from devolution.years import year_label

router = APIRouter(tags=["simulator"])
log = logging.getLogger("devolution.web")

SKIP = {"nce_total_service_expenditure", "nce_social_care_total"}
STEP = 0.25            # each service can move by up to a quarter of its net spending
BALANCE_TOLERANCE = 1000.0  # pounds: the rounding of the sliders
#: The council tax slider's step: 0.01 percentage point, the precision councils set rises to (2.99%).
TAX_STEP = referendum.JUST_BELOW
MAX_CUT = 0.05         # the council tax slider goes down to a 5% cut; the server holds the same bound
LIMITS = (referendum.CORE, referendum.ASC, referendum.CASH, referendum.BY_COUNCIL)
#: Service lines funded by a ring-fenced grant (parameters/grants/ring_fences.yaml): held, not moved.
RING_FENCES = {"nce_education": "grants.ring_fences.dedicated_schools_grant",
               "nce_public_health": "grants.ring_fences.public_health_grant"}
#: The council tax measures (Band D, requirement) of a billing council and of a county's precept.
BILLING_MEASURES = ("band_d_excl_parish", "council_tax_requirement_excl_parish")
PRECEPT_MEASURES = ("band_d_incl_parish", "council_tax_requirement_incl_parish")


#: What the kept simulator page holds where each visitor's CSRF token goes (replaced per request).
CSRF_STAND_IN = "csrf-token-of-this-visitor"


def _value(path: str, year: int) -> float | None:
    try:
        found = parameters.value(path, year)
    except ParameterError:
        return None
    return None if found is None else float(found)


def ring_fence(measure: str, year: int) -> dict | None:
    """The ring-fence on a service line in a year: the share held and the rule, or None."""
    path = RING_FENCES.get(measure)
    share = _value(path, year) if path else None
    if not share:
        return None
    parameter = parameters.default().parameter(path)
    return {"share": share, "parameter": path, "rule": parameter.description,
            "references": [{"title": r.title, "url": r.url} for r in parameter.references if year_label(year) in r.supports]
            or [{"title": r.title, "url": r.url} for r in parameter.references[-1:]]}


def council_tax_basis(held, tier: str, budget_year: int) -> dict:
    """The council tax a budget change is applied to (its base): the requirement and Band D of the
    year before ``budget_year`` when held, else of the latest year before it holding both
    (labelled as such). The rise is judged by the referendum principles of the year after the
    base (``limit_year``). A county sets a precept on the council tax its districts bill: its Band
    D is published as ``band_d_incl_parish`` (a county has no parishes, so its requirement incl.
    parishes is its own)."""
    band, requirement = PRECEPT_MEASURES if tier == "county" else BILLING_MEASURES
    rows = held[held["measure"].isin([band, requirement])].pivot_table(index="year", columns="measure", values="value")
    rows = rows.dropna() if set(rows.columns) == {band, requirement} else rows.iloc[0:0]
    rows = rows[rows.index < budget_year]
    if rows.empty:
        return {}
    year = int(rows.index.max())
    words = "precept" if tier == "county" else "council tax"
    note = (f"the {year_label(year)} {words} requirement and Band D; the rise from them is judged by the "
            f"{year_label(year + 1)} referendum principles")
    if year + 1 != budget_year:
        note += f" (the latest held: {year_label(budget_year - 1)}'s are not in the data)"
    return {"year": year, "label": year_label(year), "requirement": float(rows.loc[year, requirement]),
            "band_d": float(rows.loc[year, band]), "kind": words, "budget_year": year + 1 == budget_year,
            "limit_year": year + 1, "measures": [requirement, band], "note": note}


def budget_document(state: AppState, code: str) -> dict:
    code = place_code(state, code)
    place = state.places().set_index("code").loc[code]
    if place["tier"] not in COUNCIL_TIERS or not place["current"]:
        from devolution.places.register import lifecycle

        raise HTTPException(404, f"{place['name']} ({code}) is not a current council, so it has no budget to set: "
                                 f"{lifecycle(state.places(), code)['text']}")
    held = state.place_observations(code)
    services = held[held["measure"].str.startswith("nce_") & ~held["measure"].isin(SKIP)]
    if services.empty:
        raise HTTPException(404, f"no Revenue Outturn for {place['name']} ({code})")
    year = int(services["year"].max())
    lines = services[(services["year"] == year) & (services["value"] != 0)]
    # The budget year is at most the year after the latest outturn anyone has filed (the same for
    # every council): a council whose latest return is older (Birmingham's last is 2017-18) starts
    # from that return, labelled. The council tax base is the latest Band D held before it, and the
    # principles those of the year after that base.
    latest = state.cached("latest_outturn_year", lambda s: int(s.query(
        "SELECT max(year) AS y FROM observations WHERE measure = 'nce_total_service_expenditure'")["y"].iloc[0]))
    tax = council_tax_basis(held, place["tier"], latest + 1)
    if not tax:
        raise HTTPException(404, f"no council tax figures for {place['name']} ({code}) before {year_label(latest + 1)}")
    limit_year = tax["limit_year"]  # the principles of the year after the Band D base, never a later year's
    try:
        found = referendum.principles(parameters.default(), limit_year, [code], [place["tier"]])
    except ParameterError as exc:
        raise HTTPException(404, f"no verified referendum limit for {year_label(limit_year)}: {exc}") from None
    previous = tax["band_d"]
    ceiling = float(found.ceiling(np.array([previous]))[0])
    # Under the percentage principle the ceiling itself is excessive: the slider stops one of its
    # steps (rules.referendum.JUST_BELOW) below it.
    limit = float(found.highest(np.array([previous]))[0]) / previous - 1
    cash = None if np.isnan(found.cash_limit[0]) else float(found.cash_limit[0])
    named = None
    if found.named()[0]:
        by_council = parameters.default().parameter(referendum.BY_COUNCIL)
        named = {"council": by_council.councils[code], "additional": float(found.additional_limit[0]),
                 "sources": [str(r) for r in by_council.references
                             if year_label(limit_year) in r.supports and code in r.supports]}
    rows = records(lines[["measure", "description", "value"]].assign(
        description=lines["description"].str.replace("Net current expenditure: ", "", regex=False)))
    for row in rows:
        fence = ring_fence(row["measure"], limit_year)
        held_part = abs(row["value"]) * fence["share"] if fence else 0.0
        row.update(ring_fence=fence, movable=abs(row["value"]) - held_part)
    return {
        "code": code, "name": place["name"], "tier": place["tier"], "tier_label": TIER_LABELS[place["tier"]],
        "year": year, "label": year_label(year), "limit_year": limit_year, "limit_label": year_label(limit_year),
        "services": rows, "total": float(lines["value"].sum()), "step": STEP, "tax_step": TAX_STEP,
        "max_cut": MAX_CUT, "council_tax": tax,
        "ring_fenced_total": float(sum(abs(r["value"]) - r["movable"] for r in rows)),
        "limit": {"core": float(found.core_limit[0]), "asc": float(found.asc_limit[0]), "cash": cash,
                  "additional": float(found.additional_limit[0]), "named_council_principle": named,
                  "max_band_d": ceiling, "max_change": limit},
        "tolerance": BALANCE_TOLERANCE,
        "sources": ["Revenue Outturn (MHCLG), net current expenditure by service",
                    "Council Tax levels set by local authorities in England (MHCLG)",
                    "The Referendums Relating to Council Tax Increases (Principles) (England) Report (parameters: "
                    + ", ".join(LIMITS) + ")",
                    "Ring-fenced grants' conditions (parameters: " + ", ".join(RING_FENCES.values()) + ")"]
                   + (named["sources"] if named else []),
    }


def cached_budget_document(state: AppState, name: str) -> dict:
    """:func:`budget_document`, built once per council and kept in the app's cache (warmed before
    the first visitor by :mod:`devolution.web.warm`). Read only: callers copy it to add to it."""
    code = place_code(state, name)
    return state.cached(("budget_document", code), lambda store: budget_document(state, code))


class Submission(BaseModel):
    """A resident's budget: the council tax change (a share) and the £ change for each service."""

    council_tax_change: float = Field(ge=-0.5, le=0.5, allow_inf_nan=False)
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
    movable = {row["measure"]: row["movable"] for row in document["services"]}
    for measure, change in submission.changes.items():
        if movable[measure] == 0 and change != 0:
            raise HTTPException(422, f"{measure} is ring-fenced: its {money(abs(lines[measure]))} can be spent on that "
                                     f"service only, so it cannot be moved ({_fence_words(document, measure)})")
        if abs(change) > movable[measure] * STEP + 1:
            raise HTTPException(422, f"{measure}: a change of {money(change)} is more than a quarter of the "
                                     f"{money(movable[measure])} that can be moved")
    if submission.council_tax_change < -MAX_CUT - 1e-9:
        raise HTTPException(422, f"a council tax cut of {-submission.council_tax_change:.2%} is beyond the simulator's "
                                 f"{MAX_CUT:.0%}")
    if submission.council_tax_change > document["limit"]["max_change"] + 1e-9:
        raise HTTPException(422, f"a council tax rise of {submission.council_tax_change:.2%} would need a referendum "
                                 f"(the limit for {document['limit_label']} is below {document['limit']['max_change']:.2%})")
    deficit = float(budget_deficit(np.array(list(submission.changes.values()), dtype=float),
                                   document["council_tax"]["requirement"], submission.council_tax_change))
    if deficit > BALANCE_TOLERANCE:
        raise HTTPException(422, f"the budget is not balanced: {money(deficit)} more spending than council tax raises")


def _fence_words(document: dict, measure: str) -> str:
    fence = next(r["ring_fence"] for r in document["services"] if r["measure"] == measure)
    return "; ".join(r["title"] for r in fence["references"])


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


def council_token(token: str, code: str) -> str:
    """The stored one-time key of a browser's budget for the council ``code``: one budget per browser
    for each council, so a resident of a two-tier area can set both the county's and the district's
    (one token for every council made a Kent budget refuse a Maidstone one as "already submitted")."""
    return f"{token}:{code}"


def already_submitted(request: Request, token: str | None, code: str) -> bool:
    """Whether this browser sent a budget for the council ``code``; False when the submissions
    database cannot be reached (the page is still shown; a submission would then get 503)."""
    if not token:
        return False
    try:
        return request.app.state.submissions.used(council_token(token, code))
    except SubmissionsUnavailable as exc:
        log.warning("GET %s: %s", request.url.path, exc)
        return False


@router.get("/simulator", include_in_schema=False)
@router.get("/simulator.json", summary="Councils whose budget can be set in the simulator")
@served.by_address
def simulator_index(request: Request, state: AppState = Depends(data)):
    places = state.places()
    councils = places[places["tier"].isin(COUNCIL_TIERS) & places["current"].astype(bool)].sort_values("name")
    councils = councils.assign(tier_label=councils["tier"].map(TIER_LABELS))[["code", "name", "tier", "tier_label"]]
    if request.url.path.endswith(".json"):
        return {"councils": records(councils)}
    return templates.TemplateResponse(request, "simulator_index.html", {"councils": records(councils)})


@router.get("/simulator/results", include_in_schema=False)
@router.get("/simulator/results.json", summary="Aggregated preferences (HTTP Basic, admin password)")
def results(request: Request, state: AppState = Depends(data)):
    require_admin(request)
    frame = request.app.state.submissions.aggregate()
    if request.url.path.endswith(".json"):
        answer = table(frame, Format.json)
    else:
        names = state.places().set_index("code")["name"].to_dict()
        answer = templates.TemplateResponse(request, "results.html", {"rows": records(frame.assign(
            name=frame["place"].map(names)))})
    answer.headers["Cache-Control"] = "private, no-store"  # behind the password: no shared cache may keep it
    return answer


@router.get("/simulator/{name}", include_in_schema=False)
def simulator_page(name: str, request: Request, state: AppState = Depends(data)):
    code, suffix = split_suffix(name)
    signer = request.app.state.signer
    csrf = request.cookies.get(CSRF_COOKIE)
    csrf = csrf if signer.valid("csrf", csrf) else signer.issue("csrf")
    code = place_code(state, code)  # one kept copy for every spelling
    flag = already_submitted(request, request.cookies.get(SUBMIT_COOKIE), code)  # this visitor's own
    if suffix is Format.json:
        response = JSONResponse({**cached_budget_document(state, code), "already_submitted": flag})
    else:  # the page kept with a stand-in for the token (served.py: nothing of a visitor is kept)
        page = served.prepare(state, ("simulator", code, "html", flag), lambda: simulator_html(state, code, flag))
        response = HTMLResponse(page.body.replace(CSRF_STAND_IN.encode(), str(escape(csrf)).encode()))
    _with_cookies(request, response, {"csrf": csrf})
    return response


@router.get("/api/simulator/{code}", summary="A council's budget by service and its council tax limit")
async def simulator_json(code: str, state: AppState = Depends(data)):
    code = await kept_code(state, "simulator", code, "json")
    return await served.served(state, ("simulator", code, "json"), lambda: simulator_answer(state, code))


def simulator_answer(state: AppState, name: str) -> served.Served:
    """The simulator's document of ``name`` as ``/api/simulator/{code}`` serves it (nothing of the
    visitor in it, unlike the page and its ``.json`` twin: their CSRF token, cookies and flag)."""
    return served.json_page(cached_budget_document(state, name))


def simulator_html(state: AppState, name: str, already_submitted: bool) -> served.Served:
    """The simulator page of ``name`` with :data:`CSRF_STAND_IN` where the visitor's token goes."""
    document = {**cached_budget_document(state, name), "already_submitted": already_submitted}
    return served.html_page("simulator.html", {"budget": document, "csrf": CSRF_STAND_IN})


def prepare(state: AppState, code: str) -> None:
    """Build the simulator's document of ``code`` and keep its API answer and its page for a
    visitor who has not submitted yet, ready for their first visitor."""
    served.prepare(state, ("simulator", code, "json"), lambda: simulator_answer(state, code))
    served.prepare(state, ("simulator", code, "html", False), lambda: simulator_html(state, code, False))


@router.post("/simulator/{code}/submit", summary="Submit a balanced budget (form; CSRF and one per browser for each council)",
             status_code=201)
def submit(code: str, request: Request, state: AppState = Depends(data),
           csrf: str = Form("", max_length=200),
           council_tax_change: float = Form(..., ge=-0.5, le=0.5, allow_inf_nan=False),
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
    document = cached_budget_document(state, code)
    check_balanced(document, submission)
    limit = state.settings.submissions_per_address
    try:
        number = request.app.state.submissions.add(council_token(token, document["code"]), document["code"],
                                                   document["limit_year"],
                                                   submission.council_tax_change, submission.changes,
                                                   client=request.app.state.signer.pseudonym(client), per_client=limit)
    except AlreadySubmitted:
        raise HTTPException(409, f"this browser has already submitted a budget for {document['name']} (one per "
                                 f"browser for each council)") from None
    except TooManyFromClient:
        raise HTTPException(429, f"{limit} budgets have already been sent for {document['name']} from this "
                                 f"address, the most one address may send") from None
    return JSONResponse({"ok": True, "id": number, "place": document["code"]}, status_code=201)
