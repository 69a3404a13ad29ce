"""ONS lookups and code-change lists: which council sits in which, and which code became which."""

from __future__ import annotations

from pathlib import Path

from devolution.sources.base import OGL, Context, Parsed, Publication, keep_places, require_unique, years
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import read_lookup

CA_FILE = "ons_lookup_lad23_combined_authority_dec2023.csv"
UTLA_FILE = "ons_lookup_ltla23_utla23_apr2023.csv"
CHANGES_FILE = "la_code_changes_2018_2023.csv"
HISTORY_FILE = "ons_lad_code_history_2016_2024.csv"
SUCCESSOR_FILE = "la_successor_crosswalk_2013_2023.csv"


def parse_ca(files: dict[str, Path], context: Context) -> Parsed:
    path = files[CA_FILE]
    frame = read_lookup(path, ["ltla23_code", "ltla23_name", "cauth23_code", "cauth23_name"])
    frame, _ = keep_places(frame, "ltla23_code", path, context)
    keep_places(frame, "cauth23_code", path, context)
    require_unique(frame, ["ltla23_code"], path)
    return Parsed(tables={"lookup_lad_combined_authority": frame.rename(columns={
        "ltla23_code": "code", "ltla23_name": "name",
        "cauth23_code": "combined_authority_code", "cauth23_name": "combined_authority_name"})})


def parse_utla(files: dict[str, Path], context: Context) -> Parsed:
    path = files[UTLA_FILE]
    frame = read_lookup(path, ["ltla23_code", "ltla23_name", "utla23_code", "utla23_name"])
    frame, skipped = keep_places(frame, "ltla23_code", path, context, other_nations=True)  # Welsh rows set aside
    keep_places(frame, "utla23_code", path, context, other_nations=True)
    require_unique(frame, ["ltla23_code"], path)
    return Parsed(skipped=skipped, tables={"lookup_ltla_utla": frame.rename(columns={
        "ltla23_code": "code", "ltla23_name": "name", "utla23_code": "upper_tier_code",
        "utla23_name": "upper_tier_name"})})


def parse_changes(files: dict[str, Path], context: Context) -> Parsed:
    path = files[CHANGES_FILE]
    frame = read_csv(path, ["old_gss_code", "old_name", "new_gss_code", "new_name", "change_type",
                            "effective_year"])
    english = frame["old_gss_code"].str.startswith("E") & frame["new_gss_code"].str.startswith("E")
    frame = frame[english]
    keep_places(frame, "old_gss_code", path, context, other_nations=True)
    keep_places(frame, "new_gss_code", path, context, other_nations=True)
    frame = frame.assign(effective_year=years(frame, "effective_year", path, within=context.years))
    return Parsed(skipped=int((~english).sum()), tables={"code_changes": frame})


def parse_history(files: dict[str, Path], context: Context) -> Parsed:
    path = files[HISTORY_FILE]
    columns = [f"ltla{y}_{k}" for y in range(16, 25) for k in ("code", "name")]
    frame = read_csv(path, columns)
    for y in range(16, 25):
        keep_places(frame, f"ltla{y}_code", path, context, other_nations=True)
    return Parsed(tables={"lad_code_history": frame})


def parse_successors(files: dict[str, Path], context: Context) -> Parsed:
    path = files[SUCCESSOR_FILE]
    frame = read_csv(path, ["origin_ons_code", "origin_ecode", "origin_authority", "origin_class",
                            "year", "ons_code", "ecode", "authority", "la_class", "status_2023"])
    frame = frame.assign(year=years(frame, "year", path, within=context.years))
    return Parsed(tables={"successors": frame})


def _ons(id_: str, title: str, url: str, file: str, parse) -> Publication:
    return Publication(id=id_, title=title, publisher="Office for National Statistics", url=url,
                       licence=OGL, files=(file,), parse=parse)


PUBLICATIONS = (
    _ons("ons_lad_combined_authority_2023",
         "Local Authority District to Combined Authority (December 2023) Lookup in EN",
         "https://geoportal.statistics.gov.uk/datasets/ons::local-authority-district-to-combined-authority-december-2023-lookup-in-en/about",
         CA_FILE, parse_ca),
    _ons("ons_ltla_utla_2023",
         "Lower Tier Local Authority to Upper Tier Local Authority (April 2023) Lookup in England and Wales",
         "https://geoportal.statistics.gov.uk/datasets/ons::lower-tier-local-authority-to-upper-tier-local-authority-april-2023-lookup-in-ew/about",
         UTLA_FILE, parse_utla),
    _ons("ons_code_changes_2018_2023", "Code changes to local authority districts 2018-2023 (Code History Database)",
         "https://geoportal.statistics.gov.uk/search?q=code%20history%20database", CHANGES_FILE, parse_changes),
    _ons("ons_lad_code_history_2016_2024", "Local authority district codes 2016 to 2024 (LAD to LAD lookups)",
         "https://geoportal.statistics.gov.uk/datasets/5676b8d2432a4beeae61195abb778274/about",
         HISTORY_FILE, parse_history),
    Publication(
        id="la_successor_crosswalk",
        title="Successor authorities 2013-2023 for every English authority (compiled from ONS GSS codes and MHCLG E-codes)",
        publisher="Compiled (not an official release)",
        url="https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing",
        licence=OGL, files=(SUCCESSOR_FILE,), parse=parse_successors, years=(2013, 2023)),
)
