"""The register of English local authorities, regions and England: the places everything is keyed on.

The register file is a compilation of the GOV.UK local-authority register with ONS GSS codes and
MHCLG E-codes (snapshot July 2025); regions come from the ONS LAD-to-region lookup. Amendments
for later changes, each with its official instrument, are in ``register_amendments.yaml``; the
strategic authorities (establishing instruments, dates, members over time) in
``strategic_authorities.yaml`` (``sources/strategic_authorities.py``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from devolution.sources.base import (GSS_CODE, OGL, Context, Download, Parsed, Publication, refuse_first,
                                     read_csv, require_unique)
from devolution.sources import strategic_authorities
from devolution.sources.official_layouts import read_lookup

FILE = "la_register_england.csv"
REGIONS_FILE = "ons_lookup_lad24_region_dec2024.csv"
REGIONS_URL = ("https://open-geography-portalx-ons.hub.arcgis.com/api/download/v1/items/"
               "3959874c514b470e9dd160acdc00c97a/csv?layers=0")
ENGLAND = "E92000001"

#: The register's ``la_type`` -> our tier names.
TIERS = {
    "CTY": "county",
    "NMD": "shire_district",
    "UA": "unitary",
    "MD": "metropolitan_district",
    "LBO": "london_borough",
    "CC": "city_of_london",
    "COMB": "combined_authority",
    "SRA": "greater_london_authority",
}

#: Tiers that bill council tax and serve as the lower tier of a place (each covers its area once).
LOWER_TIERS = ("shire_district", "unitary", "metropolitan_district", "london_borough", "city_of_london")
#: Councils that deliver upper-tier services (social care, education) for their area.
UPPER_TIERS = ("county", "unitary", "metropolitan_district", "london_borough", "city_of_london")

PLACE_COLUMNS = ["code", "name", "official_name", "tier", "region_code", "county_code",
                 "strategic_authority_code", "start_date", "end_date", "current", "replaced_by", "ecode"]

COLUMNS = ["gss_code", "name", "official_name", "la_type", "region_code", "region_name",
           "county_gss_code", "combined_authority_gss_code", "start_date", "end_date", "current",
           "replaced_by_gss", "former_gss_codes", "mhclg_ecode"]


def parse(files: dict[str, Path], context: Context) -> Parsed:
    """Build the ``places`` table: councils, strategic authorities, former codes, regions, England."""
    path = files[FILE]
    raw = read_csv(path, COLUMNS)
    refuse_first(~raw["la_type"].isin(TIERS.keys()), raw, path, "la_type", lambda at: (
        f"unknown la_type {raw['la_type'].iloc[at]!r} (expected one of {', '.join(TIERS)})"))
    refuse_first(~raw["gss_code"].fillna("").str.match(GSS_CODE.pattern), raw, path, "gss_code",
                 lambda at: f"{raw['gss_code'].iloc[at]!r} is not a GSS code (expected e.g. E06000001)")
    require_unique(raw, ["gss_code"], path)

    places = pd.DataFrame({
        "code": raw["gss_code"],
        "name": raw["name"],
        "official_name": raw["official_name"],
        "tier": raw["la_type"].map(TIERS),
        "region_code": raw["region_code"],
        "county_code": raw["county_gss_code"],
        "strategic_authority_code": raw["combined_authority_gss_code"],
        "start_date": raw["start_date"],
        "end_date": raw["end_date"],
        "current": raw["current"].str.lower().eq("true"),
        "replaced_by": raw["replaced_by_gss"],
        "ecode": raw["mhclg_ecode"],
    })
    # A strategic authority is not its own parent; London boroughs sit under the GLA.
    places.loc[places["tier"].isin(["combined_authority", "greater_london_authority"]),
               "strategic_authority_code"] = None

    # Former codes (code changes without a change of area, e.g. Gateshead E08000020 -> E08000037).
    former = raw.dropna(subset=["former_gss_codes"])
    rows = []
    for _, row in former.iterrows():
        for old in str(row["former_gss_codes"]).split(";"):
            rows.append({**places.loc[places["code"] == row["gss_code"]].iloc[0].to_dict(),
                         "code": old.strip(), "current": False, "replaced_by": row["gss_code"],
                         "end_date": None, "ecode": None})
    places = pd.concat([places, pd.DataFrame(rows)], ignore_index=True)

    places = _amend(places)
    places, authorities, members = strategic_authorities.apply(places)

    # Regions and England.
    regions = raw.dropna(subset=["region_code"]).drop_duplicates("region_code")
    places = pd.concat([places, pd.DataFrame({
        "code": regions["region_code"], "name": regions["region_name"],
        "official_name": regions["region_name"], "tier": "region", "current": True,
    }), pd.DataFrame([{"code": ENGLAND, "name": "England", "official_name": "England",
                       "tier": "england", "current": True}])], ignore_index=True)
    places = places.reindex(columns=PLACE_COLUMNS)
    places["current"] = places["current"].astype(bool)
    require_unique(places, ["code"], path)
    return Parsed(tables={"places": places, "strategic_authorities": authorities,
                          "strategic_authority_members": members})


def _amend(places: pd.DataFrame) -> pd.DataFrame:
    text = resources.files("devolution.sources").joinpath("register_amendments.yaml").read_text()
    amendments = yaml.safe_load(text)
    rows = []
    for a in amendments.get("add", []):
        # ``like``: a successor with the same parents as the place it replaces.
        base = places.loc[places["code"] == a["like"]].iloc[0].to_dict() if "like" in a else {}
        rows.append({**base, "code": a["code"], "name": a["name"], "official_name": a["official_name"],
                     "tier": a["tier"], "start_date": str(a["start_date"]) if a.get("start_date") else None, "end_date": None,
                     "current": True, "replaced_by": None, "ecode": base.get("ecode"),
                     "region_code": a.get("region_code", base.get("region_code"))})
    added = pd.DataFrame(rows)
    places = pd.concat([places, added], ignore_index=True)
    for change in amendments.get("end", []):
        at = places["code"] == change["code"]
        places.loc[at, ["end_date", "replaced_by", "current"]] = [
            str(change["end_date"]), change["replaced_by"], False]
    for change in amendments.get("start", []):
        places.loc[places["code"] == change["code"], "start_date"] = str(change["start_date"])
    for change in amendments.get("rename", []):
        at = places["code"] == change["code"]
        places.loc[at, "name"] = change["name"]
    for authority, members in amendments.get("members", {}).items():
        places.loc[places["code"].isin(members), "strategic_authority_code"] = authority
    return places


def parse_regions(files: dict[str, Path], context: Context) -> Parsed:
    """The ONS LAD (Dec 2024) to region lookup, checked against the register."""
    from devolution.sources.base import keep_places

    path = files[REGIONS_FILE]
    frame = read_lookup(path, ["ltla24_code", "ltla24_name", "region24_code", "region24_name"])
    frame, _ = keep_places(frame, "ltla24_code", path, context)
    require_unique(frame, ["ltla24_code"], path)
    return Parsed(tables={"lookup_lad_region": frame.rename(columns={
        "ltla24_code": "code", "ltla24_name": "name",
        "region24_code": "region_code", "region24_name": "region_name"})})


PUBLICATIONS = (
    Publication(
        id="la_register",
        title="Local authorities in England (register), with ONS GSS codes and MHCLG E-codes",
        publisher="GOV.UK registers / ONS / MHCLG (compiled)",
        url="https://www.registers.service.gov.uk/registers/local-authority-eng",
        licence=OGL,
        files=(FILE,),
        parse=parse,
    ),
    Publication(
        id="ons_lad_region_2024",
        title="Local Authority District to Region (December 2024) Lookup in EN",
        publisher="Office for National Statistics",
        url="https://geoportal.statistics.gov.uk/datasets/ons::local-authority-district-to-region-december-2024-lookup-in-en/about",
        licence=OGL,
        files=(REGIONS_FILE,),
        parse=parse_regions,
        # The portal's CSV export (official LAD24CD, LAD24NM, RGN24CD, RGN24NM, ObjectId layout,
        # read by ``official_layouts.read_lookup``), saved under our file name.
        downloads=(Download(REGIONS_URL, REGIONS_FILE),),
    ),
)
