"""The change chart: per cent change per group, with the unit, price base and sources on it."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from devolution.years import year_label


def change_chart(table: pd.DataFrame) -> alt.Chart:
    """Bars of the change in per cent by group (England last), titled with measure, unit and years."""
    meta = table.attrs
    data = table[["group", "areas", "first", "value_first", "last", "value_last", "change_pct"]].copy()
    order = list(data["group"])
    unit = meta.get("unit", "")
    source = "Source: " + "; ".join(meta.get("publications", [])) + \
        f". Boundaries of {year_label(int(meta.get('boundaries', 0)))}. " \
        "Contains public sector information licensed under the Open Government Licence v3.0."
    title = alt.TitleParams(text=meta.get("title", "Change"), subtitle=[f"Change in {unit}", source],
                            anchor="start", subtitleFontSize=11)
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("change_pct:Q", title=f"Change, % ({unit})"),
        y=alt.Y("group:N", sort=order, title=_group_title(meta.get("by", ""))),
        color=alt.condition(alt.datum.change_pct < 0, alt.value("#c0392b"), alt.value("#2e86c1")),
        tooltip=["group", "areas", "first", alt.Tooltip("value_first:Q", format=",.0f", title=f"{unit}, first"),
                 "last", alt.Tooltip("value_last:Q", format=",.0f", title=f"{unit}, last"),
                 alt.Tooltip("change_pct:Q", format=".1f", title="change %")],
    ).properties(width=520, height=max(120, 28 * len(data)))


def _group_title(by: str) -> str:
    return {"england": "England", "region": "Region", "type": "Type of area", "nmsl": "Part of England",
            "deprivation": "IMD 2019 quintile (population-weighted)", "cla_band":
            "Children-in-care rate quintile (population-weighted)", "places": "Places"}.get(
        by, by.replace("_", " ").replace("imd", "IMD ") + " (population-weighted)")


def write_chart(table: pd.DataFrame, path: Path | str) -> Path:
    """Write the chart as a self-contained HTML page (``.html``, Vega bundled in: it works offline)
    or a Vega-Lite JSON spec (``.json``)."""
    from devolution.report.standalone import write_chart as write

    return write(change_chart(table), path, table.attrs.get("title", "Change"))
