"""Readiness for devolution: explicit criteria, each with a score and its evidence.

The earned route of 2014-16 asked a place to show governance, partnerships, capacity and a business
plan; the White Paper sets conditions for each level. Criteria the data can answer (a strategic
authority in the register, a mayor in ``mayors.yaml`` (first election from the election orders) or
in the deals, population from ONS mid-year estimates, time since the first mayoral election) are
scored from it; the rest (assurance framework, accounts, partnerships,
contiguity, which is not in the data) need evidence and score 0 until it is given. An integrated
settlement already granted counts as the government's own finding that the Established criteria are met.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from devolution.places.register import SA_TIERS, in_force, resolve, strategic_authority_of
from devolution.powers import deals as deals_module
from devolution.powers import mayors as mayors_module
from devolution.powers.framework import LEVEL_ORDER, framework, parameter, statutory_level



@dataclass
class Readiness:
    place: str
    name: str
    on: dt.date
    criteria: pd.DataFrame  # criterion, question, met (True/False/None), score, evidence, source
    level: str | None
    score: int = field(init=False)
    possible: int = field(init=False)

    def __post_init__(self):
        self.score = int(self.criteria["score"].sum())
        self.possible = len(self.criteria)


def strategic_authorities(places: pd.DataFrame, year: int) -> pd.DataFrame:
    """Combined authorities and the GLA in force on 1 April of ``year`` (current in the register)."""
    sa = places[places["tier"].isin(SA_TIERS) & places["current"].astype(bool)]
    return sa[in_force(sa, year)].reset_index(drop=True)


def members(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """The current councils of a strategic authority (lower tier and counties)."""
    return places[(places["strategic_authority_code"] == code) & places["current"].astype(bool)]


def _months(start: dt.date, end: dt.date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def assess(places: pd.DataFrame, population: pd.DataFrame, query: str, on: dt.date,
           evidence: dict[str, bool] | None = None) -> Readiness:
    """Score a place against every criterion on a date. ``evidence`` supplies manual criteria
    (``{"assurance_framework": True}``); ``population`` is long ``code, year, value`` rows."""
    evidence = evidence or {}
    row = resolve(places, query)
    code = row["code"]
    sa_code = strategic_authority_of(places, [code])[0] or None
    settlement = next((d for d in deals_module.deals() if sa_code in d.places and d.kind == "integrated_settlement"
                       and d.date <= on), None)
    rows = []

    def add(criterion, question, met, evidence_text, source):
        rows.append({"criterion": criterion, "question": question, "met": met,
                     "score": 1 if met else 0, "evidence": evidence_text, "source": source})

    add("has_strategic_authority", "Is the place a combined authority or the GLA, or inside one?",
        sa_code is not None,
        f"{sa_code} in the register" if sa_code else f"{row['name']} is not in a strategic authority",
        "register of places")
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
            "no mayor in mayors.yaml or in any deal (the register has no mayoral flag)"
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
    area = members(places, sa_code)["code"] if sa_code else pd.Series([code])
    area = area if len(area) else pd.Series([code])
    latest = population[population["code"].isin(set(area))]
    year = int(latest["year"].max()) if len(latest) else None
    total = float(latest.loc[latest["year"] == year, "value"].sum()) if year else 0.0
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
    criteria = pd.DataFrame(rows)
    met = dict(zip(criteria["criterion"], criteria["met"]))
    level = None
    for name in LEVEL_ORDER:
        if all(met.get(req) is True for req in framework()["levels"][name]["requires"]):
            level = name
    by_statute = statutory_level(code, on)  # e.g. the GLA: established by the 2026 Act, not by scores
    if by_statute is not None and LEVEL_ORDER.index(by_statute) > LEVEL_ORDER.index(level or LEVEL_ORDER[0]):
        level = by_statute
    return Readiness(place=code, name=row["name"], on=on, criteria=criteria, level=level)
