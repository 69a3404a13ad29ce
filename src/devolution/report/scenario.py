"""Charts and an HTML page for scenarios: fan charts of the funding gap (England, any place),
a waterfall for one place between two scenarios, and the distribution of changes for all places."""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt
import pandas as pd

from devolution.years import year_label


def _fan(data: pd.DataFrame, title: str) -> alt.LayerChart:
    data = data.assign(label=data["year"].map(year_label), **{c: data[c] / 1e6 for c in
                                                            ("p5", "p25", "p50", "p75", "p95")})
    base = alt.Chart(data, title=title).encode(x=alt.X("label:O", title="Financial year"))
    outer = base.mark_area(opacity=0.25).encode(y=alt.Y("p5:Q", title="Funding gap, £m (cash)"), y2="p95:Q")
    inner = base.mark_area(opacity=0.45).encode(y="p25:Q", y2="p75:Q")
    line = base.mark_line(color="black").encode(y="p50:Q", tooltip=["label", alt.Tooltip("p5:Q", format=",.1f"),
                                                                      alt.Tooltip("p50:Q", format=",.1f"),
                                                                      alt.Tooltip("p95:Q", format=",.1f")])
    return (outer + inner + line).properties(width=520, height=260)


def fan_chart(result, code: str | None = None) -> alt.LayerChart:
    """England's gap (or one place's): median line, 25-75 and 5-95 percentile bands."""
    if code is None:
        return _fan(result.england, f"England: funding gap, {result.scenario.name} ({result.draws:,} draws)")
    rows = result.gap[result.gap["code"] == code]
    name = result.inputs.places.set_index("code")["name"].get(code, code)
    return _fan(rows, f"{name}: funding gap, {result.scenario.name}")


def waterfall(steps: pd.DataFrame, title: str) -> alt.LayerChart:
    """From the baseline gap to the scenario gap, one bar per component's change (£m)."""
    data = steps.copy()
    data["amount_m"] = data["amount"] / 1e6
    running = data["amount_m"].where(data["kind"] != "total", 0).cumsum() + data["amount_m"].iloc[0]
    data["end"] = running.where(data["kind"] != "total", data["amount_m"])
    data.loc[0, "end"] = data["amount_m"].iloc[0]
    data["start"] = data["end"].shift(fill_value=0).where(data["kind"] != "total", 0)
    data["order"] = range(len(data))
    bars = alt.Chart(data, title=title).mark_bar().encode(
        x=alt.X("step:N", sort=alt.SortField("order"), title=None),
        y=alt.Y("start:Q", title="£m (cash)"), y2="end:Q",
        color=alt.Color("kind:N", title=None),
        tooltip=["step", alt.Tooltip("amount_m:Q", format=",.2f", title="£m")])
    return bars.properties(width=520, height=280)


def distribution(table: pd.DataFrame, title: str) -> alt.Chart:
    """Change in gap per head for every council, by type of council."""
    return alt.Chart(table.dropna(subset=["change_per_head"]), title=title).mark_bar().encode(
        x=alt.X("change_per_head:Q", bin=alt.Bin(maxbins=40), title="Change in gap, £ per head (cash)"),
        y=alt.Y("count():Q", title="Councils"), color=alt.Color("tier_label:N", title="Type of council"),
    ).properties(width=520, height=260)


def write_page(path: Path | str, title: str, charts: list, tables: list[tuple[str, pd.DataFrame]],
               notes: list[str]) -> Path:
    """A self-contained HTML page with the charts (Vega bundled in, so it works offline and from a
    file, as the overview report does), tables and method notes."""
    from devolution.files import output_path, write_output
    from devolution.report.standalone import PAGE_SUFFIXES, embed_scripts

    path = output_path(path, PAGE_SUFFIXES)
    divs = "".join(f'<div id="chart{i}"></div>' for i in range(len(charts)))
    tables_html = "".join(f"<h2>{html.escape(t)}</h2>{f.to_html(index=False, float_format=lambda v: f'{v:,.1f}')}"
                          for t, f in tables)
    notes_html = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return write_output(path, f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>
<body style="font-family:sans-serif;max-width:1100px;margin:auto"><h1>{html.escape(title)}</h1>{divs}
{tables_html}<h2>Method</h2><ul>{notes_html}</ul>{embed_scripts(charts)}</body></html>""")
