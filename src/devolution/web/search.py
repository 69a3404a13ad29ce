"""Finding a place from what a person types: a GSS code, an E-code or a name, spelt loosely.

``find_places`` is the one function the search box and ``/search.json`` call: the exact answer of
``places.register.resolve`` when there is one, else names containing the words typed, else the
closest names (the register's RapidFuzz suggestions, for misspellings). A former council comes
with its successors, so a search for Allerdale points to Cumberland.
"""

from __future__ import annotations

import re

import pandas as pd

from devolution.errors import PlaceError
from devolution.places.names import PlaceIndex
from devolution.places.register import in_force, lifecycle, resolve
from devolution.places.tiers import TIER_LABELS

#: Words that say what kind of body a name is, not which one ("Leeds City Council" is Leeds).
KIND_WORDS = re.compile(r"\b(metropolitan|borough|district|county|city|council|of|the|royal|london|mayoral|"
                        r"combined|authority)\b")


def _plain(text: str) -> str:
    text = re.sub(r"[^a-z0-9 ]", " ", str(text).lower().replace("&", " and "))
    return " ".join(KIND_WORDS.sub(" ", text).split()) or " ".join(text.split())


def entry(places: pd.DataFrame, row) -> dict:
    """One search result: code, name, kind of place, whether current, and successors if former."""
    current = bool(row["current"])
    return {"code": row["code"], "name": row["name"], "tier_label": TIER_LABELS.get(row["tier"], row["tier"]),
            "current": current, "url": f"/places/{row['code']}",
            "successors": [] if current else lifecycle(places, row["code"])["successors"]}


def find_places(places: pd.DataFrame, query: str, limit: int = 12) -> dict:
    """``{"query", "exact", "results"}``: ``exact`` when the query names one place (code, E-code
    or name), ``results`` ranked: that place, else names holding every word typed (current places
    first), else the closest names."""
    text = " ".join(str(query).split())[:100]
    if not text:
        return {"query": text, "exact": False, "results": []}
    try:
        # the register's resolver: codes, E-codes and every official spelling, whole words only
        return {"query": text, "exact": True, "results": [entry(places, resolve(places, text))]}
    except PlaceError:
        pass
    plain = places["name"].map(_plain)
    words = _plain(text).split()
    holding = places[plain.map(lambda name: all(any(token.startswith(w) for token in name.split()) for w in words))] \
        if words else places.iloc[0:0]
    if holding.empty:  # a misspelling: the register's closest names (RapidFuzz)
        holding = PlaceIndex.of(places).candidates(text, limit=limit)
    else:
        holding = holding.sort_values(["current", "name"], ascending=[False, True])
    return {"query": text, "exact": False, "results": [entry(places, r) for _, r in holding.head(limit).iterrows()]}


def of_its_time(places: pd.DataFrame, code: str, last_year: int) -> pd.DataFrame:
    """Places of the same tier and region as ``code`` in force in ``last_year`` (its last financial
    year), itself left out: a former council's similar places."""
    row = places.set_index("code").loc[code]
    alive = places[in_force(places, last_year) & (places["tier"] == row["tier"])]
    if isinstance(row["region_code"], str):
        alive = alive[alive["region_code"] == row["region_code"]]
    return alive[alive["code"] != code][["code", "name", "tier"]].reset_index(drop=True)
