"""Revenue outturn: councils' net current expenditure by service, and financing lines.

MHCLG "Local authority revenue expenditure and financing: individual local authority data,
outturn" (RS returns to 2017-18, RSX from 2022-23). The files are in £ thousand; the store holds
pounds. Financing lines are income and recorded as negative numbers, as in the returns.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devolution.sources.base import (NET_MONEY, OGL, Download, apply_corrections, check_numbers, Context, Measure,
                                     Parsed, Publication, keep_places, numbers, read_csv, refuse_first,
                                     require_unique, years)
from devolution.sources.official_layouts import RSX_WORKBOOK, read_rsx_workbook, tidy_and_official

KEY_LINES_FILE = "revenue_outturn_key_lines_2010_11_to_2024_25.csv"
RS_FILE = "revenue_outturn_RS_summary_2010_11_to_2014_15_and_2017_18.csv"
RSX_FILE = "revenue_outturn_RSX_2022_23_to_2024_25.csv"
RSX_DICTIONARY_FILE = "revenue_outturn_RSX_column_dictionary.csv"
THOUSAND = 1e3

SERVICES = {
    "education": "Education services",
    "highways_transport": "Highways and transport services",
    "social_care_total": "Social care (2010-11, before the adult / children split)",
    "childrens_social_care": "Children's social care",
    "adult_social_care": "Adult social care",
    "public_health": "Public health (from 2013-14)",
    "housing_gfra": "Housing services (General Fund Revenue Account only)",
    "cultural": "Cultural and related services",
    "environmental_regulatory": "Environmental and regulatory services",
    "planning_development": "Planning and development services",
    "police": "Police services",
    "fire_rescue": "Fire and rescue services",
    "central_services": "Central services",
    "other_services": "Other services",
    "total_service_expenditure": "Total service expenditure",
}
FINANCING = {
    "net_current_expenditure": "Net current expenditure (all services and other items)",
    "revenue_support_grant": "Revenue Support Grant (income, negative)",
    "redistributed_non_domestic_rates": "Redistributed non-domestic rates (income, negative; to 2012-13)",
    "retained_business_rates_income": "Retained income from the rates retention scheme (income, negative; 2013-14+)",
    "council_tax_requirement": "Council tax requirement",
}


def measure_name(variable: str) -> str:
    """Service lines are net current expenditure: ``education`` -> ``nce_education``."""
    return f"nce_{variable}" if variable in SERVICES else f"ro_{variable}"


def parse_key_lines(files: dict[str, Path], context: Context) -> Parsed:
    path = files[KEY_LINES_FILE]
    frame = read_csv(path, ["year", "ecode", "ons_code", "authority", "la_class", "variable",
                            "value_gbp_thousands"])
    frame = apply_corrections(frame, path)
    frame, skipped = keep_places(frame, "ons_code", path, context)
    refuse_first(~frame["variable"].isin(SERVICES.keys() | FINANCING.keys()), frame, path, "variable",
                 lambda at: f"unknown variable {frame['variable'].iloc[at]!r} (expected one of "
                            f"{', '.join([*SERVICES, *FINANCING])})")
    frame["year"] = years(frame, "year", path)
    frame["value"] = numbers(frame, "value_gbp_thousands", path, kind=NET_MONEY, scale=THOUSAND)
    require_unique(frame, ["ons_code", "year", "variable"], path)
    observations = pd.DataFrame({
        "code": frame["ons_code"].to_numpy(), "year": frame["year"].to_numpy(),
        "measure": frame["variable"].map(measure_name).to_numpy(), "value": frame["value"].to_numpy(),
    })
    return Parsed(observations=observations[observations["value"].notna()].reset_index(drop=True),
                  skipped=skipped)


def parse_rs(files: dict[str, Path], context: Context) -> Parsed:
    """The full RS summary (one column per line): kept whole, as a wide table, for later analysis."""
    path = files[RS_FILE]
    frame = read_csv(path, ["year", "ecode", "ons_code", "authority", "la_class"])
    frame["year"] = years(frame, "year", path)
    check_numbers(frame, frame.columns.drop(["year", "ecode", "ons_code", "authority", "la_class"]), path,
                  kind=NET_MONEY, scale=THOUSAND)  # checked; the table is kept as published
    return Parsed(tables={"revenue_outturn_rs": frame})


def parse_rsx(files: dict[str, Path], context: Context) -> Parsed:
    """RSX service expenditure 2022-23 onward, long: one row per body, year and RSX line (£).
    MHCLG's RSX workbook, when present, is read in its own layout for the year it holds."""
    ids = ["year", "ecode", "ons_code", "authority", "la_class"]
    parts = []
    for path, frame in tidy_and_official(files, RSX_FILE, ids, RSX_WORKBOOK, read_rsx_workbook):
        frame = apply_corrections(frame, path)
        frame["year"] = years(frame, "year", path)
        lines = [c for c in frame.columns if c.startswith("RSX-")]
        long = frame.melt(id_vars=ids, value_vars=lines, var_name="line", value_name="raw", ignore_index=False)
        long["value"] = numbers(long, "raw", path, kind=NET_MONEY, scale=THOUSAND, columns=long["line"])
        parts.append(long.drop(columns="raw"))
    tables = {"revenue_outturn_rsx": pd.concat(parts, ignore_index=True)}
    if RSX_DICTIONARY_FILE in files:
        dictionary = read_csv(files[RSX_DICTIONARY_FILE], ["year", "column", "description"])
        tables["revenue_outturn_rsx_lines"] = dictionary
    return Parsed(tables=tables)


URL = "https://www.gov.uk/government/collections/local-authority-revenue-expenditure-and-financing"
PUBLISHER = "Ministry of Housing, Communities and Local Government"

PUBLICATIONS = (
    Publication(
        id="mhclg_revenue_outturn",
        title="Local authority revenue expenditure and financing: outturn, key lines 2010-11 to 2024-25",
        publisher=PUBLISHER, url=URL, licence=OGL, files=(KEY_LINES_FILE,), parse=parse_key_lines,
        measures=tuple(Measure(measure_name(v), "GBP", f"Net current expenditure: {t}") for v, t in SERVICES.items())
        + tuple(Measure(measure_name(v), "GBP", t) for v, t in FINANCING.items()),
    ),
    Publication(
        id="mhclg_revenue_outturn_rs",
        title="Revenue Outturn Summary (RS) data by LA, 2010-11 to 2014-15 and 2017-18",
        publisher=PUBLISHER, url=URL, licence=OGL, files=(RS_FILE,), parse=parse_rs,
    ),
    Publication(
        id="mhclg_revenue_outturn_rsx",
        title="Revenue Outturn Service Expenditure Summary (RSX) data by LA, 2022-23 to 2024-25",
        publisher=PUBLISHER, url=URL, licence=OGL, files=(RSX_FILE, RSX_DICTIONARY_FILE, RSX_WORKBOOK),
        optional_files=(RSX_DICTIONARY_FILE, RSX_WORKBOOK), alternatives=((RSX_FILE, RSX_WORKBOOK),),
        # The 2024-25 workbook's address on GOV.UK's asset server, as found in public code that
        # downloads it (not opened from here); `devo data pull` names the URL if it fails.
        downloads=(Download("https://assets.publishing.service.gov.uk/media/692ed8baa245b0985f0343e5/"
                            "RSX_LA_Data_2024-25_data_by_LA.ods", RSX_WORKBOOK),),
        parse=parse_rsx,
    ),
)
