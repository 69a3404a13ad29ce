"""Real terms: cash pounds of one financial year restated in the prices of another.

The deflator is HM Treasury's financial-year GDP deflator at market prices (parameter
``economy.gdp_deflators``, see its YAML for the release and what is verified). Real terms in the
prices of year B: ``cash x index(B) / index(year)``. A year must have its own index value: a
deflator is never carried forward from an earlier year (that would silently mean zero inflation).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from devolution import parameters
from devolution.errors import ParameterError
from devolution.years import parse_year, year_label

DEFLATOR = "economy.gdp_deflators"


def deflator_index(year: int | str, tree: parameters.ParameterTree | None = None) -> float:
    """The GDP deflator index of one financial year; an error if that year has no checked value."""
    tree = tree or parameters.default()
    parameter = tree.parameter(DEFLATOR)
    start = parse_year(year)
    if start in parameter.unverified or start not in parameter.values or parameter.values[start] is None:
        held = ", ".join(year_label(y) for y in sorted(parameter.values)) or "none"
        why = "listed as unverified" if start in parameter.unverified else "not in the series"
        raise ParameterError(
            f"{DEFLATOR}: no GDP deflator for {year_label(start)} ({why}; years held: {held}). "
            f"Use cash prices, or give the HM Treasury series with --deflators FILE")
    return float(parameter.values[start])


def price_factors(years, base: int | str, tree: parameters.ParameterTree | None = None) -> np.ndarray:
    """``index(base) / index(year)`` for each year: multiply cash by it to get ``base`` prices."""
    base_index = deflator_index(base, tree)
    return np.array([base_index / deflator_index(int(y), tree) for y in years], dtype=float)


def to_prices(cash: np.ndarray, years: np.ndarray, base: int | str | None,
              tree: parameters.ParameterTree | None = None) -> np.ndarray:
    """Cash amounts (one per element, with its financial year) in ``base`` prices; cash if None."""
    cash = np.asarray(cash, dtype=float)
    if base is None:
        return cash
    years = np.asarray(years)
    unique = np.unique(years)
    factors = dict(zip(unique.tolist(), price_factors(unique, base, tree)))
    return cash * np.vectorize(factors.__getitem__, otypes=[float])(years)


def price_label(base: int | str | None) -> str:
    """``"£, 2024-25 prices"`` or ``"£, cash"``: the unit line of every money figure."""
    return "£, cash (nominal)" if base is None else f"£, {year_label(parse_year(base))} prices (GDP deflator)"


def with_deflators(path: Path | str) -> parameters.ParameterTree:
    """The package's parameters with ``economy.gdp_deflators`` read from a user's YAML file.

    The file has the same form as ``parameters/economy/gdp_deflators.yaml`` (description, unit,
    values by financial year, references); it is checked the same way.
    """
    path = Path(path)
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ParameterError(f"{path}: cannot read deflators ({exc})") from None
    parameter = parameters._parameter(DEFLATOR, spec, path.name)  # the loader's own checks
    tree = parameters.ParameterTree(dict(parameters.default().parameters))
    tree.parameters[DEFLATOR] = parameter
    return tree
