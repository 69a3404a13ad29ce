"""The central lines of a place budget: HM Treasury's Country and Regional Analysis (CRA),
identifiable spending of central government and public corporations in England by region (local
government rows left out: councils are counted from outturn), shared out to a place by a driver per
sub-function (``catalogue.yaml``)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from devolution.places.crosswalk import LaterBoundaries
from devolution.powers.catalogue import assign_powers, drivers


CRA_REGION = {"east": "east of england"}


def _region_name(cra_region: pd.Series) -> pd.Series:
    name = cra_region.str.replace("ENGLAND_", "", regex=False).str.lower()
    return name.replace(CRA_REGION)


def central_by_region(cra: pd.DataFrame, year: int) -> pd.DataFrame:
    """HM Treasury CRA identifiable spending of central government and public corporations in
    England in ``year`` (latest vintage), summed by region, department, sub-function, the power it
    funds and the driver that shares it out: what every place's budget of that year starts from."""
    rows = cra[(cra["year"] == year) & cra["identifiable"] & (cra["sector"] != "LG")
               & ~cra["department"].str.startswith("Local Government") & (cra["country"] == "ENGLAND")]
    rows = rows[rows["vintage"] == rows["vintage"].max()].copy()
    rows["region_name"] = _region_name(rows["region"])
    rows["power"] = assign_powers(rows)
    rows["driver"] = _driver_for(rows["hmt_subfunction"])
    # The database spells a label in two cases in one year ("10. SOCIAL PROTECTION" beside
    # "10. Social protection" in 2011-12): one label each, its most common spelling.
    for column in ("hmt_function", "hmt_subfunction"):
        folded = rows[column].str.lower()
        spelling = rows.groupby(folded)[column].agg(lambda names: names.mode().iloc[0])
        rows[column] = folded.map(spelling)
    return rows.groupby(["region_name", "department", "hmt_function", "hmt_subfunction", "power", "driver"],
                        dropna=False, as_index=False)["value"].sum()


def central_lines(central: pd.DataFrame, areas: pd.DataFrame, driver_values: pd.DataFrame,
                  region_names: dict[str, str], later: LaterBoundaries, whole_regions: bool = False) -> pd.DataFrame:
    """The place's share of its region(s)' identifiable central lines (:func:`central_by_region`),
    each line shared out by its driver.

    ``driver_values``: long code, measure, value (one year per measure, the nearest held).
    """
    shares = _shares(areas, driver_values, region_names, later, whole_regions)
    rows = central.merge(shares, on=["region_name", "driver"], how="inner")
    fallback = rows["share"].isna()
    if fallback.any():  # a driver not held for every area: fall back to population, and say so
        pop = shares[shares["driver"] == "population"][["region_name", "share"]].rename(columns={"share": "pop"})
        rows = rows.merge(pop, on="region_name", how="left")
        rows.loc[fallback, "driver"] = rows.loc[fallback, "driver"] + " (not held; population used)"
        rows["share"] = rows["share"].fillna(rows["pop"])
    return pd.DataFrame({
        "source": "central", "body": rows["department"].to_numpy(), "line": rows["hmt_subfunction"].to_numpy(),
        "function": rows["hmt_function"].to_numpy(), "power": rows["power"].to_numpy(),
        "decided_by": "central", "pot": "ring_fenced", "driver": rows["driver"].to_numpy(),
        "share": rows["share"].to_numpy(), "value": (rows["value"] * rows["share"]).to_numpy()})


def _driver_for(subfunction: pd.Series) -> pd.Series:
    out = pd.Series(np.full(len(subfunction), None, dtype=object), index=subfunction.index)
    for rule in reversed(drivers()):  # first rule wins: apply in reverse so earlier ones overwrite
        hit = subfunction.fillna("").str.contains(rule["subfunction"], flags=re.IGNORECASE, regex=True)
        out[hit] = rule["measure"]
    return out


def _shares(areas: pd.DataFrame, driver_values: pd.DataFrame, region_names: dict[str, str],
            later: LaterBoundaries, whole_regions: bool = False) -> pd.DataFrame:
    """Per region and driver: the place's areas' share of the region (read through ``later``
    boundaries where a driver is held only there; NaN if it cannot be; 1 when the place is whole regions)."""
    rows = []
    for region_code, group in areas.groupby("region_code"):
        for measure in {r["measure"] for r in drivers()}:
            if whole_regions:
                rows.append({"region_name": region_names[region_code].lower(), "driver": measure, "share": 1.0})
                continue
            values = driver_values[driver_values["measure"] == measure].set_index("code")["value"]
            region_value = values.get(region_code, np.nan)
            share = later.total(values, group["code"]) / region_value
            rows.append({"region_name": region_names[region_code].lower(), "driver": measure, "share": share})
    return pd.DataFrame(rows)
