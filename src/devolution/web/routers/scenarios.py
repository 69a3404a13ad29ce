"""Scenario runs. The extension point for ``devolution.scenarios``: a run needs a validated JSON
scenario body (``scenarios.model.check``), a bounded number of draws and a cache of results; until
that entry point exists every call answers 501 with the reason."""

from __future__ import annotations

from fastapi import APIRouter

from devolution.web.routers import not_yet, optional

router = APIRouter(tags=["scenarios"])
runner = optional("devolution.scenarios.runner")
WEB_ENTRY = getattr(runner, "run_for_web", None) if runner is not None else None


@router.get("/api/scenarios", summary="Scenario runs (not available yet: 501)")
def scenario_list():
    if WEB_ENTRY is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.runner.run_for_web")
    return WEB_ENTRY()  # pragma: no cover - wired when the scenarios package provides it


@router.post("/api/scenarios/run", summary="Run a scenario (not available yet: 501)")
def scenario_run():
    if WEB_ENTRY is None:
        raise not_yet("Running scenarios over the web", "devolution.scenarios.runner.run_for_web")
    return WEB_ENTRY()  # pragma: no cover
