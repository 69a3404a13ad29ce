"""The place budget as tables (``powers.budget``): £m by function and who decides, a place over the
years, several places side by side. A part no body reported is missing (NaN), never 0, and a total
lacking a part is missing too."""

from __future__ import annotations

import numpy as np
import pandas as pd

from devolution.places.register import resolve
from devolution.powers.budget import BudgetYear, PlaceBudget, budget_year, common_years, place_budget


def summary(budget: PlaceBudget, by: tuple[str, ...] = ("function",)) -> pd.DataFrame:
    """£m by the given columns and who decides, with £ per head and the share of the total."""
    grouped = budget.lines.groupby([*by, "decided_by"], as_index=False)["value"].sum()
    wide = grouped.pivot_table(index=list(by), columns="decided_by", values="value", fill_value=0.0).reset_index()
    for column in ("council", "devolved", "central"):
        if column not in wide:
            wide[column] = 0.0
    for column in budget.missing:
        wide[column] = np.nan  # no figure, not 0 (see the note)
    wide["total"] = wide[["council", "devolved", "central"]].sum(axis=1, skipna=False)
    wide["per_head"] = wide["total"] / budget.population
    out = wide.sort_values("total", ascending=False).reset_index(drop=True)
    for column in ("council", "devolved", "central", "total"):
        out[column] = out[column] / 1e6
    out.columns.name = None
    return out.rename(columns={"council": "council £m", "devolved": "devolved £m", "central": "central £m",
                               "total": "total £m", "per_head": "£ per head"})


def series(store, query: str, years: list[int] | None = None, devolve: list[str] | None = None,
           shared: dict[int, BudgetYear] | None = None) -> pd.DataFrame:
    """A place's budget over several years: £m by who decides and pot, total and £ per head.
    ``shared``: :class:`BudgetYear` by year, kept between calls (filled as years are read)."""
    rows = []
    shared = {} if shared is None else shared
    for year in years or common_years(store):
        if year not in shared:
            shared[year] = budget_year(store, year)
        b = place_budget(store, query, year, devolve, shared[year])
        by = b.lines.groupby("decided_by")["value"].sum()
        pooled = b.lines.loc[b.lines["pot"] == "pooled", "value"].sum()
        part = lambda who: np.nan if who in b.missing else by.get(who, 0.0) / 1e6  # noqa: E731
        total = b.total if b.known else np.nan  # a total lacking a part is no total
        rows.append({"place": b.place, "name": b.name, "year": year,
                     "council £m": part("council"), "devolved £m": part("devolved"),
                     "central £m": part("central"), "pooled £m": pooled / 1e6 if b.known else np.nan,
                     "total £m": total / 1e6, "population": round(b.population), "£ per head": total / b.population,
                     "note": b.note or ""})
    return pd.DataFrame(rows)


def compare(store, queries: list[str], year: int, devolve: list[str] | None = None) -> pd.DataFrame:
    """Per-head comparison of several places in one year, by source and who decides: one row per
    place, in the order first named (a place named twice, by a name and a former code, is one row)."""
    shared = {year: budget_year(store, year)}
    codes = list(dict.fromkeys(str(resolve(shared[year].places, q.strip())["code"]) for q in queries if q.strip()))
    return pd.concat([series(store, code, [year], devolve, shared) for code in codes], ignore_index=True)
