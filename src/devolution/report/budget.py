"""Charts of a place budget (Altair / Vega-Lite): who decides how much of the money spent in a place."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from devolution.years import year_label

DECIDERS = ["council", "devolved", "central"]


def who_decides_chart(budget) -> alt.Chart:
    """Stacked bars: £m by function, coloured by who decides (council / devolved / central)."""
    data = (budget.lines.groupby(["function", "decided_by"], as_index=False)["value"].sum()
            .assign(value_m=lambda f: f["value"] / 1e6))
    order = list(data.groupby("function")["value"].sum().sort_values(ascending=False).index)
    return alt.Chart(data, title=f"{budget.name}: who decides the money spent in the place, "
                                 f"{year_label(budget.year)}").mark_bar().encode(
        x=alt.X("value_m:Q", title="£m (cash)", stack="zero"),
        y=alt.Y("function:N", sort=order, title=None),
        color=alt.Color("decided_by:N", sort=DECIDERS, title="Decided by"),
        tooltip=["function", "decided_by", alt.Tooltip("value_m:Q", format=",.1f", title="£m")],
    ).properties(width=520, height=360)


def series_chart(frame: pd.DataFrame) -> alt.Chart:
    """Stacked bars by year: council / devolved / central £m (from ``powers.budget_tables.series``)."""
    long = frame.melt(id_vars=["year"], value_vars=[f"{d} £m" for d in DECIDERS], var_name="decided_by",
                      value_name="value_m")
    long["decided_by"] = long["decided_by"].str.replace(" £m", "", regex=False)
    long["year"] = long["year"].map(year_label)
    return alt.Chart(long, title="Place budget by year").mark_bar().encode(
        x=alt.X("year:N", title=None), y=alt.Y("value_m:Q", title="£m (cash)"),
        color=alt.Color("decided_by:N", sort=DECIDERS, title="Decided by"),
        tooltip=["year", "decided_by", alt.Tooltip("value_m:Q", format=",.1f")],
    ).properties(width=360, height=300)


def write_chart(chart: alt.TopLevelMixin, path: Path | str) -> Path:
    """Write as a self-contained HTML page (Vega bundled in: it works offline) or a ``.json``
    Vega-Lite spec, into a folder that exists."""
    from devolution.report.standalone import write_chart as write

    return write(chart, path, "Place budget: who decides")
