"""Claims tested on the data (``devolution.analysis.claims``): POST claims as JSON, get verdicts.
501 until the package exists."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Depends, HTTPException

from devolution.errors import DevolutionError
from devolution.web.formats import records
from devolution.web.routers import data, not_yet, optional
from devolution.web.state import AppState

router = APIRouter(tags=["claims"])
claims = optional("devolution.analysis.claims")
MAX_CLAIMS = 10


@router.post("/api/claims/check", summary="Test up to 10 claims (the YAML claim format, as JSON)")
def check(body: dict[str, Any] = Body(..., examples=[{"claims": [{
        "id": "cuts", "statement": "Council spending per head fell from 2010-11 to 2017-18.",
        "measure": "nce_total_service_expenditure", "from": "2010-11", "to": "2017-18",
        "compare": {"kind": "change", "at_most": 0}}]}]), state: AppState = Depends(data)):
    if claims is None:
        raise not_yet("Checking claims", "devolution.analysis.claims")
    from pydantic import ValidationError

    try:
        parsed = claims.ClaimFile.model_validate(body).claims
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]).replace("from_", "from")
        raise HTTPException(422, f"invalid claims: {where}: {first['msg']}") from None
    if len(parsed) > MAX_CLAIMS:
        raise HTTPException(422, f"at most {MAX_CLAIMS} claims at once (got {len(parsed)})")
    try:
        with state.lock:
            frame = claims.check(parsed, store=state.store)
    except DevolutionError as exc:
        raise HTTPException(400, str(exc)) from None
    return {"results": records(frame)}
