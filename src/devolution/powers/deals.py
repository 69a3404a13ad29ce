"""Deals and settlements (``deals.yaml``): powers granted to a place from a date, with their sources.

Each deal cites the official document read; amounts not stated in an official page read are null
with the reason, never filled in from memory.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from devolution.errors import DevolutionError
from devolution.powers.catalogue import powers

DEALS_FILE = "deals.yaml"
KINDS = ("deal", "settlement", "integrated_settlement")


@dataclass(frozen=True)
class Deal:
    id: str
    places: tuple[str, ...]
    name: str
    date: dt.date
    kind: str
    powers: tuple[str, ...]
    mayor: bool
    mayor_from: dt.date | None
    amounts: tuple[dict, ...]
    references: tuple[dict, ...]
    note: str = ""


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DevolutionError(f"{DEALS_FILE}: {where}: {value!r} is not a date (expected YYYY-MM-DD)") from None


@lru_cache(maxsize=None)
def deals() -> tuple[Deal, ...]:
    """Every deal, checked: known powers and kinds, a date, at least one reference."""
    raw = yaml.safe_load(resources.files("devolution.powers").joinpath(DEALS_FILE).read_text(encoding="utf-8"))
    known = powers()
    out = []
    for entry in raw["deals"]:
        key = entry.get("id", "?")
        unknown = [p for p in entry.get("powers", []) if p not in known]
        if unknown:
            raise DevolutionError(f"{DEALS_FILE}: deal {key!r}: unknown power(s) {', '.join(unknown)}")
        if entry.get("kind") not in KINDS:
            raise DevolutionError(f"{DEALS_FILE}: deal {key!r}: kind {entry.get('kind')!r} not one of {', '.join(KINDS)}")
        if not entry.get("references"):
            raise DevolutionError(f"{DEALS_FILE}: deal {key!r} has no references")
        for amount in entry.get("amounts", []):
            if amount.get("value") is None and not amount.get("unverified"):
                raise DevolutionError(f"{DEALS_FILE}: deal {key!r}: a null amount must say why (unverified)")
        place = entry["place"]
        out.append(Deal(
            id=key, places=tuple(place if isinstance(place, list) else [place]), name=entry["name"],
            date=_date(entry["date"], key), kind=entry["kind"], powers=tuple(entry.get("powers", [])),
            mayor=bool(entry.get("mayor", False)),
            mayor_from=_date(entry["mayor_from"], key) if entry.get("mayor_from") else None,
            amounts=tuple(entry.get("amounts", [])), references=tuple(entry["references"]),
            note=entry.get("note", "")))
    return tuple(sorted(out, key=lambda d: d.date))


def table(place: str | None = None) -> pd.DataFrame:
    """One row per deal and place: date, kind, powers, verified amounts, source."""
    rows = []
    for d in deals():
        for code in d.places:
            if place is not None and code != place:
                continue
            verified = [a for a in d.amounts if a.get("value") is not None]
            rows.append({"date": d.date.isoformat(), "place": code, "deal": d.name, "kind": d.kind,
                         "powers": ", ".join(d.powers), "mayor": d.mayor,
                         "verified_amounts": "; ".join(
                             f"{a['what']}: £{a['value'] / 1e6:,.1f}m" + (f" a {a['per']} for {a['years']} years"
                                                                         if a.get("per") else "")
                             for a in verified),
                         "unverified": "; ".join(f"{a['what']}: {a['unverified']}" for a in d.amounts
                                                 if a.get("value") is None),
                         "source": d.references[0]["url"]})
    return pd.DataFrame(rows, columns=["date", "place", "deal", "kind", "powers", "mayor", "verified_amounts",
                                       "unverified", "source"])


def held(place: str, on: dt.date) -> dict[str, Deal]:
    """Powers a place holds by deal on a date: power id -> the first deal that granted it."""
    out: dict[str, Deal] = {}
    for d in deals():
        if place in d.places and d.date <= on:
            for p in d.powers:
                out.setdefault(p, d)
    return out


def mayor_since(place: str) -> dt.date | None:
    """When the place's first directly elected mayor took office, per the deals (None if no mayor in the data)."""
    dates = [d.mayor_from or d.date for d in deals() if place in d.places and d.mayor]
    return min(dates) if dates else None
