"""The England overview as an HTML page: charts by region and type of council, and every council."""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

import altair as alt
import pandas as pd

from devolution.analysis.overview import Overview
from devolution.files import output_path, write_output
from devolution.report.standalone import PAGE_SUFFIXES, embed_scripts
from devolution.numbers import number
from devolution.report.chart_text import axis_labels, no_negative_zero, wrap
from devolution.years import year_label

GROUP_COLUMNS = {"group": "Group", "measure": "Measure", "councils": "Councils", "first": "From",
                 "per_head_first": "£ per head", "last": "To", "per_head_last": "£ per head ",
                 "change_pct": "Change %"}


def region_chart(overview: Overview) -> alt.HConcatChart:
    """Per resident by region, first and last year side by side, one panel per measure."""
    order = list(overview.by_region["group"].drop_duplicates())
    panels = []
    for measure, rows in overview.by_region.groupby("measure", sort=False):
        data = pd.concat([
            rows.assign(year=rows["first"], per_head=rows["per_head_first"]),
            rows.assign(year=rows["last"], per_head=rows["per_head_last"]),
        ])[["group", "year", "per_head"]]
        panels.append(alt.Chart(data, title=alt.TitleParams(wrap(measure, 48))).mark_bar().encode(
            x=alt.X("per_head:Q", title="£ per resident", axis=alt.Axis(**axis_labels(",.0f"))),
            y=alt.Y("group:N", sort=order, title=None),
            yOffset=alt.YOffset("year:N"),
            color=alt.Color("year:N", title="Year"),
            tooltip=["group", "year", alt.Tooltip("per_head:Q", format=",.0f", title="£ per head")],
        ).properties(width=300, height=320))
    return alt.hconcat(*panels, title="Per resident, by region").resolve_scale(color="independent")


def tier_chart(overview: Overview) -> alt.Chart:
    """Change in per-head spending by type of council."""
    data = overview.by_tier[["group", "measure", "change_pct", "first", "last", "councils"]].copy()
    data["period"] = data["first"] + " to " + data["last"]
    data["change_pct"] = no_negative_zero(data["change_pct"], 1)
    return alt.Chart(data, title=wrap("Change per head by type of council, %: each panel names its measure and price base")).mark_bar().encode(
        x=alt.X("change_pct:Q", title="% change per head", axis=alt.Axis(**axis_labels(".0f"))),
        y=alt.Y("group:N", title=None, sort="-x"),
        color=alt.condition(alt.datum.change_pct < 0, alt.value("#c0392b"), alt.value("#2e86c1")),
        column=alt.Column("measure:N", title=None, header=alt.Header(labelLimit=320)),
        tooltip=["group", "measure", "period", "councils", alt.Tooltip("change_pct:Q", format=".1f")],
    ).properties(width=300, height=200)


def council_chart(overview: Overview) -> alt.Chart:
    """Every council: change in CSP per head against change in spending per head."""
    a, b = overview.comparisons[0], overview.comparisons[1]
    data = overview.councils.rename(columns={f"{a.measure}_change_pct": "x", f"{b.measure}_change_pct": "y"})
    data = data.dropna(subset=["x", "y"])[["name", "tier_label", "region", "x", "y"]]
    return alt.Chart(data, title=wrap(f"Every council: change per head, {a.label} against {b.label}")).mark_circle(size=40, opacity=0.7).encode(
        x=alt.X("x:Q", title=wrap(f"{a.label}: % change per head, {year_label(a.first)} to {year_label(a.last)}", 80),
                axis=alt.Axis(**axis_labels(".0f"))),
        y=alt.Y("y:Q", title=wrap(f"{b.label}: % change per head, {year_label(b.first)} to {year_label(b.last)}", 60),
                axis=alt.Axis(**axis_labels(".0f"))),
        color=alt.Color("tier_label:N", title="Type of council"),
        tooltip=["name", "tier_label", "region", alt.Tooltip("x:Q", format=".1f"), alt.Tooltip("y:Q", format=".1f")],
    ).properties(width=620, height=380).interactive()


def write_html(overview: Overview, path: Path, sources: pd.DataFrame | None = None) -> Path:
    """Write the overview page (charts, tables, method and sources) to ``path`` (``.html``, in a
    folder that exists; ``OutputError`` otherwise)."""
    charts = [region_chart(overview), tier_chart(overview), council_chart(overview)]
    specs = "\n".join(f'<div id="chart{i}"></div>' for i in range(len(charts)))
    scripts = embed_scripts(charts)
    council_columns = {"name": "Council", "tier_label": "Type", "region": "Region"}
    for c in overview.comparisons:
        council_columns.update({
            f"{c.measure}_{c.first}_per_head": f"{c.label} £/head {year_label(c.first)}",
            f"{c.measure}_{c.last}_per_head": f"{c.label} £/head {year_label(c.last)}",
            f"{c.measure}_change_pct": f"{c.label} change %"})
    councils = overview.councils[list(council_columns)].rename(columns=council_columns)
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>England overview: council funding and spending per head</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border-bottom:1px solid #ddd;padding:3px 8px;text-align:right}}
td:first-child,th:first-child,td:nth-child(2),td:nth-child(3){{text-align:left}}h2{{margin-top:2em}}</style></head>
<body><h1>England overview: council funding and spending per head</h1>
<p>Core Spending Power (the six components the data holds) and service spending like for like (net current
expenditure less education, public health, police and fire) per resident for every council in England, by
region and by type of council, on {year_label(overview.boundary_year)} boundaries. Each table and chart names its
measure, years and price base. Built by
<code>devolution</code> from official data on {date.today().isoformat()}.</p>
{specs}
<h2>By region (per resident)</h2>{_table(overview.by_region[list(GROUP_COLUMNS)].rename(columns=GROUP_COLUMNS))}
<h2>By type of council</h2>{_table(overview.by_tier[list(GROUP_COLUMNS)].rename(columns=GROUP_COLUMNS))}
<h2>Every council</h2>{_table(councils)}
<h2>Left out of a comparison (no figure in one of the years)</h2>{_table(overview.left_out)}
<h2>Method</h2><ul>{"".join(f"<li>{html.escape(n)}</li>" for n in overview.notes)}</ul>
<h2>Sources</h2>{_table(sources) if sources is not None else ""}
<p>Contains public sector information licensed under the Open Government Licence v3.0.</p>
{scripts}
</body></html>"""
    return write_output(output_path(path, PAGE_SUFFIXES), body)


def _table(frame: pd.DataFrame) -> str:
    return frame.to_html(index=False, float_format=number, na_rep="", border=0, escape=True)
