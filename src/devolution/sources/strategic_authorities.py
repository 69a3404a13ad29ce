"""Strategic authorities in the register (``strategic_authorities.yaml``): the GLA, combined
authorities and combined county authorities, each with its establishing instrument, first and last
day, and members over time.

``apply`` corrects the register's rows for them (start and end dates, names, members' current
authority) and returns two more tables for the store:

- ``strategic_authorities``: one row per authority: code, name, official_name, kind, start_date,
  start_basis, end_date, replaced_by, instrument title and url, region_codes (";"-joined, from the
  members' ONS regions, so Greater Lincolnshire spans the East Midlands and Yorkshire and The Humber).
- ``strategic_authority_members``: one row per authority, member and period: authority_code,
  member_code, start_date, end_date (last day, empty if still a member), reference url.

Every entry names its instrument; a day read only in a secondary source must say why.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources

import pandas as pd
import yaml

from devolution.errors import DataError

FILE = "strategic_authorities.yaml"
KINDS = ("greater_london_authority", "combined_authority", "combined_county_authority")
BASES = ("commencement", "made", "metadata", "local", "secondary")
REFERENCE_STATUSES = ("official", "official_copy", "official_local", "secondary")
#: Register tiers for the kinds (the register has no separate tier for combined county authorities).
TIER = {"greater_london_authority": "greater_london_authority", "combined_authority": "combined_authority",
        "combined_county_authority": "combined_authority"}
#: Tiers whose councils cover the area once (a county's area is covered through its districts).
AREA_TIERS = ("shire_district", "unitary", "metropolitan_district", "london_borough", "city_of_london")

AUTHORITY_COLUMNS = ["code", "name", "official_name", "kind", "start_date", "start_basis", "end_date",
                     "replaced_by", "instrument", "instrument_url", "region_codes"]
MEMBER_COLUMNS = ["authority_code", "member_code", "start_date", "end_date", "reference"]


def load(text: str | None = None) -> dict:
    """The checked file: every authority with a kind, a dated establishment with references, an
    instrument, and members whose periods are dated and lie within the authority's life."""
    raw = yaml.safe_load(text if text is not None else
                         resources.files("devolution.sources").joinpath(FILE).read_text(encoding="utf-8"))
    for code, entry in raw["authorities"].items():
        where = f"authorities.{code}"
        if entry.get("kind") not in KINDS:
            raise DataError(f"{where}.kind: {entry.get('kind')!r} is not one of {', '.join(KINDS)}", file=FILE)
        established = entry.get("established") or {}
        _date(established.get("date"), f"{where}.established.date")
        if established.get("basis") not in BASES:
            raise DataError(f"{where}.established.basis: {established.get('basis')!r} is not one of "
                            f"{', '.join(BASES)}", file=FILE)
        if established["basis"] in ("local", "secondary") and not established.get("why"):
            raise DataError(f"{where}.established: a {established['basis']} date must say why", file=FILE)
        _references(established.get("references"), f"{where}.established.references")
        _references([entry.get("instrument")], f"{where}.instrument")
        if entry.get("ended"):
            _date(entry["ended"].get("date"), f"{where}.ended.date")
            _references(entry["ended"].get("references"), f"{where}.ended.references")
        if not entry.get("members"):
            raise DataError(f"{where}.members: an authority needs its members", file=FILE)
        for i, period in enumerate(entry["members"]):
            start = _date(period.get("from"), f"{where}.members[{i}].from")
            end = _date(period["to"], f"{where}.members[{i}].to") if period.get("to") else None
            if start < _date(established["date"], "") or (end is not None and end < start):
                raise DataError(f"{where}.members[{i}]: the period {start}..{end or ''} lies outside the "
                                f"authority's life (from {established['date']})", file=FILE)
            if not period.get("codes"):
                raise DataError(f"{where}.members[{i}].codes: no members listed", file=FILE)
            _references(period.get("references"), f"{where}.members[{i}].references")
    return raw


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{where}: {value!r} is not a date (expected YYYY-MM-DD)", file=FILE) from None


def _references(refs, where: str) -> None:
    if not refs or not all(isinstance(r, dict) for r in refs):
        raise DataError(f"{where}: at least one reference is needed", file=FILE)
    for ref in refs:
        if not str(ref.get("url", "")).startswith("http") or not ref.get("title"):
            raise DataError(f"{where}: each reference needs a title and an http(s) url", file=FILE)
        if ref.get("status") not in REFERENCE_STATUSES:
            raise DataError(f"{where}: reference status {ref.get('status')!r} is not one of "
                            f"{', '.join(REFERENCE_STATUSES)}", file=FILE)


def apply(places: pd.DataFrame, raw: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The register with its strategic authorities corrected, and the two tables described above.

    Rows already in the register are updated (or added when missing); a member's current
    ``strategic_authority_code`` is the authority it belongs to now (none if its authority ended)."""
    raw = raw or load()
    places = places.copy()
    authorities = raw["authorities"]
    member_rows = []
    for code, entry in authorities.items():
        for period in entry["members"]:
            for member in period["codes"]:
                member_rows.append({"authority_code": code, "member_code": member,
                                    "start_date": str(period["from"]),
                                    "end_date": str(period["to"]) if period.get("to") else None,
                                    "reference": period["references"][0]["url"]})
    members = pd.DataFrame(member_rows, columns=MEMBER_COLUMNS)
    unknown = sorted(set(members["member_code"]) - set(places["code"]))
    if unknown:
        raise DataError(f"members not in the register: {', '.join(unknown)}", file=FILE)

    rows = []
    for code, entry in authorities.items():
        ended = entry.get("ended") or {}
        values = {"name": entry["name"], "official_name": entry["official_name"], "tier": TIER[entry["kind"]],
                  "start_date": str(entry["established"]["date"]),
                  "end_date": str(ended["date"]) if ended else None, "current": not ended,
                  "replaced_by": ended.get("replaced_by"), "strategic_authority_code": None, "county_code": None}
        at = places["code"] == code
        if at.any():
            for column, value in values.items():
                places.loc[at, column] = value
        else:
            rows.append({"code": code, **values})
        for former in entry.get("former_codes", []):
            places.loc[places["code"] == former, ["current", "replaced_by"]] = [False, code]
    if rows:
        places = pd.concat([places, pd.DataFrame(rows)], ignore_index=True)
    if "status" in places.columns:
        sa = places["code"].isin(list(authorities))
        places.loc[sa, "status"] = places.loc[sa, "current"].map({True: "current", False: "abolished"})

    # Each member's current authority; members of an authority that has ended belong to none.
    current = members[members["end_date"].isna() & members["authority_code"].map(
        lambda c: not authorities[c].get("ended"))]
    in_members = places["code"].isin(members["member_code"])
    places.loc[in_members, "strategic_authority_code"] = None
    places.loc[in_members, "strategic_authority_code"] = places.loc[in_members, "code"].map(
        current.drop_duplicates("member_code").set_index("member_code")["authority_code"])

    table = pd.DataFrame([{
        "code": code, "name": entry["name"], "official_name": entry["official_name"], "kind": entry["kind"],
        "start_date": str(entry["established"]["date"]), "start_basis": entry["established"]["basis"],
        "end_date": str(entry["ended"]["date"]) if entry.get("ended") else None,
        "replaced_by": (entry.get("ended") or {}).get("replaced_by"),
        "instrument": entry["instrument"]["title"], "instrument_url": entry["instrument"]["url"],
        "region_codes": ";".join(_regions(places, members[members["authority_code"] == code]["member_code"])),
    } for code, entry in authorities.items()], columns=AUTHORITY_COLUMNS)
    for code in table["code"]:  # an authority's own region: the first of those it spans
        regions = table.loc[table["code"] == code, "region_codes"].iloc[0]
        if regions:
            places.loc[places["code"] == code, "region_code"] = regions.split(";")[0]
    return places, table, members


def _regions(places: pd.DataFrame, member_codes: pd.Series) -> list[str]:
    """The regions (sorted by code) of the councils that cover the members' areas: a county's
    area through its districts."""
    codes = set(member_codes)
    area = places[(places["code"].isin(codes) | places["county_code"].isin(codes))
                  & places["tier"].isin(AREA_TIERS)]
    return sorted(set(area["region_code"].dropna()))
