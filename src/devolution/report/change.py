"""The change chart: per cent change per group or per place, titled with the measure, its unit,
price base and years, and the sources on it."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from devolution.report.chart_text import axis_labels, no_negative_zero, wrap
from devolution.years import year_label

#: Places drawn at most: beyond it the chart shows the largest falls and rises (the table has all).
MAX_PLACES = 50
#: Characters per subtitle line at the chart's width (520 px, 11 px type).
SUBTITLE_WIDTH = 84


def change_chart(table: pd.DataFrame) -> alt.Chart:
    """Bars of the change in per cent by group (England last) or by place (lowest change first),
    titled with the measure, unit, price base and years; long titles wrap, never cut."""
    meta = table.attrs
    places = meta.get("by") == "place"
    data, shown = _rows(table, places)
    unit = meta.get("unit", "")
    period = f"{_year(table, 'first')} to {_year(table, 'last')}"
    heading = f"{meta.get('short', meta.get('title', 'Change'))}: change {period}"
    subtitle = wrap(f"Per cent change in {unit}. {meta.get('measure_note', '')}".strip(), SUBTITLE_WIDTH)
    if shown:
        subtitle += wrap(shown, SUBTITLE_WIDTH)
    source = ("Source: " + "; ".join(meta.get("publications", [])) +
              f". Boundaries of {year_label(int(meta.get('boundaries', 0)))}. "
              "Contains public sector information licensed under the Open Government Licence v3.0.")
    title = alt.TitleParams(text=wrap(heading), subtitle=subtitle + wrap(source, SUBTITLE_WIDTH), anchor="start",
                            subtitleFontSize=11)
    label = "name" if places else "group"
    tooltip = [label, alt.Tooltip("first:N", title="from"),
               alt.Tooltip("value_first:Q", format=",.0f", title=f"{unit}, first"),
               alt.Tooltip("last:N", title="to"),
               alt.Tooltip("value_last:Q", format=",.0f", title=f"{unit}, last"),
               alt.Tooltip("change_pct:Q", format=".1f", title="change %")]
    if places:
        tooltip = [alt.Tooltip("rank:Q", format="d", title="rank (1 = lowest change)"), *tooltip, "region", "type"]
    else:
        tooltip.insert(1, alt.Tooltip("areas:Q", format=",d", title="council areas"))
    return alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("change_pct:Q", title=f"Change, % ({unit})", axis=alt.Axis(**axis_labels(".1f"))),
        y=alt.Y(f"{label}:N", sort=list(data[label]), title=_group_title(meta.get("by", "")),
                axis=alt.Axis(labelLimit=260)),
        color=alt.condition(alt.datum.change_pct < 0, alt.value("#c0392b"), alt.value("#2e86c1")),
        tooltip=tooltip,
    ).properties(width=520, height=max(120, 18 * len(data)))


def _rows(table: pd.DataFrame, places: bool) -> tuple[pd.DataFrame, str]:
    """The rows drawn (change rounded to 0.1 and never -0.0) and a line saying what was left out."""
    columns = ["rank", "name", "region", "type"] if places else ["group", "areas"]
    data = table[[*columns, "first", "value_first", "last", "value_last", "change_pct"]].copy()
    for column, decimals in (("change_pct", 1), ("value_first", 2), ("value_last", 2)):
        data[column] = no_negative_zero(data[column], decimals)
    shown = ""
    if places:
        data = data.dropna(subset=["change_pct"])
        if len(data) > MAX_PLACES:
            half = MAX_PLACES // 2
            shown = (f"The {half} lowest and {half} highest changes of {len(data)} areas are drawn; "
                     f"the table lists every area.")
            data = pd.concat([data.head(half), data.tail(half)])
    return data, shown


def _year(table: pd.DataFrame, key: str) -> str:
    """The label of the first or last year compared (the table holds it on every row)."""
    return str(table[key].iloc[0]) if len(table) else ""


def _group_title(by: str) -> str:
    return {"england": "England", "region": "Region", "type": "Type of area", "nmsl": "Part of England",
            "deprivation": "IMD 2019 quintile (population-weighted)", "cla_band":
            "Children-in-care rate quintile (population-weighted)", "places": "Places",
            "place": "Council area"}.get(
        by, by.replace("_", " ").replace("imd", "IMD ") + " (population-weighted)")


def write_chart(table: pd.DataFrame, path: Path | str) -> Path:
    """Write the chart as a self-contained HTML page (``.html``, Vega bundled in: it works offline)
    or a Vega-Lite JSON spec (``.json``)."""
    from devolution.report.standalone import write_chart as write

    return write(change_chart(table), path, table.attrs.get("title", "Change"))
