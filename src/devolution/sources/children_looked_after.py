"""Children looked after in England (DfE): numbers and rates per 10,000 children, by authority.

Reporting year Y runs to 31 March Y, so it is held as financial year Y-1 (2025 -> 2024-25).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from devolution.sources.base import (COUNT, OGL, RATE_PER_10K, Context, Measure, Parsed, Publication,
                                     keep_places, numbers, refuse_first, require_unique, years)
from devolution.sources.text import read_csv

FILE = "children_looked_after_number_rate_per_10k_la.csv"

POPULATION_TYPES = {
    "Children looked after on 31 March each year": "cla_31_march",
    "Children starting to be looked after each year": "cla_starting",
    "Children ceasing to be looked after each year": "cla_ceasing",
}


def parse(files: dict[str, Path], context: Context) -> Parsed:
    path = files[FILE]
    frame = read_csv(path, ["time_period", "geographic_level", "country_code", "region_code",
                            "new_la_code", "population_type", "children_count", "rate_per_10000"],
                     unread=["time_identifier", "country_name", "region_name", "old_la_code", "la_name",
                             "population_estimate"])
    refuse_first(~frame["population_type"].isin(POPULATION_TYPES), frame, path, "population_type",
                 lambda at: f"unknown population_type {frame['population_type'].iloc[at]!r} "
                            f"(expected one of {', '.join(POPULATION_TYPES)})")
    frame["code"] = (frame["new_la_code"].fillna(frame["region_code"]).fillna(frame["country_code"])
                     .where(frame["geographic_level"] != "National", frame["country_code"]))
    frame, skipped = keep_places(frame, "code", path, context)
    frame["year"] = years(frame, "time_period", path, offset=-1, within=context.years)
    require_unique(frame, ["code", "year", "population_type"], path, shown={"code": "new_la_code"})
    measure = frame["population_type"].map(POPULATION_TYPES)
    parts = [
        pd.DataFrame({"code": frame["code"], "year": frame["year"], "measure": measure,
                      "value": numbers(frame, "children_count", path, kind=COUNT)}),
        pd.DataFrame({"code": frame["code"], "year": frame["year"], "measure": measure + "_rate_per_10k",
                      "value": numbers(frame, "rate_per_10000", path, kind=RATE_PER_10K)}),
    ]
    observations = pd.concat(parts, ignore_index=True).dropna(subset=["value"]).reset_index(drop=True)
    return Parsed(observations=observations, skipped=skipped)


PUBLICATIONS = (
    Publication(
        id="dfe_children_looked_after",
        title="Children looked after in England including adoptions, reporting year 2025",
        publisher="Department for Education",
        url="https://explore-education-statistics.service.gov.uk/find-statistics/children-looked-after-in-england-including-adoptions",
        licence=OGL, files=(FILE,), parse=parse,
        years=(2020, 2024),  # reporting years to 31 March 2021 to 2025, each held as the year it began
        measures=tuple(Measure(m, "children", f"{t} (count)") for t, m in POPULATION_TYPES.items())
        + tuple(Measure(f"{m}_rate_per_10k", "per_10k_children", f"{t} per 10,000 children")
                for t, m in POPULATION_TYPES.items()),
    ),
)
