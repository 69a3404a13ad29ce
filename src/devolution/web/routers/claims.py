"""Claims tested on the data (``devolution.analysis.claims``): POST claims as JSON, get verdicts;
the ``/claims`` page takes pasted YAML (the claim-file format) or picks example claims
(``examples/claims.yaml``) and shows each verdict with its figures and method (``.json`` twin).
501 until the package exists."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from fastapi import APIRouter, Body, Depends, Form, HTTPException, Request
from pydantic import BaseModel, ConfigDict, Field

from devolution.analysis import claims
from devolution.errors import DevolutionError
from devolution.exports import records
from devolution.web.formats import MAX_YAML, pasted_yaml
from devolution.web import served
from devolution.web.routers import data
from devolution.web.state import AppState
from devolution.web.templating import templates

router = APIRouter(tags=["claims"])
#: Claims checked at once: every example the page offers (examples/claims.yaml, 11) can be ticked
#: together (a test holds the examples within it).
MAX_CLAIMS = 12
ClaimModel = claims.Claim  # the field below is called ``claims`` too


class ClaimsRequest(BaseModel):
    """Claims in the claim-file format, as JSON (each field bounded by ``analysis.claims.Claim``)."""

    model_config = ConfigDict(extra="forbid")
    claims: list[ClaimModel] = Field(min_length=1, max_length=MAX_CLAIMS, description=f"At most {MAX_CLAIMS} claims.")


@router.post("/api/claims/check", summary=f"Test up to {MAX_CLAIMS} claims (the YAML claim format, as JSON)")
def check(body: ClaimsRequest = Body(..., examples=[{"claims": [{
        "id": "cuts", "statement": "Council spending per head fell from 2010-11 to 2017-18.",
        "measure": "nce_total_service_expenditure", "from": "2010-11", "to": "2017-18",
        "compare": {"kind": "change", "at_most": 0}}]}]), state: AppState = Depends(data)):
    try:
        with state.work():
            frame = claims.check(body.claims, store=state.store)
    except DevolutionError as exc:
        raise HTTPException(400, str(exc)) from None
    return {"results": records(frame)}


EXAMPLES = Path(__file__).resolve().parents[4] / "examples" / "claims.yaml"


def examples() -> list:
    """The example claims of ``examples/claims.yaml`` (a source checkout); none when not installed."""
    if not EXAMPLES.is_file():
        return []
    return claims.read_claims(EXAMPLES)


def _parse_yaml(text: str) -> list:
    from pydantic import ValidationError

    content = pasted_yaml(text, "claims", " (a claim is four levels deep)")
    if isinstance(content, list):
        content = {"claims": content}
    if not isinstance(content, dict):
        raise HTTPException(422, "claims: expected `claims:` followed by a list of claims (see the examples)")
    if isinstance(content.get("claims"), list) and len(content["claims"]) > MAX_CLAIMS:
        raise HTTPException(422, f"at most {MAX_CLAIMS} claims at once (got {len(content['claims'])})")
    try:
        return claims.ClaimFile.model_validate(content).claims
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in first["loc"]).lstrip(".")
        raise HTTPException(422, f"invalid claims: {where.replace('from_', 'from') or 'top level'}: "
                                 f"{first['msg']}") from None


def claims_document(state: AppState, text: str, picked: list[str]) -> dict:
    """Verdicts for the pasted claims and the picked examples (at most MAX_CLAIMS in all)."""
    known = {c.id: c for c in examples()}
    unknown = [p for p in picked if p not in known]
    if unknown:
        raise HTTPException(422, f"example: unknown claim {unknown[0][:60]!r} (examples: {', '.join(known) or 'none'})")
    chosen = [known[p] for p in dict.fromkeys(picked)]
    if text.strip():
        chosen += _parse_yaml(text)
    if not chosen:
        raise HTTPException(422, "claims: paste claims in YAML or pick at least one example")
    if len(chosen) > MAX_CLAIMS:
        raise HTTPException(422, f"at most {MAX_CLAIMS} claims at once (got {len(chosen)})")
    key = ("claims_response", tuple(c.model_dump_json() for c in chosen))
    try:
        frame = state.cached(key, lambda store: claims.check(chosen, store=store))
    except claims.ClaimsError as exc:  # a claim the data cannot read (no such group): the form says which
        raise HTTPException(422, str(exc)) from None
    rows = records(frame)
    return {"results": rows, "counts": {v: sum(r["verdict"] == v for r in rows)
                                        for v in (claims.SUPPORTED, claims.NOT_SUPPORTED, claims.CANNOT_TELL)}}


def _examples_document() -> dict:
    return {"examples": [{"id": c.id, "statement": c.statement, "said_by": c.said_by,
                          "claim": c.model_dump(mode="json", by_alias=True, exclude_none=True)} for c in examples()],
            "max_claims": MAX_CLAIMS, "max_yaml": MAX_YAML}


def _page(request: Request, document: dict, text: str = "", picked: Optional[list[str]] = None):
    return templates.TemplateResponse(request, "claims.html", {**_examples_document(), **document,
                                                               "text": text, "picked": picked or []})


@router.get("/claims", include_in_schema=False)
@served.by_address
def claims_page(request: Request):
    return _page(request, {})


@router.get("/claims.json", summary="The example claims the claims page offers")
@served.by_address
def claims_examples():
    return _examples_document()


@router.post("/claims", include_in_schema=False)
def claims_page_check(request: Request, claims_yaml: str = Form("", max_length=MAX_YAML, alias="claims"),
                      example: list[str] = Form([], max_length=MAX_CLAIMS * 4), state: AppState = Depends(data)):
    try:
        document = claims_document(state, claims_yaml, example)
    except HTTPException as exc:  # the form again, with the problem, so nothing typed is lost
        response = _page(request, {"error": exc.detail}, claims_yaml, example)
        response.status_code = exc.status_code
        return response
    return _page(request, document, claims_yaml, example)


@router.post("/claims.json", summary=f"Check pasted YAML claims and/or picked examples (at most {MAX_CLAIMS}): verdicts")
def claims_check_form(claims_yaml: str = Form("", max_length=MAX_YAML, alias="claims",
                                              description="Claims in the YAML claim-file format."),
                      example: list[str] = Form([], max_length=MAX_CLAIMS * 4,
                                            description="Ids of example claims (see GET /claims.json)."),
                      state: AppState = Depends(data)):
    return claims_document(state, claims_yaml, example)
