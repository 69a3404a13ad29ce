"""Council tax levels set by local authorities (CTR1/CTR2) and the council taxbase (CTB).

MHCLG "Council Tax levels set by local authorities in England", local authority level data
2014-15 to 2023-24, and "Council Taxbase" local authority level data (dwellings by band).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from devolution.errors import DataError
from devolution.sources.base import (BAND_D_EQUIVALENTS, COUNT, MONEY, NUMBER, OGL, PERCENT_OR_SHARE, SHARE,
                                     Context, Measure, Parsed, Publication, keep_places, melt,
                                     numbers, require_unique, years)
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import (CTR_WORKBOOK, TAXBASE_WORKBOOK, read_ctr_workbook,
                                                 read_taxbase_workbook, tidy_and_official)

LEVELS_FILE = "council_tax_band_d_by_authority_2014_15_to_2023_24.csv"
LEVELS_LONG_FILE = "council_tax_requirement_band_d_2014_15_to_2023_24_long.csv"
TAXBASE_FILE = "council_taxbase_dwellings_by_band_2010_2019_2022.csv"
BANDS = "ABCDEFGH"

LEVELS = {
    "band_d_incl_parish": ("band_d_incl_parish", "GBP", "Average Band D council tax incl. parish precepts (and ASC precept from 2016-17)"),
    "band_d_excl_parish": ("band_d_excl_parish", "GBP", "Average Band D council tax excluding parish precepts"),
    "band_d_area_total": ("band_d_area_total", "GBP", "Average Band D for the area incl. county, police, fire, GLA/CA precepts (billing authorities)"),
    "ctr_incl_parish": ("council_tax_requirement_incl_parish", "GBP", "Council tax requirement incl. parish precepts"),
    "ctr_excl_parish": ("council_tax_requirement_excl_parish", "GBP", "Council tax requirement excluding parish precepts"),
    "parish_precepts": ("parish_precepts", "GBP", "Parish precepts"),
    "asc_precept_total": ("adult_social_care_precept", "GBP", "Adult social care precept"),
    "taxbase_after_ctr_scheme": ("tax_base_after_reduction", "band_d_equivalents", "Tax base after the council tax reduction scheme"),
    "taxbase_for_ct_setting": ("tax_base", "band_d_equivalents", "Tax base for council tax setting (Band D equivalents)"),
    "collection_rate": ("collection_rate", "share", "Assumed collection rate (as a fraction)"),
}

#: What each unit of LEVELS may hold (collection rates are checked as published, then as fractions).
KINDS = {"GBP": MONEY, "band_d_equivalents": BAND_D_EQUIVALENTS, "share": SHARE}


def parse_levels(files: dict[str, Path], context: Context) -> Parsed:
    """The tidy levels CSV and/or MHCLG's table 9 workbook (CTR1/CTR2 data by authority), which,
    when present, is read in its own layout for the year it holds."""
    parts, skipped = [], 0
    for path, frame in tidy_and_official(files, LEVELS_FILE, ["year", "section", "ecode", "ons_code",
                                                              "authority", "la_class", *LEVELS],
                                         CTR_WORKBOOK, read_ctr_workbook):
        frame, dropped = keep_places(frame, "ons_code", path, context)
        frame["year"] = years(frame, "year", path, within=context.years)
        require_unique(frame, ["ons_code", "year"], path)
        # Collection rates are published as percent to 2018-19 and as a fraction from 2019-20.
        rate = numbers(frame, "collection_rate", path, kind=PERCENT_OR_SHARE)
        frame["collection_rate"] = np.where(rate > 1.5, rate / 100, rate).astype(str)
        frame.loc[rate.isna(), "collection_rate"] = None
        parts.append(melt(frame, "ons_code", "year", {c: (m, 1.0) for c, (m, _, _) in LEVELS.items()}, path,
                          kind={c: KINDS[unit] for c, (_, unit, _) in LEVELS.items()}))
        skipped += dropped
    if LEVELS_LONG_FILE in files and LEVELS_FILE in files:
        _check_long_agrees(files[LEVELS_LONG_FILE], files[LEVELS_FILE])
    return Parsed(observations=pd.concat(parts, ignore_index=True), skipped=skipped)


def _check_long_agrees(long_path: Path, wide_path: Path) -> None:
    """The long file is the same data as the wide one; refuse the pair if they disagree. Which of
    the two is damaged cannot be told from the pair, so the message gives both cells, each with
    its file, row and column (a "1,234" typed into the wide file reads as 1234, a possible Band D)."""
    long = read_csv(long_path, ["year", "ecode", "section", "variable", "value"],
                    unread=["ons_code", "authority", "la_class"])
    wide = read_csv(wide_path, ["year", "ecode", "section", *LEVELS], unread=None)  # its layout is checked when parsed
    wide_long = wide.assign(wide_row=wide.index + 2).melt(
        id_vars=["year", "ecode", "section", "wide_row"], value_vars=list(LEVELS),
        var_name="variable", value_name="wide")
    keys = ["year", "ecode", "section", "variable"]
    joined = long.assign(long_row=long.index + 2).merge(wide_long, on=keys, how="outer")
    a = numbers(joined, "value", long_path, kind=NUMBER)  # each value is checked in the wide file
    b = numbers(joined, "wide", wide_path, kind=NUMBER)
    # A figure in one file and a blank or no row in the other disagrees too, except a row the wide
    # file lacks whole: the long file also holds Boston's 2018-19 row, which the wide file (and so
    # the store) lacks, a gap `devo data gaps` lists.
    in_wide = joined["wide_row"].notna()
    differs = ((~np.isclose(a, b, rtol=1e-9, atol=1e-6) & a.notna() & b.notna())
               | (in_wide & a.notna() & b.isna()) | (a.isna() & b.notna()))
    if differs.any():
        row = joined.iloc[int(differs.to_numpy().nonzero()[0][0])]

        def says(file: str, line, column: str, value) -> str:
            if pd.isna(line):
                return f"{file} has no row for it"
            return f"{file} row {int(line)} column {column!r} says " + ("nothing (blank)" if pd.isna(value) else str(value))
        raise DataError(
            f"the two files of council tax levels disagree for {row['ecode']} {row['year']} {row['variable']}: "
            f"{says(long_path.name, row['long_row'], 'value', row['value'])}, "
            f"{says(wide_path.name, row['wide_row'], row['variable'], row['wide'])}. "
            f"They hold the same figures, so one of them is damaged: fetch both again",
            file=f"{wide_path.name} and {long_path.name}")


def parse_taxbase(files: dict[str, Path], context: Context) -> Parsed:
    """The tidy dwellings-by-band CSV and/or MHCLG's Council Taxbase workbook (table 1.01), which,
    when present, is read in its own layout for the year it holds."""
    band_columns = [f"dwellings_band_{b}" for b in BANDS]
    measures = {c: (f"dwellings_band_{c[-1].lower()}", 1.0) for c in band_columns}
    measures["dwellings_total"] = ("dwellings_total", 1.0)
    parts, skipped = [], 0
    for path, frame in tidy_and_official(files, TAXBASE_FILE, ["year", "ecode", "ons_code", "authority",
                                                               *band_columns, "dwellings_total"],
                                         TAXBASE_WORKBOOK, read_taxbase_workbook):
        frame, dropped = keep_places(frame, "ons_code", path, context)
        frame["year"] = years(frame, "year", path, within=context.years)
        require_unique(frame, ["ons_code", "year"], path)
        parts.append(melt(frame, "ons_code", "year", measures, path, kind=COUNT))
        skipped += dropped
    return Parsed(observations=pd.concat(parts, ignore_index=True), skipped=skipped)


URL = "https://www.gov.uk/government/collections/council-tax-statistics"
PUBLISHER = "Ministry of Housing, Communities and Local Government"

PUBLICATIONS = (
    Publication(
        id="mhclg_council_tax_levels",
        title="Council Tax levels set by local authorities in England: local authority level data, 2014-15 to 2023-24",
        publisher=PUBLISHER, url=URL, licence=OGL, files=(LEVELS_FILE, LEVELS_LONG_FILE, CTR_WORKBOOK),
        optional_files=(LEVELS_LONG_FILE, CTR_WORKBOOK), alternatives=((LEVELS_FILE, CTR_WORKBOOK),),
        parse=parse_levels, years=(2014, 2023),
        measures=tuple(Measure(m, u, d) for m, u, d in LEVELS.values()),
    ),
    Publication(
        id="mhclg_council_taxbase",
        title="Council Taxbase: local authority level data (dwellings by band), 2010 to 2019 and 2022",
        publisher=PUBLISHER, url="https://www.gov.uk/government/collections/council-taxbase-statistics",
        licence=OGL, files=(TAXBASE_FILE, TAXBASE_WORKBOOK), optional_files=(TAXBASE_WORKBOOK,),
        alternatives=((TAXBASE_FILE, TAXBASE_WORKBOOK),), parse=parse_taxbase, years=(2010, 2022),
        measures=tuple(Measure(f"dwellings_band_{b.lower()}", "dwellings", f"Dwellings on the valuation list in band {b}")
                       for b in BANDS) + (Measure("dwellings_total", "dwellings", "Dwellings on the valuation list"),),
    ),
)
