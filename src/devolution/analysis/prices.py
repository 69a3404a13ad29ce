"""Real terms: cash pounds of one financial year restated in the prices of another.

The deflator is HM Treasury's financial-year GDP deflator at market prices (parameter
``economy.gdp_deflators``: 2010-11 to 2024-25 from the March 2026 release, base 2024-25 = 100; see
its YAML for how the values were checked). Real terms in the prices of year B:
``cash x index(B) / index(year)``, so the release's own base year never matters. A year must have
its own index value: a deflator is never carried forward from an earlier year (that would silently
mean zero inflation). A user's copy of a release (``--deflators FILE``) replaces the whole series.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import yaml

from devolution import parameters
from devolution.errors import ParameterError
from devolution.years import parse_year, year_label, year_spans

DEFLATOR = "economy.gdp_deflators"
#: Where HM Treasury publishes every release of the series (the newest is at the top).
COLLECTION = "https://www.gov.uk/government/collections/gdp-deflators-at-market-prices-and-money-gdp"


def deflator_years(tree: parameters.ParameterTree | None = None) -> list[int]:
    """Financial years with a checked deflator value (the only years ``deflator_index`` gives)."""
    parameter = (tree or parameters.default()).parameter(DEFLATOR)
    return sorted(y for y, v in parameter.values.items() if v is not None and y not in parameter.unverified)


def deflator_index(year: int | str, tree: parameters.ParameterTree | None = None) -> float:
    """The GDP deflator index of one financial year; an error if that year has no checked value."""
    tree = tree or parameters.default()
    parameter = tree.parameter(DEFLATOR)
    start = parse_year(year)
    if start in parameter.unverified or start not in parameter.values or parameter.values[start] is None:
        why = "listed as unverified" if start in parameter.unverified else "not in the series"
        raise ParameterError(
            f"{DEFLATOR}: no GDP deflator for {year_label(start)} ({why}; years held: "
            f"{year_spans(deflator_years(tree))}). Use cash prices "
            f"(leave out --prices), or download HM Treasury's latest \"GDP deflators at market prices, and "
            f"money GDP\" spreadsheet (.xlsx) from {COLLECTION} and pass it with --deflators FILE.xlsx")
    return float(parameter.values[start])


def source_note(tree: parameters.ParameterTree | None = None) -> str:
    """One sentence naming the deflator series a result used and how sure it is (from its YAML or
    the user's release file), for the notes under every real-terms table."""
    parameter = (tree or parameters.default()).parameter(DEFLATOR)
    where = parameter.references[0].title if parameter.references else "HM Treasury"
    caution = (" (transcribed from secondary copies of the release, status unverified: pass the official "
               "file with --deflators to use it directly)" if parameter.status == "unverified" else "")
    return f"Real terms use HM Treasury's GDP deflator: {where}{caution}."


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
    """The package's parameters with ``economy.gdp_deflators`` read from a user's file: either HM
    Treasury's own release (the .xlsx / .ods / .csv attachment of "GDP deflators at market prices,
    and money GDP", read by ``read_hmt_release``) or a YAML file in the form of
    ``parameters/economy/gdp_deflators.yaml``. Both are checked like the package's parameters.
    """
    path = Path(path)
    if path.suffix.lower() in {".xlsx", ".xls", ".ods", ".csv"}:
        spec = read_hmt_release(path)
    else:
        try:
            spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ParameterError(f"{path}: cannot read deflators ({exc})") from None
    parameter = parameters.parameter_from_spec(DEFLATOR, spec, path.name)  # the loader's own checks
    tree = parameters.ParameterTree(dict(parameters.default().parameters))
    tree.parameters[DEFLATOR] = parameter
    return tree


#: A financial-year label as the release prints it: "2024-25" (also "2024/25", "2024–25").
_FINANCIAL_YEAR = r"^\s*(\d{4})\s*[-/\u2013]\s*(\d{2})\s*$"
MIN_YEARS = 5


def read_hmt_release(path: Path | str) -> dict:
    """The financial-year GDP deflator table of an HM Treasury release, as a parameter spec.

    The release's sheets hold a calendar-year and a financial-year table; in the latter a column
    of labels such as ``2024-25`` is followed by the deflator index. The first sheet with at least
    five such rows gives the series (all its years, outturn and forecast, as published).
    """
    import pandas as pd

    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            sheets = {"csv": pd.read_csv(path, header=None, dtype=str)}
        else:
            sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=str, engine="calamine")
    except Exception as exc:  # calamine and pandas raise many types for a file that is not a workbook
        raise ParameterError(f"{path}: cannot read the HM Treasury release ({exc})") from None
    for sheet, frame in sheets.items():
        values = _financial_year_table(frame)
        if len(values) >= MIN_YEARS:
            return {
                "description": f"GDP deflator at market prices, financial years (from {path.name}, sheet {sheet})",
                "unit": "ratio",
                "status": "enacted",
                "values": values,
                "references": [{"title": f"GDP deflators at market prices, and money GDP ({path.name})",
                                "publisher": "HM Treasury",
                                "url": COLLECTION,
                                "supports": f"every year of the series, read from sheet {sheet!r} of the release"}],
            }
    raise ParameterError(f"{path}: no financial-year deflator table found (expected a column of years "
                         f"such as 2024-25 followed by the index, in at least {MIN_YEARS} rows)")


def _financial_year_table(frame) -> dict[str, float]:
    """{"2024-25": index, ...} from the first column of financial-year labels with numbers beside."""
    import pandas as pd

    for column in range(frame.shape[1] - 1):
        labels = frame.iloc[:, column].astype("string").str.extract(_FINANCIAL_YEAR)
        index = pd.to_numeric(frame.iloc[:, column + 1], errors="coerce")
        ok = labels[0].notna() & index.notna()
        ok &= (labels[0].astype(float) + 1) % 100 == labels[1].astype(float)
        if ok.sum() >= MIN_YEARS:
            rows = frame.index[ok.to_numpy()]
            return {f"{labels.loc[r, 0]}-{labels.loc[r, 1]}": float(index.loc[r]) for r in rows}
    return {}
