"""ONS mid-year population estimates (totals and age bands) and DfE's children 0-17 series.

Population years are mid-years (30 June): mid-2023 is held as year 2023, the financial year
2023-24 it falls in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devolution.errors import DataError
from devolution.sources.base import (COUNT, OGL, Context, Download, Measure, Parsed, Publication,
                                     keep_places, melt, require_unique, years)
from devolution.sources.text import read_csv
from devolution.sources.official_layouts import MYE_WORKBOOK, read_mye_workbook

MYE_FILE = "population_mye_2011_2023_lad_county_region.csv"
AGE_FILE = "population_mye_age_bands_2022_2023.csv"
AGE_2015_FILE = "population_mye_age_bands_2015_2021.csv"
CHILDREN_FILE = "population_children_0_17_2012_2024_dfe.csv"

AGE_BANDS = {
    "age_0_17": "population_0_17",
    "age_18_64": "population_18_64",
    "age_65_plus": "population_65_plus",
    "age_85_plus": "population_85_plus",
    "age_0_15": "population_0_15",
    "age_16_64": "population_16_64",
}


#: England's GSS code: the whole every other place of a population file is part of.
ENGLAND = "E92000001"


def parse_mye(files: dict[str, Path], context: Context) -> Parsed:
    if MYE_WORKBOOK in files:  # the official ONS workbook, when present, is read in its own layout
        path = files[MYE_WORKBOOK]
        frame = read_mye_workbook(path)
    else:
        path = files[MYE_FILE]
        frame = read_csv(path, ["gss_code", "name", "geography", "year", "population"])
    frame, skipped = keep_places(frame, "gss_code", path, context, other_nations=True)
    frame["year"] = years(frame, "year", path, within=context.years)
    require_unique(frame, ["gss_code", "year"], path)
    observations = melt(frame, "gss_code", "year", {"population": ("population", 1.0)}, path, kind=COUNT)
    refuse_parts_above_england(observations, path)
    return Parsed(observations=observations, skipped=skipped)


def refuse_parts_above_england(observations: pd.DataFrame, path: Path) -> None:
    """Refuse a place that holds more people than England in the same year and measure (Hartlepool
    typed as 920,880,000 loaded without a word and made the North East's spending £2 a head): no
    part is larger than the whole. A file without England's rows is not checked."""
    england = observations.loc[observations["code"] == ENGLAND, ["year", "measure", "value"]]
    if england.empty:
        return
    joined = observations.merge(england.rename(columns={"value": "england"}), on=["year", "measure"], how="left")
    over = (joined["code"] != ENGLAND) & (joined["value"] > joined["england"])
    if over.any():
        row = joined[over].iloc[0]
        raise DataError(f"{row['code']} has {row['value']:,.0f} people ({row['measure']}) in {int(row['year'])}, more "
                        f"than England's {row['england']:,.0f}: a mistyped figure? ({int(over.sum())} such rows)",
                        file=path.name)


def parse_age_bands(files: dict[str, Path], context: Context) -> Parsed:
    """Age bands mid-2022 and mid-2023, and (when present) mid-2015 to mid-2021. Each year is on the
    local authority geography of its own ONS workbook (a code abolished later is a place of its
    time in the register), and each as first published: not the rebased series of ``population``."""
    parts, skipped = [], 0
    measures = {column: (measure, 1.0) for column, measure in AGE_BANDS.items()}
    for name in (AGE_2015_FILE, AGE_FILE):
        if name not in files:
            continue
        path = files[name]
        frame = read_csv(path, ["gss_code", "year", "all_ages", *AGE_BANDS],
                         unread=["name", "geography", "geography_source", "source_file"])
        frame, aside = keep_places(frame, "gss_code", path, context, other_nations=True)
        frame["year"] = years(frame, "year", path, within=context.years)
        require_unique(frame, ["gss_code", "year"], path)
        parts.append(melt(frame, "gss_code", "year", measures, path, kind=COUNT))
        refuse_parts_above_england(parts[-1], path)
        skipped += aside
    observations = pd.concat(parts, ignore_index=True)
    twice = observations.duplicated(["code", "year", "measure"])
    if twice.any():
        at = observations[twice].iloc[0]
        raise DataError(f"{at['code']} mid-{at['year']} is in both age band files: each year may come from one",
                        file=AGE_2015_FILE, column="year")
    return Parsed(observations=observations, skipped=skipped)


def parse_children(files: dict[str, Path], context: Context) -> Parsed:
    """DfE's children 0-17 denominators. Reporting year Y (to 31 March Y) uses mid-(Y-1) estimates,
    so it is held as year Y-1."""
    path = files[CHILDREN_FILE]
    frame = read_csv(path, ["time_period", "geographic_level", "country_code", "region_code",
                            "new_la_code", "population_estimate"],
                     unread=["time_identifier", "country_name", "region_name", "old_la_code", "la_name", "age_group"])
    frame["code"] = (frame["new_la_code"].fillna(frame["region_code"]).fillna(frame["country_code"])
                     .where(frame["geographic_level"] != "National", frame["country_code"]))
    frame, skipped = keep_places(frame, "code", path, context)
    frame["year"] = years(frame, "time_period", path, offset=-1, within=context.years)
    require_unique(frame, ["code", "year"], path, shown={"code": "new_la_code"})
    return Parsed(observations=melt(frame, "code", "year",
                                    {"population_estimate": ("children_0_17_dfe", 1.0)}, path, kind=COUNT),
                  skipped=skipped)


MYE_URL = ("https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/"
           "populationestimates/datasets/populationestimatesforukenglandandwalesscotlandandnorthernireland")
#: The workbook itself ("Estimates of the population for England and Wales", mid-2023, 2023 local
#: authority boundaries edition), tables MYE1-MYE6.
MYE_WORKBOOK_URL = ("https://www.ons.gov.uk/file?uri=/peoplepopulationandcommunity/populationandmigration/"
                    "populationestimates/datasets/estimatesofthepopulationforenglandandwales/"
                    "mid20232023localauthorityboundarieseditionofthisdataset/mye23tablesew.xlsx")

PUBLICATIONS = (
    Publication(
        id="ons_mye_population",
        title="Mid-year population estimates, England and Wales, mid-2011 to mid-2023 (MYE4, 2023 geography)",
        publisher="Office for National Statistics", url=MYE_URL, licence=OGL,
        files=(MYE_FILE, MYE_WORKBOOK), optional_files=(MYE_WORKBOOK,),
        alternatives=((MYE_FILE, MYE_WORKBOOK),),
        parse=parse_mye, years=(2011, 2023),
        downloads=(Download(MYE_WORKBOOK_URL, MYE_WORKBOOK),),
        measures=(Measure("population", "persons", "Usual residents at 30 June (ONS mid-year estimate)"),),
    ),
    Publication(
        id="ons_mye_age_bands",
        title="Mid-year population estimates by single year of age (MYE2), mid-2015 to mid-2023, in bands",
        publisher="Office for National Statistics", url=MYE_URL, licence=OGL, files=(AGE_FILE, AGE_2015_FILE),
        optional_files=(AGE_2015_FILE,), parse=parse_age_bands, years=(2015, 2023),
        measures=tuple(Measure(m, "persons", f"Residents aged {c[4:].replace('_plus', '+').replace('_', '-')} "
                                             f"(ONS mid-year estimate as first published each year, on that "
                                             f"year's boundaries; not rebased)")
                       for c, m in AGE_BANDS.items()),
    ),
    Publication(
        id="dfe_children_population",
        title="Children aged 0 to 17: population estimates used in children's social care statistics",
        publisher="Department for Education",
        url="https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
        licence=OGL, files=(CHILDREN_FILE,), parse=parse_children,
        years=(2011, 2023),  # time_period 2012 to 2024, each read as the year before (see parse_children)
        measures=(Measure("children_0_17_dfe", "persons", "Children aged 0-17 (ONS estimate as used by DfE)"),),
    ),
)


