"""The register of English local authorities, regions and England: the places everything is keyed on.

The register file is a compilation of the GOV.UK local-authority register with ONS GSS codes and
MHCLG E-codes (snapshot July 2025). Councils' regions are ONS's (the LAD-to-region lookup: a
district's or unitary's own, a county's that of its districts, a former council's that of its
successors), not the compilation's. Amendments for later changes and the councils' dates, each with
its official instrument, are in ``register_amendments.yaml``.

Dates follow one convention (``places.register.in_force``): ``start_date`` is a council's first
day, ``end_date`` its last (the day before its successor's vesting day). The compilation mixes
"last day" and "vesting day of the successor" for end dates; they are brought to the last day here.
The strategic authorities (establishing instruments, dates, members over time) are in
``strategic_authorities.yaml`` (``sources/strategic_authorities.py``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pandas as pd
import yaml

from devolution.errors import DataError
from devolution.sources.base import (GSS_CODE, OGL, apply_corrections, Context, Download, Parsed,
                                     Publication, refuse_first, require_unique)
from devolution.sources.text import read_csv
from devolution.sources import strategic_authorities
from devolution.sources.official_layouts import read_lookup

FILE = "la_register_england.csv"
REGIONS_FILE = "ons_lookup_lad24_region_dec2024.csv"
REGIONS_PAGE = ("https://geoportal.statistics.gov.uk/datasets/ons::local-authority-district-to-region-december-2024-"
                "lookup-in-en/about")
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
                 "strategic_authority_code", "start_date", "end_date", "current", "replaced_by", "ecode",
                 "status", "other_names"]
#: Council tiers: their regions come from ONS, their dates from ``register_amendments.yaml``.
COUNCIL_TIERS = ("county", *LOWER_TIERS)

COLUMNS = ["gss_code", "name", "official_name", "la_type", "region_code", "region_name",
           "county_gss_code", "combined_authority_gss_code", "start_date", "end_date", "current",
           "replaced_by_gss", "former_gss_codes", "mhclg_ecode"]
#: The register's other columns: labels and codes the places table derives from the ones above.
UNREAD = ["la_type_name", "gss_prefix", "county_name", "combined_authority_name", "registry_code"]


def parse(files: dict[str, Path], context: Context) -> Parsed:
    """Build the ``places`` table: councils, strategic authorities, former codes, regions, England."""
    path = files[FILE]
    raw = apply_corrections(read_csv(path, COLUMNS, unread=UNREAD), path)
    ons_regions = _ons_regions(files[REGIONS_FILE])
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
    places["status"] = places["current"].map({True: "current", False: "abolished"})
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
                         "end_date": None, "ecode": None, "status": "former_code"})
    places = pd.concat([places, pd.DataFrame(rows)], ignore_index=True)

    places = _amend(places, path)
    places = _last_days(places, path)
    places = _with_ons_regions(places, ons_regions, path)
    places, authorities, members = strategic_authorities.apply(places)

    # Regions and England.
    regions = raw.dropna(subset=["region_code"]).drop_duplicates("region_code")
    places = pd.concat([places, pd.DataFrame({
        "code": regions["region_code"], "name": regions["region_name"],
        "official_name": regions["region_name"], "tier": "region", "current": True, "status": "current",
    }), pd.DataFrame([{"code": ENGLAND, "name": "England", "official_name": "England",
                       "tier": "england", "current": True, "status": "current"}])], ignore_index=True)
    places = places.reindex(columns=PLACE_COLUMNS)
    places["current"] = places["current"].astype(bool)
    require_unique(places, ["code"], path)
    return Parsed(tables={"places": places, "strategic_authorities": authorities,
                          "strategic_authority_members": members})


def _amend(places: pd.DataFrame, path: Path) -> pd.DataFrame:
    text = resources.files("devolution.sources").joinpath("register_amendments.yaml").read_text()
    amendments = yaml.safe_load(text)
    _require_named(places, amendments, path)
    rows = []
    for a in amendments.get("add", []):
        # ``like``: a successor with the same parents as the place it replaces.
        base = places.loc[places["code"] == a["like"]].iloc[0].to_dict() if "like" in a else {}
        rows.append({**base, "code": a["code"], "name": a["name"], "official_name": a["official_name"],
                     "tier": a["tier"], "start_date": str(a["start_date"]) if a.get("start_date") else None, "end_date": None,
                     "current": True, "replaced_by": None, "ecode": base.get("ecode"), "status": "current",
                     "region_code": a.get("region_code", base.get("region_code"))})
    added = pd.DataFrame(rows)
    places = pd.concat([places, added], ignore_index=True)
    for change in amendments.get("recode", []):
        places = _recode(places, change, path)
    places = _council_start_dates(places, amendments)
    for change in amendments.get("end", []):
        at = places["code"] == change["code"]
        places.loc[at, ["end_date", "replaced_by", "current", "status"]] = [
            str(change["end_date"]), change["replaced_by"], False, "abolished"]
    for change in amendments.get("start", []):
        places.loc[places["code"] == change["code"], "start_date"] = str(change["start_date"])
    for change in amendments.get("rename", []):
        at = places["code"] == change["code"]
        places.loc[at, "name"] = change["name"]
    for code, names in (amendments.get("other_names") or {}).items():
        places.loc[places["code"] == code, "other_names"] = "; ".join(names)
    for code, ecode in (amendments.get("ecodes") or {}).get("codes", {}).items():
        places.loc[places["code"] == code, "ecode"] = ecode
    for authority, members in amendments.get("members", {}).items():
        places.loc[places["code"].isin(members), "strategic_authority_code"] = authority
    return places


def _named(amendments: dict) -> dict[str, str]:
    """Every code an amendment acts on that must already be in the compiled register, with the
    section naming it (codes that ``add`` makes are not among them)."""
    named: dict[str, str] = {}
    for section in ("recode", "end", "start", "rename"):
        named.update({str(change["code"]): section for change in amendments.get(section) or []})
    named.update({str(a["like"]): "add (like)" for a in amendments.get("add") or [] if "like" in a})
    for group in amendments.get("council_start_dates") or []:
        named.update({str(code): "council_start_dates" for code in group.get("codes", [])})
    for section in ("no_start_date", "other_names"):
        named.update({str(code): section for code in amendments.get(section) or {}})
    named.update({str(code): "ecodes" for code in ((amendments.get("ecodes") or {}).get("codes") or {})})
    for members in (amendments.get("members") or {}).values():
        named.update({str(code): "members" for code in members})
    return named


def _require_named(places: pd.DataFrame, amendments: dict, path: Path) -> None:
    """Refuse a compiled register that lacks a council the amendments act on: the fault is in the
    register file (cut off, or rows lost), so the error names that file, not the amendments."""
    named = _named(amendments)
    added = {str(a["code"]) for a in amendments.get("add") or []}
    missing = sorted(set(named) - set(places["code"]) - added)
    if missing:
        shown = ", ".join(f"{code} ({named[code]})" for code in missing[:5])
        raise DataError(f"{len(missing)} council(s) that register_amendments.yaml amends are not in the file: "
                        f"{shown}{'…' if len(missing) > 5 else ''}; the file looks cut off or damaged (expected "
                        f"every English council of the compilation, abolished ones included)", file=path.name)


def _council_start_dates(places: pd.DataFrame, amendments: dict) -> pd.DataFrame:
    """Every council's first day from ``council_start_dates`` (the compilation's are replaced):
    groups by tier first, then groups of codes for councils made later; ``no_start_date`` names
    the councils older than any statute, which keep none."""
    councils = places["tier"].isin(COUNCIL_TIERS)
    places.loc[councils, "start_date"] = None
    groups = amendments.get("council_start_dates", [])
    for group in sorted(groups, key=lambda g: "codes" in g):  # tiers first, then named councils
        codes = group.get("codes", [])  # each one in the register (``_require_named``)
        at = places["code"].isin(codes) if codes else councils & places["tier"].isin(group["tiers"])
        places.loc[at, "start_date"] = str(group["start_date"])
    keep_none = places["code"].isin(list(amendments.get("no_start_date", {})))
    places.loc[keep_none, "start_date"] = None
    return places


def _recode(places: pd.DataFrame, change: dict, path: Path) -> pd.DataFrame:
    """A council that goes on under a new GSS code (a small boundary change): its row takes the new
    code, and the old code stays as a former code (never in force) whose last day is the day
    before the change. Its series are carried onto the new code when loaded (``store``)."""
    old, new = change["code"], change["new_code"]
    at = places.index[places["code"] == old]
    if len(at) != 1 or (places["code"] == new).any():
        raise DataError(f"{new} is already in the file, so the recode {old} -> {new} of register_amendments.yaml "
                        f"cannot be made: expected the compilation of July 2025, where {old} still holds the area",
                        file=path.name)
    former = places.loc[at[0]].to_dict()
    last_day = (pd.Timestamp(change["date"]) - pd.Timedelta(days=1)).date().isoformat()
    places.loc[at, "code"] = new
    former.update(current=False, status="former_code", replaced_by=new, end_date=last_day, ecode=None)
    for column in ("county_code", "strategic_authority_code"):
        places.loc[places[column] == old, column] = new
    return pd.concat([places, pd.DataFrame([former])], ignore_index=True)


def _last_days(places: pd.DataFrame, path: Path) -> pd.DataFrame:
    """End dates as the last day a council existed. An end date on its successor's first day (the
    compilation's other convention) is moved back a day; any other disagreement is refused."""
    start = pd.to_datetime(places.set_index("code")["start_date"], errors="coerce")
    end = pd.to_datetime(places["end_date"], errors="coerce")
    first = places["replaced_by"].fillna("").str.split(";").str[0].str.strip()
    successor_start = first.map(start)
    abolished = places["status"].eq("abolished") & end.notna() & successor_start.notna()
    on_vesting_day = abolished & (end == successor_start)
    places.loc[on_vesting_day, "end_date"] = (end[on_vesting_day] - pd.Timedelta(days=1)).dt.strftime("%Y-%m-%d")
    wrong = abolished & ~on_vesting_day & (end != successor_start - pd.Timedelta(days=1))
    refuse_first(wrong, places, path, "end_date", lambda at: (
        f"{places['name'].iloc[at]} ({places['code'].iloc[at]}) ends on {places['end_date'].iloc[at]}, but its "
        f"successor {first.iloc[at]} begins on {successor_start.iloc[at]:%Y-%m-%d} (expected the day before)"))
    return places


def _ons_regions(path: Path) -> dict[str, str]:
    """ONS's region of each local authority district (LAD24CD -> RGN24CD)."""
    frame = read_lookup(path, ["ltla24_code", "ltla24_name", "region24_code", "region24_name"])
    require_unique(frame, ["ltla24_code"], path)
    return dict(zip(frame["ltla24_code"], frame["region24_code"]))


def _with_ons_regions(places: pd.DataFrame, ons: dict[str, str], path: Path) -> pd.DataFrame:
    """Every council's region from ONS: a district's or unitary's own (or its former code's); a
    county's that of its districts; a former council's that of its successors. A council ONS puts
    in no region, or a county whose districts lie in several, is refused."""
    councils = places["tier"].isin(COUNCIL_TIERS)
    region = places["code"].map(ons)
    former_of = places[places["status"].eq("former_code")].drop_duplicates("replaced_by").set_index("replaced_by")["code"]
    region = region.fillna(places["code"].map(former_of).map(ons))
    for _ in range(3):  # successors (chains of up to three: Taunton Deane -> Somerset West and Taunton -> Somerset)
        first = places["replaced_by"].fillna("").str.split(";").str[0].str.strip()
        region = region.fillna(first.map(dict(zip(places["code"], region))))
    districts = pd.DataFrame({"county": places["county_code"], "region": region})[places["tier"].ne("county")]
    by_county = districts.dropna().groupby("county")["region"].agg(lambda r: ";".join(sorted(set(r))))
    is_county = places["tier"].eq("county")
    region = region.where(~is_county, places["code"].map(by_county))
    refuse_first(councils & (region.isna() | region.fillna("").str.contains(";")), places, path, "region_code",
                 lambda at: f"{places['name'].iloc[at]} ({places['code'].iloc[at]}): no single ONS region "
                            f"(got {region.iloc[at]!r}) from {REGIONS_FILE}")
    places.loc[councils, "region_code"] = region[councils]
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
        # ONS's LAD-to-region lookup gives the councils their regions.
        files=(FILE, REGIONS_FILE),
        file_urls=((REGIONS_FILE, REGIONS_PAGE),),
        parse=parse,
    ),
    Publication(
        id="ons_lad_region_2024",
        title="Local Authority District to Region (December 2024) Lookup in EN",
        publisher="Office for National Statistics",
        url=REGIONS_PAGE,
        licence=OGL,
        files=(REGIONS_FILE,),
        parse=parse_regions,
        # The portal's CSV export (official LAD24CD, LAD24NM, RGN24CD, RGN24NM, ObjectId layout,
        # read by ``official_layouts.read_lookup``), saved under our file name.
        downloads=(Download(REGIONS_URL, REGIONS_FILE),),
    ),
)
