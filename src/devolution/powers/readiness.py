"""Readiness for devolution: explicit criteria, each with a score and its evidence.

The earned route of 2014-16 asked a place to show governance, partnerships, capacity and a business
plan; the White Paper sets conditions for each level. Criteria the data can answer (a strategic
authority existing on the date, a mayor in ``mayors.yaml`` (first election from the election
orders) or in the deals, population from ONS mid-year estimates, time since the first mayoral
election) are scored from it; the rest (assurance framework, accounts, partnerships, contiguity,
which is not in the data) need evidence and score 0 until it is given. An integrated settlement in
force counts as the government's own finding that the Established criteria are met.

A council is scored through the strategic authority it belongs to on the date (``Authorities``);
an authority is not scored on a date before it was established: the result says so instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from devolution.places.register import in_force
from devolution.places.tiers import SA_TIERS
from devolution.powers import deals as deals_module
from devolution.powers import mayors as mayors_module
from devolution.powers.authorities import Authorities
from devolution.powers.framework import LEVEL_ORDER, framework, parameter, statutory_level

CRITERIA_COLUMNS = ["criterion", "question", "met", "score", "evidence", "source"]


@dataclass
class Readiness:
    place: str
    name: str
    on: dt.date
    criteria: pd.DataFrame  # criterion, question, met (True/False/None), score, evidence, source
    level: str | None
    authority: str | None = None   # the strategic authority scored (the place itself, or the one it is in)
    note: str = ""                 # how the place was resolved, or why it was not scored
    score: int = field(init=False)
    possible: int = field(init=False)

    def __post_init__(self):
        self.score = int(self.criteria["score"].sum()) if len(self.criteria) else 0
        self.possible = len(self.criteria)


def strategic_authorities(places: pd.DataFrame, year: int) -> pd.DataFrame:
    """Combined authorities and the GLA in force on 1 April of ``year`` (current in the register)."""
    sa = places[places["tier"].isin(SA_TIERS) & places["current"].astype(bool)]
    return sa[in_force(sa, year)].reset_index(drop=True)


def members(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """The current councils of a strategic authority in the register (lower tier and counties)."""
    return places[(places["strategic_authority_code"] == code) & places["current"].astype(bool)]


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def assess(places: pd.DataFrame, population: pd.DataFrame, query: str, on: dt.date,
           evidence: dict[str, bool] | None = None, register: Authorities | None = None) -> Readiness:
    """Score a place against every criterion on a date. ``evidence`` supplies manual criteria
    (``{"assurance_framework": True}``); ``population`` is long ``code, year, value`` rows;
    ``register`` gives authorities and members over time (from the register alone if omitted)."""
    evidence = evidence or {}
    register = register or Authorities.from_places(places)
    area = register.area(query, on)
    row, code = area.place, area.place["code"]
    if row["tier"] in SA_TIERS and not register.exists(code, on):
        start = register.established(code)
        when = (f"was established on {start.isoformat()}" if start and start > on
                else "did not exist on that date")
        return Readiness(place=code, name=row["name"], on=on, criteria=pd.DataFrame(columns=CRITERIA_COLUMNS),
                         level=None, authority=code,
                         note=f"{row['name']} ({code}) {when}: there is nothing to score on {on.isoformat()}")
    sa_code = area.authority
    settlement = next((d for d in deals_module.for_places([sa_code] if sa_code else [])
                       if d.kind == "integrated_settlement" and deals_module.in_force_on(d, on)), None)
    rows = []

    def add(criterion, question, met, evidence_text, source):
        rows.append({"criterion": criterion, "question": question, "met": met,
                     "score": 1 if met else 0, "evidence": evidence_text, "source": source})

    add("has_strategic_authority", "Is the place a combined authority or the GLA, or inside one?",
        sa_code is not None, f"{sa_code} on {on.isoformat()}" if sa_code else area.note, "register of places")
    entry = mayors_module.mayors().get(sa_code) if sa_code else None
    if entry is not None:
        mayor = entry["first_election"]
        source = f"{entry['references'][0]['title']} ({entry['status']})"
        text = f"first mayoral election {mayor.isoformat()}" if mayor <= on else \
            f"first mayoral election only on {mayor.isoformat()}"
    else:
        mayor = deals_module.mayor_since(sa_code) if sa_code else None
        source = "deals"
        text = f"mayor from {mayor.isoformat()} (deal)" if mayor else \
            "no mayor in mayors.yaml or in any deal in force"
    if settlement is not None and not (mayor is not None and mayor <= on):
        add("has_mayor", "Does it have a directly elected mayor?", True,
            f"integrated settlement for Mayoral Combined Authorities ({settlement.id})", "deals")
    else:
        add("has_mayor", "Does it have a directly elected mayor?", mayor is not None and mayor <= on, text, source)
    months = parameter("established_months_in_existence")
    if settlement is not None:
        add("in_existence_18_months", f"Mayoral authority in existence for {months} months?", True,
            f"established by integrated settlement {settlement.id}", "deals")
    else:
        span = _months(mayor, on) if mayor and mayor <= on else None
        add("in_existence_18_months", f"Mayoral authority in existence for {months} months?",
            span is not None and span >= months,
            f"{span} months since the first mayoral election" if span is not None else "no mayor in office in the data",
            source)
    threshold = parameter("strategic_population")
    codes = register.area_on(sa_code, on) if sa_code else [code]
    held = population[population["code"].isin(set(codes))]
    years = sorted(int(y) for y in held["year"].unique())
    year = ([y for y in years if y <= on.year] or years or [None])[-1]
    total = float(held.loc[held["year"] == year, "value"].sum()) if year else 0.0
    add("strategic_population", f"Population of at least {threshold:,.0f}?", total >= threshold,
        f"{total:,.0f} residents (ONS mid-year {year})" if year else "no population in the store",
        "ons_mye_population")
    add("contiguity", "Is the area contiguous?", None, "not in the data (boundaries not assessed)", "manual")
    for key, question in framework()["manual_criteria"].items():
        if key in evidence:
            add(key, question, bool(evidence[key]), "evidence supplied", "manual")
        elif settlement is not None and key in framework()["levels"]["established"]["requires"]:
            add(key, question, True, f"accepted for integrated settlement {settlement.id}", "deals")
        else:
            add(key, question, None, "no evidence supplied (scored 0)", "manual")
    criteria = pd.DataFrame(rows, columns=CRITERIA_COLUMNS)
    met = dict(zip(criteria["criterion"], criteria["met"]))
    level = None
    for name in LEVEL_ORDER:
        if all(met.get(req) is True for req in framework()["levels"][name]["requires"]):
            level = name
    by_statute = statutory_level(sa_code or code, on)  # e.g. the GLA: established by the 2026 Act, not by scores
    if by_statute is not None and LEVEL_ORDER.index(by_statute) > LEVEL_ORDER.index(level or LEVEL_ORDER[0]):
        level = by_statute
    return Readiness(place=code, name=row["name"], on=on, criteria=criteria, level=level, authority=sa_code,
                     note=area.note)
