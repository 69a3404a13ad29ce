"""The English Devolution White Paper framework (``framework.yaml``): three levels (Foundation,
Mayoral, Established Mayoral strategic authority), each with the powers it adds and the criteria it
requires, and their sources. What each authority reaches is assessed in ``powers.readiness``;
"devolution by default" (every authority gets everything its level allows) is ``powers.by_default``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from importlib import resources

import pandas as pd
import yaml

from devolution.errors import DevolutionError
from devolution.powers.catalogue import powers

FRAMEWORK_FILE = "framework.yaml"
LEVEL_ORDER = ("foundation", "mayoral", "established")
STATUSES = ("verified", "secondary", "assumed")


def _check_item(where: str, item: dict) -> None:
    """A framework item needs a known status and a reason unless verified; a verified item needs a
    reference with a URL and a quote of the official text read."""
    if item.get("status") not in STATUSES:
        raise DevolutionError(f"{FRAMEWORK_FILE}: {where}: status {item.get('status')!r} not one of {', '.join(STATUSES)}")
    if item["status"] != "verified" and not item.get("why"):
        raise DevolutionError(f"{FRAMEWORK_FILE}: {where} is {item['status']} and must say why")
    if item["status"] == "verified" and not any(str(r.get("url", "")).startswith("http") and r.get("quote")
                                                for r in item.get("references") or []):
        raise DevolutionError(f"{FRAMEWORK_FILE}: {where} is verified but names no reference with a url and a quote")


@lru_cache(maxsize=None)
def framework() -> dict:
    """The framework, checked: known powers, every level with requirements and references."""
    return parse(yaml.safe_load(resources.files("devolution.powers").joinpath(FRAMEWORK_FILE).read_text(encoding="utf-8")))


def parse(raw: dict) -> dict:
    """Check a loaded ``framework.yaml`` document (levels, power sources, conditions) and return it."""
    known = powers()
    for name in LEVEL_ORDER:
        level = raw["levels"].get(name)
        if level is None:
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r} is missing")
        unknown = [p for p in level["powers"] if p not in known]
        if unknown:
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r}: unknown power(s) {', '.join(unknown)}")
        if not level.get("references") or not all(str(r.get("url", "")).startswith("http")
                                                  for r in level["references"]):
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r} has no references (each with a url)")
        for part in ("who", "requires", "powers"):
            _check_item(f"level {name!r} {part}", level["status"].get(part, {}))
        sources = level.get("power_sources") or {}
        if set(sources) != set(level["powers"]):
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r}: power_sources must name exactly its powers "
                                  f"({', '.join(sorted(set(sources) ^ set(level['powers'])))} differ)")
        for power, item in sources.items():
            _check_item(f"level {name!r} power {power!r}", item)
        if level["status"]["powers"]["status"] == "verified" and \
                any(item["status"] != "verified" for item in sources.values()):
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r} powers are verified but not every power is")
        missing = [c for c in level["requires"] if c not in raw["conditions"]]
        if missing:
            raise DevolutionError(f"{FRAMEWORK_FILE}: level {name!r} requires undefined condition(s) {', '.join(missing)}")
    for key, condition in raw["conditions"].items():
        if not condition.get("references"):
            raise DevolutionError(f"{FRAMEWORK_FILE}: condition {key!r} has no references")
        _check_item(f"condition {key!r}", condition)
    for power, item in (raw.get("held_by_statute") or {}).items():
        if power not in known:
            raise DevolutionError(f"{FRAMEWORK_FILE}: held_by_statute: unknown power {power!r}")
        if not isinstance(item.get("from"), dt.date) or not item.get("by") or not item.get("references"):
            raise DevolutionError(f"{FRAMEWORK_FILE}: held_by_statute: {power!r} needs a date (from), "
                                  f"the statute (by) and references")
    for key, parameter in raw["parameters"].items():
        if not parameter.get("references"):
            raise DevolutionError(f"{FRAMEWORK_FILE}: parameter {key!r} has no references")
    return raw


def parameter(key: str):
    return framework()["parameters"][key]["value"]


def level_powers(level: str | None) -> list[str]:
    """Every power a level allows (levels are cumulative); none below Foundation."""
    if level is None:
        return []
    if level not in LEVEL_ORDER:
        raise DevolutionError(f"unknown level {level!r}; expected one of {', '.join(LEVEL_ORDER)}")
    out: list[str] = []
    for name in LEVEL_ORDER[: LEVEL_ORDER.index(level) + 1]:
        out += [p for p in framework()["levels"][name]["powers"] if p not in out]
    return out


def statutory_level(code: str, on: dt.date) -> str | None:
    """The level a strategic authority holds by statute whatever its readiness scores (the GLA is an
    established mayoral strategic authority: English Devolution and Community Empowerment Act 2026 s.1(6)(c))."""
    for name in reversed(LEVEL_ORDER):
        level = framework()["levels"][name]
        if code in (level.get("statutory") or []) and on >= level["statutory_from"]:
            return name
    return None


def act_level(kind: str, mayoral: bool, code: str, on: dt.date) -> str:
    """A strategic authority's level under the English Devolution and Community Empowerment Act 2026
    s.1 on a date: "established" for the GLA (s.1(6)(c)), "mayoral" for a mayoral combined (county)
    authority (s.1(5)), "foundation" for a non-mayoral one (s.1(4)); empty before the Act (its Royal
    Assent, ``statutory_from``). Designation of other mayoral authorities as established (s.106B
    LDEDCA 2009 / s.25A LURA 2023) is not in the data, so none is shown as established but the GLA.
    ``kind``: greater_london_authority | combined_authority | combined_county_authority."""
    established = framework()["levels"]["established"]
    if on < established["statutory_from"]:
        return ""
    if code in (established.get("statutory") or []):
        return "established"
    return "mayoral" if mayoral else "foundation"


def power_sources_table() -> pd.DataFrame:
    """One row per level and power: whether the mapping was read in official text, why, and where."""
    return pd.DataFrame([{"level": name, "power": p, "status": item["status"], "why": item.get("why", ""),
                          "source": (item.get("references") or [{"url": ""}])[0]["url"]}
                         for name in LEVEL_ORDER
                         for p, item in framework()["levels"][name]["power_sources"].items()])


def levels_table() -> pd.DataFrame:
    rows = []
    for name in LEVEL_ORDER:
        level = framework()["levels"][name]
        rows.append({"level": name, "label": level["label"], "who": level["who"],
                     "adds_powers": ", ".join(level["powers"]), "requires": ", ".join(level["requires"]),
                     "single_pot": bool(level.get("integrated_settlement", False)),
                     "status": ", ".join(f"{k}: {v['status']}" for k, v in level["status"].items()),
                     "source": level["references"][0]["url"]})
    return pd.DataFrame(rows)


def conditions_table() -> pd.DataFrame:
    """One row per condition: its status, why, and the first source read."""
    return pd.DataFrame([{"condition": k, "status": c["status"], "why": c.get("why", ""),
                          "source": c["references"][0]["url"]} for k, c in framework()["conditions"].items()])


def held_by_statute(power: str, on: dt.date) -> str | None:
    """The statute by which every local transport authority holds ``power`` on ``on``
    (``held_by_statute`` in framework.yaml, e.g. bus franchising from 26 January 2026), or None."""
    item = (framework().get("held_by_statute") or {}).get(power)
    return item["by"] if item and item["from"] <= on else None
