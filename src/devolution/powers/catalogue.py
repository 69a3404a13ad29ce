"""The catalogue of powers (``catalogue.yaml``): department, CRA lines, council services, tiers.

Each power names its official references; its CRA selectors tie it to HM Treasury's Country and
Regional Analysis rows, so a place budget can say which central lines a deal would move.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from devolution.errors import DevolutionError

CATALOGUE_FILE = "catalogue.yaml"
SELECTOR_KEYS = ("department", "subfunction", "segment")


@dataclass(frozen=True)
class Power:
    id: str
    name: str
    department: str
    tiers: tuple[str, ...]
    cra: tuple[dict, ...]
    council: tuple[str, ...]
    note: str
    references: tuple[dict, ...]


@lru_cache(maxsize=None)
def _raw() -> dict:
    text = resources.files("devolution.powers").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@lru_cache(maxsize=None)
def powers() -> dict[str, Power]:
    """Every power in the catalogue by id; a power without a reference is an error."""
    out = {}
    for key, entry in _raw()["powers"].items():
        if not entry.get("references"):
            raise DevolutionError(f"{CATALOGUE_FILE}: power {key!r} has no references")
        for selector in entry.get("cra", []):
            unknown = set(selector) - set(SELECTOR_KEYS)
            if unknown:
                raise DevolutionError(f"{CATALOGUE_FILE}: power {key!r}: unknown selector key(s) "
                                      f"{', '.join(sorted(unknown))} (expected {', '.join(SELECTOR_KEYS)})")
        out[key] = Power(id=key, name=entry["name"], department=entry["department"],
                         tiers=tuple(entry["tiers"]), cra=tuple(entry.get("cra", [])),
                         council=tuple(entry.get("council", [])), note=entry.get("note", ""),
                         references=tuple(entry["references"]))
    return out


def power(key: str) -> Power:
    known = powers()
    if key not in known:
        raise DevolutionError(f"unknown power {key!r}; the catalogue has {', '.join(known)} "
                              f"(see `devo powers`)")
    return known[key]


def parse_powers(text: str | None) -> list[str]:
    """``"adult_skills, bus_franchising"`` -> checked list of power ids (``all`` = every power;
    ``None``: none). Given but naming no power (``""``, ``","``) is refused: it would do nothing."""
    if text is None:
        return []
    if text.strip() == "all":
        return list(powers())
    ids = [power(part.strip()).id for part in text.split(",") if part.strip()]
    if not ids:
        raise DevolutionError(f"no power named in {text!r}: give power ids, comma-separated, or 'all' "
                              f"(see `devo powers`)")
    return ids


def council_services() -> dict[str, dict]:
    return _raw()["council_services"]


def drivers() -> list[dict]:
    return _raw()["drivers"]


def table() -> pd.DataFrame:
    """One row per power: who holds it today, tiers that may hold it, its lines and sources."""
    rows = []
    for p in powers().values():
        lines = "; ".join(" & ".join(f"{k}~{v}" for k, v in s.items()) for s in p.cra)
        rows.append({"power": p.id, "name": p.name, "department": p.department,
                     "tiers": ", ".join(p.tiers), "cra_lines": lines or "(none: no central budget line)",
                     "council_lines": ", ".join(p.council), "references": "; ".join(r["url"] for r in p.references)})
    return pd.DataFrame(rows)


def assign_powers(cra: pd.DataFrame) -> pd.Series:
    """For each CRA row, the first power whose selector matches (department, subfunction, segment), else None."""
    result = pd.Series(np.full(len(cra), None, dtype=object), index=cra.index)
    free = pd.Series(True, index=cra.index)
    columns = {"department": "department", "subfunction": "hmt_subfunction", "segment": "segment"}
    for p in powers().values():
        for selector in p.cra:
            hit = free.copy()
            for key, pattern in selector.items():
                hit &= cra[columns[key]].fillna("").str.contains(pattern, flags=re.IGNORECASE, regex=True)
            result[hit] = p.id
            free &= ~hit
    return result
