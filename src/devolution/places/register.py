"""Questions of the register of places: which places, of which tier, inside which parent.

Functions take the ``places`` table (from the store) and return DataFrames; no I/O here.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.errors import PlaceError

TIER_LABELS = {
    "county": "County",
    "shire_district": "Shire district",
    "unitary": "Unitary authority",
    "metropolitan_district": "Metropolitan district",
    "london_borough": "London borough",
    "city_of_london": "City of London",
    "combined_authority": "Combined authority",
    "greater_london_authority": "Greater London Authority",
    "region": "Region",
    "england": "England",
}

#: Councils that together cover England once at the lower tier (they bill council tax).
BILLING_TIERS = ("shire_district", "unitary", "metropolitan_district", "london_borough", "city_of_london")
#: Principal councils: the billing tiers plus counties.
COUNCIL_TIERS = BILLING_TIERS + ("county",)
#: Strategic authorities: combined (county) authorities and the Greater London Authority.
SA_TIERS = ("combined_authority", "greater_london_authority")


def in_force(places: pd.DataFrame, year: int) -> pd.Series:
    """Which places existed on 1 April of financial year ``year`` (start <= date < end)."""
    date = pd.Timestamp(year=year, month=4, day=1)
    start = pd.to_datetime(places["start_date"], errors="coerce")
    end = pd.to_datetime(places["end_date"], errors="coerce")
    ended = end.notna() & (end <= date)
    # A place with no end date that is not current was retired without a date (a former code).
    retired = ~places["current"].astype(bool) & end.isna()
    return (start.isna() | (start <= date)) & ~ended & ~retired


def resolve(places: pd.DataFrame, query: str) -> pd.Series:
    """One place by GSS code, E-code or name (case-insensitive); a clear error if none or many."""
    text = query.strip()
    for column in ("code", "ecode"):
        hit = places[places[column].fillna("").str.upper() == text.upper()]
        if len(hit):
            return hit.iloc[0]
    lowered = places["name"].str.lower()
    hit = places[lowered == text.lower()]
    if len(hit) == 0:
        hit = places[lowered.str.contains(text.lower(), regex=False)]
    if len(hit) == 1 or (len(hit) > 1 and hit["current"].sum() == 1):
        return hit[hit["current"]].iloc[0] if len(hit) > 1 else hit.iloc[0]
    if len(hit) == 0:
        raise PlaceError(f"no place matches {query!r} (give a GSS code such as E06000001, an "
                         f"E-code or a name; see `devo places list`)")
    names = ", ".join(f"{r.name} ({r.code})" for r in hit.head(8).itertuples())
    raise PlaceError(f"{query!r} matches {len(hit)} places: {names}; give the code")


def select(places: pd.DataFrame, *, tier: str | None = None, region: str | None = None,
           county: str | None = None, strategic_authority: str | None = None,
           year: int | None = None, include_former: bool = False) -> pd.DataFrame:
    """Filter the register. ``region`` / ``county`` / ``strategic_authority`` take a code or name."""
    out = places
    if tier is not None:
        tiers = [t.strip() for t in tier.split(",")]
        unknown = [t for t in tiers if t not in TIER_LABELS]
        if unknown:
            raise PlaceError(f"unknown tier {unknown[0]!r}; expected one of {', '.join(TIER_LABELS)}")
        out = out[out["tier"].isin(tiers)]
    for column, value, tiers in (("region_code", region, ("region",)), ("county_code", county, ("county",)),
                                 ("strategic_authority_code", strategic_authority,
                                  ("combined_authority", "greater_london_authority"))):
        if value is not None:
            parent = resolve(places[places["tier"].isin(tiers)], value)
            out = out[out[column] == parent["code"]]
    if year is not None:
        out = out[in_force(out, year)]
    elif not include_former:
        out = out[out["current"].astype(bool)]
    return out.reset_index(drop=True)


def parents(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """A place and every place above it: county, strategic authority, region, England."""
    by_code = places.set_index("code", drop=False)
    if code not in by_code.index:
        raise PlaceError(f"unknown place code {code!r}")
    place = by_code.loc[code]
    chain = [place]
    for column in ("county_code", "strategic_authority_code", "region_code"):
        parent = place[column]
        if isinstance(parent, str) and parent in by_code.index:
            chain.append(by_code.loc[parent])
    if place["tier"] != "england":
        chain.append(by_code.loc["E92000001"])
    return pd.DataFrame(chain).reset_index(drop=True)


def children(places: pd.DataFrame, code: str) -> pd.DataFrame:
    """The places directly inside a county, strategic authority or region (current ones)."""
    inside = (places["county_code"] == code) | (places["strategic_authority_code"] == code) | (
        places["region_code"] == code)
    return places[inside & places["current"].astype(bool)].reset_index(drop=True)


def strategic_authority_of(places: pd.DataFrame, codes) -> np.ndarray:
    """Each place's strategic authority code ("" if none): itself if it is one, else its own
    authority, else its county's (a district of a county that is a member of a combined county
    authority is in that authority's area)."""
    by_code = places.set_index("code")
    codes = pd.Series(np.asarray(codes, dtype=object))
    own = codes.map(by_code["strategic_authority_code"])
    county = codes.map(by_code["county_code"]).map(by_code["strategic_authority_code"])
    found = own.fillna(county).fillna("")
    return np.where(codes.map(by_code["tier"]).isin(SA_TIERS), codes, found).astype(object)
