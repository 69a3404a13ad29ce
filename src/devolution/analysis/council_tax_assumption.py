"""How far the Core Spending Power council tax assumption differed from what councils set.

CSP assumes each council raises its Band D by the most allowed without a referendum. Here, for each
council and year, the assumption is rebuilt from published figures (last year's Band D excluding
parish precepts, raised by the year's referendum limits, times this year's actual tax base, so the
difference isolates the Band D choice from tax base forecasting) and compared with the council tax
requirement excluding parish precepts that the council actually set.

Known simplifications, said where they matter: the 6% three-year cap on the adult social care
precept (2017-18 to 2019-20) and the carry-forward of unused 2021-22 precept into 2022-23 are not
modelled (the yearly limit is used); bespoke limits for named councils and alternative notional
amounts after reorganisations are not modelled (a council with no Band D for the previous year
is left out). Years whose limits were not verified for a class of council are left out of it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from devolution.errors import ParameterError
from devolution.parameters import ParameterTree, default
from devolution.rules.spending_power import assumed_council_tax, assumption_gap

#: Classes of council (the ``la_class`` of the council tax statistics) the principles cover here.
ASC_CLASSES = ("SC", "UA", "MD", "ILB", "OLB")
DISTRICT_CLASSES = ("SD",)
CLASS_NAMES = {"SC": "shire county", "UA": "unitary", "MD": "metropolitan district",
               "ILB": "inner London borough", "OLB": "outer London borough", "SD": "shire district"}

CORE = "council_tax.referendum.core_limit"
ASC = "council_tax.referendum.asc_limit"
CASH = "council_tax.referendum.shire_district_cash_limit"

LEVELS_COLUMNS = {"ons_code": "code", "la_class": "la_class", "band_d_excl_parish": "band_d",
                  "taxbase_for_ct_setting": "tax_base", "ctr_excl_parish": "council_tax_requirement"}


def read_levels(path: Path) -> pd.DataFrame:
    """The councils' rows of the council tax levels file: code, year, la_class, Band D, tax base, CTR."""
    raw = pd.read_csv(path, dtype={"ons_code": str, "la_class": str})
    raw = raw[raw["la_class"].isin(ASC_CLASSES + DISTRICT_CLASSES) & raw["ons_code"].notna()]
    frame = raw.rename(columns=LEVELS_COLUMNS)[list(LEVELS_COLUMNS.values())].copy()
    # Counties are precepting authorities: their Band D is published as band_d_incl_parish only.
    frame["band_d"] = frame["band_d"].fillna(raw["band_d_incl_parish"])
    frame["council_tax_requirement"] = frame["council_tax_requirement"].fillna(raw["ctr_incl_parish"])
    frame["year"] = raw["year"].str[:4].astype(int).to_numpy()
    return frame.reset_index(drop=True)


def _limits(tree: ParameterTree, year: int) -> tuple[float | None, float | None, float | None]:
    """Core, ASC and district cash limits for a year (None where not in force or not verified)."""
    out = []
    for path in (CORE, ASC, CASH):
        try:
            out.append(tree.value(path, year))
        except ParameterError:
            out.append(None)
    return out[0], out[1], out[2]


def assumption_by_council(levels: pd.DataFrame, tree: ParameterTree | None = None) -> pd.DataFrame:
    """One row per council and year with the assumed and actual council tax and the gap."""
    tree = tree or default()
    previous = levels[["code", "year", "band_d"]].assign(year=levels["year"] + 1)
    frame = levels.merge(previous.rename(columns={"band_d": "previous_band_d"}), on=["code", "year"], how="inner")
    # A council new that year shows a Band D of 0 (or none) for the year before: left out.
    frame = frame[(frame["previous_band_d"] > 0) & (frame["tax_base"] > 0) & frame["council_tax_requirement"].notna()]
    parts = []
    for year, rows in frame.groupby("year", sort=True):
        core, asc, cash = _limits(tree, int(year))
        if core is None:
            continue
        is_asc = rows["la_class"].isin(ASC_CLASSES).to_numpy()
        is_district = rows["la_class"].isin(DISTRICT_CLASSES).to_numpy()
        covered = (is_asc & (asc is not None)) | (is_district & (cash is not None))
        rows = rows[covered]
        is_asc, is_district = is_asc[covered], is_district[covered]
        asc_limit = np.where(is_asc, asc or 0.0, 0.0)
        cash_limit = np.where(is_district, cash if cash is not None else np.nan, np.nan)
        assumed = assumed_council_tax(rows["previous_band_d"].to_numpy(), rows["tax_base"].to_numpy(),
                                      core, asc_limit, cash_limit)
        gap, share = assumption_gap(assumed, rows["council_tax_requirement"].to_numpy())
        parts.append(rows.assign(assumed=assumed, actual=rows["council_tax_requirement"].to_numpy(),
                                 gap=gap, gap_share=share))
    columns = ["code", "year", "la_class", "previous_band_d", "band_d", "tax_base", "assumed", "actual",
               "gap", "gap_share"]
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def assumption_report(levels: pd.DataFrame, tree: ParameterTree | None = None) -> pd.DataFrame:
    """By year and class of council: councils, assumed and actual council tax (£), the gap (£ and
    share of the assumption) and how many councils set less than the assumption."""
    by_council = assumption_by_council(levels, tree)
    grouped = by_council.groupby(["year", "la_class"], sort=True)
    report = grouped.agg(councils=("code", "size"), assumed=("assumed", "sum"), actual=("actual", "sum"),
                         below_assumption=("gap", lambda g: int((g < -0.5).sum()))).reset_index()
    report["gap"] = report["actual"] - report["assumed"]
    report["gap_share"] = report["gap"] / report["assumed"]
    report["class"] = report["la_class"].map(CLASS_NAMES)
    return report[["year", "la_class", "class", "councils", "assumed", "actual", "gap", "gap_share",
                   "below_assumption"]]
