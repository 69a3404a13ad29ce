"""Finding a place from what a person types: a GSS code, an E-code or a name, spelt loosely.

``find_places`` is the one function the search box and ``/search.json`` call: the exact answer of
``places.register.resolve`` when there is one, else names containing the words typed, else the
closest names (difflib's ratio, for misspellings). A former council comes with its successors, so a
search for Allerdale points to Cumberland. When the register gets its own fuzzy resolver, this is
the function to point at it.
"""

from __future__ import annotations

import difflib
import re

import pandas as pd

from devolution.errors import PlaceError
from devolution.places.register import TIER_LABELS, in_force, resolve

#: Words that say what kind of body a name is, not which one ("Leeds City Council" is Leeds).
KIND_WORDS = re.compile(r"\b(metropolitan|borough|district|county|city|council|of|the|royal|london|mayoral|"
                        r"combined|authority)\b")


def _plain(text: str) -> str:
    text = re.sub(r"[^a-z0-9 ]", " ", str(text).lower().replace("&", " and "))
    return " ".join(KIND_WORDS.sub(" ", text).split()) or " ".join(text.split())


def successors(places: pd.DataFrame, code: str) -> list[dict]:
    """The places that replaced ``code`` (``replaced_by``), each with code, name and start date."""
    by_code = places.set_index("code")
    value = by_code.loc[code, "replaced_by"]
    codes = [c.strip() for c in value.split(";") if c.strip()] if isinstance(value, str) else []
    return [{"code": c, "name": by_code.loc[c, "name"] if c in by_code.index else c,
             "start_date": by_code.loc[c, "start_date"] if c in by_code.index and
             isinstance(by_code.loc[c, "start_date"], str) else None} for c in codes]


def entry(places: pd.DataFrame, row) -> dict:
    """One search result: code, name, kind of place, whether current, and successors if former."""
    current = bool(row["current"])
    return {"code": row["code"], "name": row["name"], "tier_label": TIER_LABELS.get(row["tier"], row["tier"]),
            "current": current, "url": f"/places/{row['code']}",
            "successors": [] if current else successors(places, row["code"])}


def find_places(places: pd.DataFrame, query: str, limit: int = 12) -> dict:
    """``{"query", "exact", "results"}``: ``exact`` when the query names one place (code, E-code
    or name), ``results`` ranked: that place, else names holding every word typed (current places
    first), else the closest names."""
    text = " ".join(str(query).split())[:100]
    if not text:
        return {"query": text, "exact": False, "results": []}
    try:
        hit = resolve(places, text)
        if hit["code"].upper() == text.upper() or str(hit.get("ecode", "")).upper() == text.upper() \
                or hit["name"].lower() == text.lower():
            return {"query": text, "exact": True, "results": [entry(places, hit)]}
    except PlaceError:
        pass
    plain = places["name"].map(_plain)
    words = _plain(text).split()
    holding = places[plain.map(lambda name: all(any(token.startswith(w) for token in name.split()) for w in words))] \
        if words else places.iloc[0:0]
    if holding.empty:
        close = difflib.get_close_matches(_plain(text), list(plain), n=limit, cutoff=0.6)
        holding = places[plain.isin(close)].assign(_rank=lambda f: f["name"].map(_plain).map(close.index))
        holding = holding.sort_values(["_rank", "current"], ascending=[True, False])
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
