"""HM Treasury Country and Regional Analysis (CRA): public spending by region and function.

The database files as published: wide, years as columns, £ thousand, outturn. Held long
(one row per segment, region and year) in pounds, in the table ``cra``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devolution.sources.base import NET_MONEY, OGL, Context, Parsed, Publication, numbers
from devolution.sources.text import read_csv, refuse_unknown_columns
from devolution.years import parse_year

FILE_2014 = "hmt_country_regional_analysis_2014_database.csv"
FILE_2018 = "hmt_country_regional_analysis_2018_database.csv"
THOUSAND = 1e3

#: Each vintage's column names -> ours.
COLUMNS = {
    FILE_2014: {"Department": "department", "CRA Segment Description": "segment",
                "COFOG Level 0": "function", "HMT Function": "hmt_function", "COFOG Level 1": "subfunction",
                "HMT Subfunction": "hmt_subfunction", "ID/non-ID": "identifiable", "CAP or CUR": "capital_current",
                "CG, LG or PC": "sector", "NUTS Region": "region", "Country": "country"},
    FILE_2018: {"Department Name": "department", "CRA Segment Name": "segment",
                "COFOG Level 0": "function", "HMT Function": "hmt_function", "COFOG Level 1": "subfunction",
                "HMT Subfunction": "hmt_subfunction", "ID/non-ID": "identifiable", "CAP or CUR": "capital_current",
                "CG, LG, PC, BOE": "sector", "NUTS Region": "region", "Country": "country"},
}
#: Each vintage's other columns, besides one per financial year (``2013-14``): codes and labels not read.
UNREAD = {
    FILE_2014: ["CRA Segment"],
    FILE_2018: ["Organisation Name", "CRA Segment Code", "Allocated by HMT or DEPT"],
}


def _is_year(column: str) -> bool:
    return column[:4].isdigit() and "-" in column


def _parse_one(path: Path, vintage: int) -> pd.DataFrame:
    names = COLUMNS[path.name]
    frame = read_csv(path, names, unread=None)
    year_columns = [c for c in frame.columns if _is_year(c)]
    refuse_unknown_columns(frame, list(names), UNREAD[path.name] + year_columns, path)
    frame = frame.rename(columns=names)
    long = frame.melt(id_vars=list(names.values()), value_vars=year_columns, var_name="year_label",
                      value_name="raw", ignore_index=False)
    long["value"] = numbers(long, "raw", path, kind=NET_MONEY, scale=THOUSAND, columns=long["year_label"])
    long["year"] = long["year_label"].map(parse_year).astype("int64")
    long["vintage"] = vintage
    long["identifiable"] = long["identifiable"].eq("ID")
    return long.drop(columns=["raw", "year_label"]).dropna(subset=["value"]).reset_index(drop=True)


def parse(files: dict[str, Path], context: Context) -> Parsed:
    parts = [_parse_one(files[f], v) for f, v in ((FILE_2014, 2014), (FILE_2018, 2018)) if f in files]
    return Parsed(tables={"cra": pd.concat(parts, ignore_index=True)})


PUBLICATIONS = (
    Publication(
        id="hmt_country_regional_analysis",
        title="Country and regional analysis: 2014 and 2018 (CRA databases)",
        publisher="HM Treasury",
        url="https://www.gov.uk/government/statistics/country-and-regional-analysis-2018",
        licence=OGL, files=(FILE_2018, FILE_2014), optional_files=(FILE_2014,), parse=parse,
        file_urls=((FILE_2014, "https://www.gov.uk/government/statistics/country-and-regional-analysis-2014"),),
    ),
)
