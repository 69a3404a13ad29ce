"""Devolution by default (English Devolution White Paper, December 2024): every strategic authority
gets every power its framework level allows from a date, whatever its deals said; the result says
what changes against the deals, orders and statutes in force that day.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from devolution.powers import deals as deals_module
from devolution.powers.framework import held_by_statute, level_powers
from devolution.powers.readiness import assess, strategic_authorities


def by_default(places: pd.DataFrame, population: pd.DataFrame, year: int, register=None) -> pd.DataFrame:
    """Devolution by default from 1 April of ``year``: each strategic authority in force, its level
    (from the readiness criteria and, for the GLA, the 2026 Act), each power its level allows, and
    whether that is new or already held by a deal, order or statute in force that day (London's
    statutory powers count as held). One row per place and power. ``register``: an
    ``authorities.Authorities`` (members over time); from the register alone if omitted."""
    on = dt.date(year, 4, 1)
    rows = []
    for place in strategic_authorities(places, year).itertuples():
        level = assess(places, population, place.code, on, register=register).level
        held = deals_module.held(place.code, on)
        for p in level_powers(level):
            deal = held.get(p)
            statute = held_by_statute(p, on)
            rows.append({"place": place.code, "name": place.name, "level": level, "power": p,
                         "from": on.isoformat(),
                         "change": "already held" if deal else "already held by statute" if statute
                         else "new by default",
                         "by_deal": deal.id if deal else statute or ""})
        for p, deal in held.items():
            if p not in level_powers(level):
                rows.append({"place": place.code, "name": place.name, "level": level, "power": p,
                             "from": deal.in_force.isoformat(), "change": "kept from deal (beyond its level)",
                             "by_deal": deal.id})
    return pd.DataFrame(rows, columns=["place", "name", "level", "power", "from", "change", "by_deal"])
