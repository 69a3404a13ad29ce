"""Mayoral strategic authorities (``mayors.yaml``): the date of each first mayoral election, cited.

The register has no "has a mayor" flag; this list, from the election orders on legislation.gov.uk,
gov.uk and the authorities' own pages, supplies it. Authorities not listed have no mayor in the data.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from devolution.errors import DevolutionError

MAYORS_FILE = "mayors.yaml"
STATUSES = ("verified", "official_local", "secondary")


@lru_cache(maxsize=None)
def mayors() -> dict[str, dict]:
    """Every mayoral authority by code, checked: a date, a known status, at least one reference with a URL."""
    raw = yaml.safe_load(resources.files("devolution.powers").joinpath(MAYORS_FILE).read_text(encoding="utf-8"))
    return parse(raw)


def parse(raw: dict) -> dict[str, dict]:
    """Check a loaded ``mayors.yaml`` document and return its entries by code."""
    out = {}
    for code, entry in raw["mayors"].items():
        when = entry.get("first_election")
        if not isinstance(when, dt.date):
            raise DevolutionError(f"{MAYORS_FILE}: {code}: first_election {when!r} is not a date (expected YYYY-MM-DD)")
        if entry.get("status") not in STATUSES:
            raise DevolutionError(f"{MAYORS_FILE}: {code}: status {entry.get('status')!r} not one of {', '.join(STATUSES)}")
        refs = entry.get("references") or []
        if not refs or not all(str(r.get("url", "")).startswith("http") for r in refs):
            raise DevolutionError(f"{MAYORS_FILE}: {code} needs references, each with a url")
        if entry["status"] == "secondary" and not entry.get("why"):
            raise DevolutionError(f"{MAYORS_FILE}: {code}: a secondary entry must say why")
        out[code] = entry
    return out


def first_election(code: str) -> dt.date | None:
    """The first mayoral election of a strategic authority, or None if it has no mayor in the data."""
    entry = mayors().get(code)
    return entry["first_election"] if entry else None


def table() -> pd.DataFrame:
    return pd.DataFrame([{"code": c, "name": e["name"], "first_election": e["first_election"].isoformat(),
                          "status": e["status"], "source": e["references"][0]["url"]}
                         for c, e in mayors().items()])
