"""Revenue outturn: councils' net current expenditure by service, and financing lines.

MHCLG "Local authority revenue expenditure and financing: individual local authority data,
outturn" (RS returns 2010-11 to 2017-18, RSX from 2022-23). The files are in £ thousand; the store
holds pounds. Financing lines are income and recorded as negative numbers, as in the returns.

The 2015-16 and 2016-17 RS years come in their own files (the key lines in the same layout as the
main key lines file, and the full RS with one ``l<line>_<title>`` column per line); with them the
RS series runs unbroken from 2010-11 to 2017-18. Each year is on the bodies of that year.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devolution.errors import DataError
from devolution.sources.base import (NET_MONEY, OGL, Download, apply_corrections, check_numbers, Context,
                                     Measure, Parsed, Publication, keep_places, numbers, refuse_first,
                                     require_unique, years)
from devolution.sources.text import read_csv, refuse_unknown_columns
from devolution.sources.official_layouts import RSX_WORKBOOK, read_rsx_workbook, tidy_and_official
from devolution.years import year_label

KEY_LINES_FILE = "revenue_outturn_key_lines_2010_11_to_2024_25.csv"
KEY_LINES_2015_FILE = "revenue_outturn_key_lines_2015_16_and_2016_17.csv"
RS_FILE = "revenue_outturn_RS_summary_2010_11_to_2014_15_and_2017_18.csv"
RS_2015_FILE = "revenue_outturn_RS_2015_16_and_2016_17.csv"
RS_2015_DICTIONARY_FILE = "revenue_outturn_RS_2015_16_and_2016_17_column_dictionary.csv"
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
    """Both key lines files (2010-11 to 2024-25, and 2015-16 and 2016-17), one table: a year in
    both, or any other repeated key, is refused."""
    parts, skipped = [], 0
    for name in (KEY_LINES_FILE, KEY_LINES_2015_FILE):
        if name not in files:
            continue
        path = files[name]
        frame = read_csv(path, ["year", "ecode", "ons_code", "authority", "la_class", "variable",
                                "value_gbp_thousands"], unread=["source_column", "source_file"])
        frame = apply_corrections(frame, path)
        frame, aside = keep_places(frame, "ons_code", path, context)
        refuse_first(~frame["variable"].isin(SERVICES.keys() | FINANCING.keys()), frame, path, "variable",
                     lambda at: f"unknown variable {frame['variable'].iloc[at]!r} (expected one of "
                                f"{', '.join([*SERVICES, *FINANCING])})")
        frame["year"] = years(frame, "year", path, within=context.years)
        frame["value"] = numbers(frame, "value_gbp_thousands", path, kind=NET_MONEY, scale=THOUSAND)
        require_unique(frame, ["ons_code", "year", "variable"], path)
        parts.append(frame.assign(file=name))
        skipped += aside
    frame = pd.concat(parts)
    repeated = frame.duplicated(["ons_code", "year", "variable"], keep="first").to_numpy()
    if repeated.any():
        at = frame[repeated].iloc[0]
        raise DataError(f"{at['ons_code']} {year_label(int(at['year']))} {at['variable']} is also in "
                        f"{KEY_LINES_FILE}: each body, year and line may appear in one file only",
                        file=at["file"], column="year")
    observations = pd.DataFrame({
        "code": frame["ons_code"].to_numpy(), "year": frame["year"].to_numpy(),
        "measure": frame["variable"].map(measure_name).to_numpy(), "value": frame["value"].to_numpy(),
    })
    return Parsed(observations=observations[observations["value"].notna()].reset_index(drop=True),
                  skipped=skipped)


#: RS lines held as measures of their own (the lines the key lines files do not carry, which the
#: derived measures need), each with the column(s) it is printed under in each layout: the
#: 2010-11 to 2014-15 workbooks (first sheet, titles without line numbers), 2017-18 (titles with
#: ``[line nnn]``) and the 2015-16 / 2016-17 file (``l<line>_...``). Signs as published.
RS_LINES = {
    "rs_area_based_grant": ("Area Based Grant (income, negative; 2010-11 only, then rolled into formula grant)",
                            ["Net current expenditure: Area Based Grant (ABG)"]),
    "rs_local_services_support_grant": (
        "Local Services Support Grant, line 803 (income, negative; 2011-12 on)",
        ["Net current expenditure: Local Services Support Grant (LSSG)",
         "Revenue Expenditure Financing: Local Services Support Grant (LSSG) [line 803]",
         "l803_local_services_support_grant_lssg"]),
    "rs_council_tax_benefit": (
        "Council tax benefit paid to the Collection Fund (expenditure; 2010-11 to 2012-13, replaced by "
        "council tax support in 2013-14)",
        ["Net current expenditure: Local tax collection: Council tax benefit paid to the Collection Fund"]),
    "rs_specific_grants_inside_aef": (
        "Specific and special grants inside AEF, line 804 (income, negative; all of them in one line, "
        "Dedicated Schools Grant and public health grant included)",
        ["Net current expenditure: Specific and special revenue grants inside AEF",
         "Revenue Expenditure Financing: Specific and special grants inside AEF [SG line 699 as income] [line 804]",
         "l804_specific_and_special_grants_inside_aef_sg_line_699_as_income"]),
    "rs_specific_grants_outside_aef": (
        "Specific and special grants outside AEF, line 791 (income, negative; all of them in one line, "
        "housing benefit subsidy included)",
        ["Net current expenditure: Specific and special revenue grants outside AEF",
         "Non-current Expenditure and Receipts: Specific and special grants outside AEF [SG line 799 as income] [line 791]",
         "l791_specific_and_special_grants_outside_aef_sg_line_799_as"]),
    "rs_police_grant": ("Police grant, line 856 (income, negative)",
                        ["Net current expenditure: Police grant", "Revenue Expenditure Financing: Police grant [line 856]",
                         "l856_police_grant"]),
    "rs_housing_benefit_rent_allowances": (
        "Housing benefits: rent allowances, mandatory payments, line 711 (expenditure)",
        ["Net current expenditure: Housing benefits: rent allowances - mandatory payments",
         "Housing Benefits: Housing benefits: rent allowances - mandatory payments [line 711]",
         "l711_housing_benefits_rent_allowances_mandatory_payments"]),
    "rs_housing_benefit_non_hra_rebates": (
        "Housing benefits: non-HRA rent rebates, mandatory payments, line 712 (expenditure)",
        ["Net current expenditure: Housing benefits: non-HRA rent rebates - mandatory payments",
         "Housing Benefits: Housing benefits: non-HRA rent rebates - mandatory payments [line 712]",
         "l712_housing_benefits_non_hra_rent_rebates_mandatory_payments"]),
    "rs_housing_benefit_hra_rebates": (
        "Housing benefits: rent rebates to HRA tenants, mandatory payments, line 713 (expenditure)",
        ["Net current expenditure: Housing benefits: rent rebates to HRA tenants - mandatory payments",
         "Housing Benefits: Housing benefits: rent rebates to HRA tenants - mandatory payments [line 713]",
         "l713_housing_benefits_rent_rebates_to_hra_tenants_mandatory"]),
}
RS_IDS = ["year", "ecode", "ons_code", "authority", "la_class"]


def parse_rs(files: dict[str, Path], context: Context) -> Parsed:
    """The full RS returns: each file kept whole as a wide table (one column per line) for later
    analysis, and the lines of ``RS_LINES`` as measures, from every RS year held."""
    tables, parts, skipped = {}, [], 0
    for name, table in ((RS_FILE, "revenue_outturn_rs"), (RS_2015_FILE, "revenue_outturn_rs_2015_16_2016_17")):
        if name not in files:
            continue
        path = files[name]
        frame = read_csv(path, RS_IDS if name == RS_FILE else ["financial_year", "ecode", "gss_code", "authority",
                                                                 "la_class", "l851_revenue_support_grant"],
                         unread=None)  # kept whole
        frame = apply_corrections(frame, path).rename(columns={"financial_year": "year", "gss_code": "ons_code"})
        frame["year"] = years(frame, "year", path, within=context.years)
        check_numbers(frame, frame.columns.drop(["year", "ecode", "ons_code", "authority", "la_class"]), path,
                      kind=NET_MONEY, scale=THOUSAND)  # checked; the table is kept as published
        tables[table] = frame
        kept, aside = keep_places(frame, "ons_code", path, context)
        require_unique(kept, ["ons_code", "year"], path)
        skipped += aside
        for measure, (_, columns) in RS_LINES.items():
            for column in (c for c in columns if c in kept.columns):
                values = numbers(kept, column, path, kind=NET_MONEY, scale=THOUSAND)
                parts.append(pd.DataFrame({"code": kept["ons_code"].to_numpy(), "year": kept["year"].to_numpy(),
                                           "measure": measure, "value": values.to_numpy()}))
    if RS_2015_DICTIONARY_FILE in files:
        tables["revenue_outturn_rs_2015_16_2016_17_lines"] = read_csv(
            files[RS_2015_DICTIONARY_FILE], ["column", "rs_line", "section", "published_description"],
            unread=["financial_years_present"])
    observations = pd.concat(parts, ignore_index=True)
    observations = observations[observations["value"].notna()].reset_index(drop=True)
    twice = observations.duplicated(["code", "year", "measure"])
    if twice.any():  # two layouts' columns both filled for one body and year
        at = observations[twice].iloc[0]
        raise DataError(f"{at['measure']} for {at['code']} in {year_label(int(at['year']))} is in two columns "
                        f"of the RS files (expected one of {', '.join(RS_LINES[at['measure']][1])})",
                        file=RS_FILE, column=RS_LINES[at["measure"]][1][0])
    return Parsed(observations=observations, tables=tables, skipped=skipped)


def parse_rsx(files: dict[str, Path], context: Context) -> Parsed:
    """RSX service expenditure 2022-23 onward, long: one row per body, year and RSX line (£).
    MHCLG's RSX workbook, when present, is read in its own layout for the year it holds."""
    ids = ["year", "ecode", "ons_code", "authority", "la_class"]
    parts = []
    for path, frame in tidy_and_official(files, RSX_FILE, ids, RSX_WORKBOOK, read_rsx_workbook, unread=None):
        frame = apply_corrections(frame, path)
        frame["year"] = years(frame, "year", path, within=context.years)
        lines = [c for c in frame.columns if c.startswith("RSX-")]
        refuse_unknown_columns(frame, ids, ["Certification", *lines], path)  # one column per RSX line, and a note
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
        publisher=PUBLISHER, url=URL, licence=OGL, files=(KEY_LINES_FILE, KEY_LINES_2015_FILE),
        optional_files=(KEY_LINES_2015_FILE,), parse=parse_key_lines, years=(2010, 2024),
        measures=tuple(Measure(measure_name(v), "GBP", f"Net current expenditure: {t}") for v, t in SERVICES.items())
        + tuple(Measure(measure_name(v), "GBP", t) for v, t in FINANCING.items()),
    ),
    Publication(
        id="mhclg_revenue_outturn_rs",
        title="Revenue Outturn Summary (RS) data by LA, 2010-11 to 2017-18",
        publisher=PUBLISHER, url=URL, licence=OGL, files=(RS_FILE, RS_2015_FILE, RS_2015_DICTIONARY_FILE),
        optional_files=(RS_2015_FILE, RS_2015_DICTIONARY_FILE), parse=parse_rs, years=(2010, 2017),
        measures=tuple(Measure(m, "GBP", t) for m, (t, _) in RS_LINES.items()),
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
        parse=parse_rsx, years=(2022, 2024),
    ),
)
