"""A property-level council tax run: rules per dwelling, summed to billing authorities.

The run reads top to bottom: parameters for the year (with the reform's overrides), bands after
any new top bands, then one fused kernel pass giving each authority's dwellings, Band D
equivalents before and after exemptions and the single person discount, and the tax charged at
the authority's Band D. Comparing a reform with the baseline shows how each place's tax base and
yield move, and the Band D that would raise the baseline yield under the reform.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.errors import DataError
from devolution.microsim import kernels
from devolution.microsim.reforms import Reform, band_ratios, rebanded, single_person_discount

ENGINES = ("numba", "numpy")
BAND_D_MEASURE = "band_d_area_total"


def band_d_for(store, codes, year: int) -> np.ndarray:
    """Average Band D for each billing authority's area (store measure ``band_d_area_total``)."""
    frame = store.observations(BAND_D_MEASURE, [year]).set_index("code")["value"]
    values = frame.reindex(list(codes)).to_numpy(dtype=np.float64)
    missing = [c for c, v in zip(codes, values) if np.isnan(v)]
    if missing:
        raise DataError(f"no {BAND_D_MEASURE} for {len(missing)} billing authorities in {year}, e.g. {missing[0]}")
    return values


def council_tax_sums(stock, band_d: np.ndarray, year: int, reform: Reform = Reform(), tree=None,
                     engine: str = "numba") -> np.ndarray:
    """Per-authority sums (authorities x 5, columns ``kernels.SUMS``) under a reform."""
    if engine not in ENGINES:
        raise DataError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    parameters = reform.tree(tree)
    ratios = band_ratios(parameters, year, reform.new_bands)
    discount = single_person_discount(parameters, year)
    band = rebanded(stock, reform)
    if len(band) and int(band.max()) >= len(ratios):
        raise DataError(f"a dwelling is in band {int(band.max())} but only {len(ratios)} band ratios are given")
    kernel = kernels.council_tax_sums if engine == "numba" else kernels.council_tax_sums_numpy
    return kernel(stock.offsets, band, stock.single_person, stock.exempt, ratios,
                  np.ascontiguousarray(band_d, dtype=np.float64), discount)


def council_tax_charges(stock, band_d: np.ndarray, year: int, reform: Reform = Reform(), tree=None,
                        engine: str = "numba") -> np.ndarray:
    """The charge on every dwelling (pounds a year) under a reform: who pays, for distributions."""
    if engine not in ENGINES:
        raise DataError(f"unknown engine {engine!r} (expected one of {', '.join(ENGINES)})")
    parameters = reform.tree(tree)
    kernel = kernels.council_tax_charges if engine == "numba" else kernels.council_tax_charges_numpy
    return kernel(stock.offsets, rebanded(stock, reform), stock.single_person, stock.exempt,
                  band_ratios(parameters, year, reform.new_bands), np.ascontiguousarray(band_d, dtype=np.float64),
                  single_person_discount(parameters, year))


def council_tax_by_authority(stock, band_d: np.ndarray, year: int, reform: Reform = Reform(), tree=None,
                             engine: str = "numba") -> pd.DataFrame:
    """One row per billing authority: dwellings, Band D equivalents and the tax charged."""
    sums = council_tax_sums(stock, band_d, year, reform, tree, engine)
    frame = pd.DataFrame(sums, columns=list(kernels.SUMS))
    frame.insert(0, "code", list(stock.codes))
    frame["band_d"] = band_d
    return frame


def compare(stock, band_d: np.ndarray, year: int, reform: Reform, tree=None, engine: str = "numba") -> pd.DataFrame:
    """Baseline and reform by authority: chargeable Band D equivalents, yield at today's Band D,
    the change, and the Band D that would raise the baseline yield under the reform."""
    return comparison_from_sums(council_tax_by_authority(stock, band_d, year, Reform(), tree, engine),
                                council_tax_by_authority(stock, band_d, year, reform, tree, engine))


def comparison_from_sums(base: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    """The comparison of two :func:`council_tax_by_authority` results for the same authorities."""
    if list(base["code"]) != list(new["code"]):
        raise DataError("baseline and reform results cover different authorities")
    frame = pd.DataFrame({
        "code": base["code"].to_numpy(),
        "dwellings": base["dwellings"].to_numpy(),
        "tax_base_baseline": base["chargeable_band_d_equivalents"].to_numpy(),
        "tax_base_reform": new["chargeable_band_d_equivalents"].to_numpy(),
        "yield_baseline": base["charge"].to_numpy(),
        "yield_reform": new["charge"].to_numpy(),
    })
    frame["yield_change"] = frame["yield_reform"] - frame["yield_baseline"]
    reform_base = frame["tax_base_reform"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["band_d_same_yield"] = np.where(reform_base > 0, frame["yield_baseline"].to_numpy() / reform_base, np.nan)
    frame["band_d"] = base["band_d"].to_numpy()
    return frame


def with_names_and_england(frame: pd.DataFrame, places: pd.DataFrame,
                           everyone: pd.DataFrame | None = None) -> pd.DataFrame:
    """The comparison with each authority's name (after its code) and a last row for England over
    ``everyone`` (default: the rows given; pass the whole comparison when showing its top rows):
    dwellings, tax bases and yields summed, its Band D figures the totals' ratios (yield over tax
    base, the way England's average Band D is the total requirement over the total tax base)."""
    names = places.set_index("code")["name"]
    out = frame.copy()
    out.insert(1, "name", out["code"].map(names).fillna(out["code"]))
    sums = (frame if everyone is None else everyone)[["dwellings", "tax_base_baseline", "tax_base_reform", "yield_baseline", "yield_reform",
                "yield_change"]].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        england = {"code": "E92000001", "name": "England", **sums.to_dict(),
                   "band_d_same_yield": sums["yield_baseline"] / sums["tax_base_reform"],
                   "band_d": sums["yield_baseline"] / sums["tax_base_baseline"]}
    return pd.concat([out, pd.DataFrame([england])], ignore_index=True)[list(out.columns)].astype({"dwellings": "int64"})


def rateable_value_by_authority(stock, engine: str = "numba") -> pd.DataFrame:
    """Hereditaments and total rateable value by authority and sector (wide, one row each)."""
    kernel = kernels.rateable_value_sums if engine == "numba" else kernels.rateable_value_sums_numpy
    sums = kernel(stock.offsets, stock.rateable_value, stock.sector.astype(np.int64), len(stock.sectors))
    frame = pd.DataFrame({"code": list(stock.codes), "hereditaments": sums[:, :, 0].sum(axis=1),
                          "rateable_value": sums[:, :, 1].sum(axis=1)})
    for k, name in enumerate(stock.sectors):
        frame[f"rateable_value_{name}"] = sums[:, k, 1]
    return frame
