"""Base-year inputs of a projection, read from the store onto one ordering of councils.

Councils: county, district, unitary, metropolitan, London borough and City of London councils in
force in the boundary year (2023-24; no boundary changed in April 2024). Combined authorities and
the GLA are not projected (their spending is largely passed through or precept-funded).

- Spending: net current expenditure by service from Revenue Outturn in the base year (latest:
  2024-25). A council that did not report is left out and listed with the reason.
- Council tax: requirement (excluding parish precepts; counties have none) and tax base of the
  latest year held (2023-24); Band D = requirement / tax base (rules.council_tax.band_d).
- Population: ONS mid-year estimates; official subnational projections are not in the data, so
  each place continues its own compound growth mid-2018 to mid-2023 (on 2023 boundaries). Age
  bands (65+, 85+, 0-17) start from their mid-2023 shares, and each share keeps changing as its
  region's did from mid-2022 to mid-2023 (the only years the data has by age; regions, not places,
  so one year's noise in a small district does not drive a decade). Mid-year ``y`` is used for
  financial year ``y``.
- Children looked after: DfE count at 31 March of the latest year (upper-tier councils).
- Retained business rates: each council's "retained income from the rate retention scheme"
  (Revenue Outturn RS line 870) in the latest year with financing lines (2017-18; the RSX returns
  of 2022-23 on have service lines only), moved onto 2023 boundaries and uprated to the base year
  by the small business multiplier, as baseline funding levels are (SI 2013/737 reg 5 and Sch 2).
  A council with no return that year counts 0 (listed in ``no_retained_rates``).
- The register and ONS population are kept for devolution by default (which places a level allows
  which powers, ``powers.by_default``), worked out once per year asked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from devolution.errors import ScenarioError
from devolution.places.crosswalk import DRIVERS, crosswalk, to_boundaries
from devolution.places.register import in_force, strategic_authority_of
from devolution.places.tiers import COUNCIL_TIERS, TIER_LABELS
from devolution.rules.council_tax import band_d
from devolution.years import year_label

BOUNDARY_YEAR = 2023
POPULATION_TREND = (2018, 2023)
AGE_TREND = (2022, 2023)
AGE_BANDS = ("65_plus", "85_plus", "0_17")
#: Councils with adult social care functions, which may levy the ASC precept.
ASC_TIERS = ("county", "unitary", "metropolitan_district", "london_borough", "city_of_london")
SERVICES = {"adult_social_care": "nce_adult_social_care", "children": "nce_childrens_social_care"}
TOTAL = "nce_total_service_expenditure"
RETAINED = "ro_retained_business_rates_income"
UPRATING = "business_rates.multipliers.small_business"


@dataclass
class Inputs:
    """One element per council, in ``codes`` order."""

    base_year: int
    codes: np.ndarray
    places: pd.DataFrame                      # code, name, tier, tier_label, region, county_code
    spending: dict[str, np.ndarray]           # adult_social_care, children, other (base year, £)
    council_tax_year: int
    council_tax: np.ndarray                   # £ in council_tax_year
    tax_base: np.ndarray                      # Band D equivalents
    band_d: np.ndarray
    asc_authority: np.ndarray                 # bool
    shire_district: np.ndarray                # bool
    population_year: int
    population: np.ndarray
    population_growth: np.ndarray             # yearly compound growth, POPULATION_TREND
    age_shares: dict[str, np.ndarray]         # 65_plus, 85_plus, 0_17 (mid-year shares)
    age_share_drift: dict[str, np.ndarray]    # yearly change of each share: the region's, AGE_TREND
    children_looked_after: np.ndarray         # count (NaN for districts)
    retained_rates_year: int = 0
    retained_rates: np.ndarray | None = None  # £ in the base year (see module docstring)
    no_retained_rates: np.ndarray | None = None  # codes with no retained income in retained_rates_year
    strategic_authority: np.ndarray | None = None  # each council's strategic authority code ("" if none)
    register: pd.DataFrame = field(default_factory=pd.DataFrame)
    population_table: pd.DataFrame = field(default_factory=pd.DataFrame)
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    _by_default: dict = field(default_factory=dict, repr=False)

    @property
    def n(self) -> int:
        return len(self.codes)

    def by_default(self, year: int) -> pd.DataFrame:
        """``powers.by_default`` from 1 April of ``year`` (one row per place and power),
        worked out once per year: the readiness assessment is the slow part of a scenario's deals."""
        if year not in self._by_default:
            from devolution.powers.by_default import by_default

            self._by_default[year] = by_default(self.register, self.population_table, year)
        return self._by_default[year]


def outturn_years(store) -> tuple[int, int]:
    """First and latest years of net current expenditure held: the base years a run can start from."""
    row = store.query(f"SELECT min(year) AS a, max(year) AS b FROM observations WHERE measure = '{TOTAL}'")
    return int(row["a"][0]), int(row["b"][0])


def _latest(frame: pd.DataFrame, measure: str, year: int | None = None) -> tuple[pd.Series, int]:
    rows = frame[frame["measure"] == measure]
    year = int(rows["year"].max()) if year is None else year
    return rows[rows["year"] == year].set_index("code")["value"], year


def load_inputs(store, base_year: int) -> Inputs:
    """Read and align everything a projection starts from (see the module docstring)."""
    places = store.places()
    councils = places[in_force(places, BOUNDARY_YEAR) & places["tier"].isin(COUNCIL_TIERS)].copy()
    names = places.set_index("code")["name"]
    councils["region"] = councils["region_code"].map(names)
    councils["tier_label"] = councils["tier"].map(TIER_LABELS)
    measures = [TOTAL, *SERVICES.values()]
    spend = store.observations(measures, years=[base_year])
    if spend.empty:
        first, last = outturn_years(store)
        raise ScenarioError(f"base_year: no outturn for {year_label(base_year)} (held: {year_label(first)} "
                            f"to {year_label(last)})")
    wide = spend.pivot_table(index="code", columns="measure", values="value")
    reported = councils["code"].isin(wide.index[wide[TOTAL].notna()])
    left = councils.loc[~reported, ["code", "name", "tier"]].assign(
        reason=f"no Revenue Outturn return for {year_label(base_year)}")
    councils = councils[reported].reset_index(drop=True)
    codes = councils["code"].to_numpy()
    w = wide.reindex(codes)
    asc = w[SERVICES["adult_social_care"]].fillna(0.0).to_numpy()
    children = w[SERVICES["children"]].fillna(0.0).to_numpy()
    spending = {"adult_social_care": asc, "children": children, "other": w[TOTAL].to_numpy() - asc - children}

    ct = store.observations(["council_tax_requirement_excl_parish", "council_tax_requirement_incl_parish", "tax_base"])
    tax_base, ct_year = _latest(ct, "tax_base")
    if base_year < ct_year:  # council tax is projected forward from the latest year held only
        raise ScenarioError(f"base_year: {year_label(base_year)} is before the latest council tax year held "
                            f"({year_label(ct_year)}), from which council tax is projected: choose a base year "
                            f"from {year_label(ct_year)} (outturn is held to {year_label(outturn_years(store)[1])})")
    excl, _ = _latest(ct, "council_tax_requirement_excl_parish", ct_year)
    incl, _ = _latest(ct, "council_tax_requirement_incl_parish", ct_year)
    requirement = excl.reindex(codes).fillna(incl.reindex(codes)).to_numpy()   # counties: no parishes
    base = tax_base.reindex(codes).to_numpy()

    pop_rows = store.observations(["population", "population_65_plus", "population_85_plus", "population_0_17"])
    pop_year = POPULATION_TREND[1]
    walk = crosswalk(places, BOUNDARY_YEAR, store.observations(list(DRIVERS)))
    total = pop_rows[pop_rows["measure"] == "population"][["code", "year", "value"]]
    total = total[total["year"].isin(POPULATION_TREND) & total["code"].isin(walk["from_code"])]
    moved = to_boundaries(total, walk).pivot(index="code", columns="year", values="value").reindex(codes)
    then, now = moved[POPULATION_TREND[0]].to_numpy(), moved[POPULATION_TREND[1]].to_numpy()
    growth = (now / then) ** (1.0 / (POPULATION_TREND[1] - POPULATION_TREND[0])) - 1.0
    shares = {}
    for band in AGE_BANDS:
        count, _ = _latest(pop_rows, f"population_{band}", pop_year)
        shares[band] = count.reindex(codes).to_numpy() / now
    drift = _age_share_drift(pop_rows, places, councils["region_code"].to_numpy())
    cla, _ = _latest(store.observations("cla_31_march"), "cla_31_march")

    missing = {"council tax": np.isnan(requirement) | np.isnan(base),
               "population": np.isnan(now) | np.isnan(then) | np.isnan(shares["65_plus"])}
    for what, bad in missing.items():
        if bad.any():
            raise ScenarioError(f"no {what} for {', '.join(codes[bad][:5])} on {BOUNDARY_YEAR} boundaries")
    retained, retained_year, none = _retained_rates(store, places, walk, codes, base_year)
    tiers = councils["tier"].to_numpy()
    return Inputs(
        base_year=base_year, codes=codes,
        places=councils[["code", "name", "tier", "tier_label", "region", "county_code"]],
        spending=spending, council_tax_year=ct_year, council_tax=requirement, tax_base=base,
        band_d=band_d(requirement, base), asc_authority=np.isin(tiers, ASC_TIERS),
        shire_district=tiers == "shire_district", population_year=pop_year, population=now,
        population_growth=growth, age_shares=shares, age_share_drift=drift, children_looked_after=cla.reindex(codes).to_numpy(),
        retained_rates_year=retained_year, retained_rates=retained, no_retained_rates=none,
        strategic_authority=strategic_authority_of(places, codes),
        register=places, population_table=pop_rows[pop_rows["measure"] == "population"],
        left_out=left.reset_index(drop=True))


def _age_share_drift(rows: pd.DataFrame, places: pd.DataFrame, regions: np.ndarray) -> dict[str, np.ndarray]:
    """Each council's region's yearly change in the share of each age band, AGE_TREND."""
    region_codes = set(places.loc[places["tier"] == "region", "code"])
    held = rows[rows["code"].isin(region_codes) & rows["year"].isin(AGE_TREND)]
    wide = held.pivot_table(index="code", columns=["measure", "year"], values="value")
    then, now = AGE_TREND
    out = {}
    for band in AGE_BANDS:
        name = f"population_{band}"
        share = {y: wide[(name, y)] / wide[("population", y)] for y in AGE_TREND}
        yearly = (share[now] / share[then]) ** (1.0 / (now - then)) - 1.0
        out[band] = yearly.reindex(regions).to_numpy()
        if np.isnan(out[band]).any():
            raise ScenarioError(f"no {name} for {year_label(then)} and {year_label(now)} in every region")
    return out


def _retained_rates(store, places: pd.DataFrame, walk: pd.DataFrame, codes: np.ndarray,
                    base_year: int) -> tuple[np.ndarray, int, np.ndarray]:
    """Retained business rates income in the base year (£, positive), its source year and the
    councils with none (see the module docstring)."""
    from devolution import parameters

    rows = store.observations(RETAINED)
    year = int(rows["year"].max())
    rows = rows[(rows["year"] == year) & rows["code"].isin(walk["from_code"])][["code", "year", "value"]]
    moved = to_boundaries(rows.assign(value=-rows["value"]), walk).set_index("code")["value"]  # income is negative
    held = moved.reindex(codes)
    uprating = parameters.value(UPRATING, base_year) / parameters.value(UPRATING, year)
    return held.fillna(0.0).to_numpy() * uprating, year, codes[held.isna().to_numpy()]
