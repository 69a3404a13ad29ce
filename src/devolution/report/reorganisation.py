"""A reorganisation proposal on a page: the map of the new councils (their districts dissolved),
the harmonisation of council tax, spending per head against unitaries of similar size, and the
tables. The specs are Vega-Lite (drawn by the bundled Vega, nothing from a CDN); the same specs
serve the web page and the HTML report written by ``devo reorganise --out``."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from devolution.files import output_path, write_output
from devolution.report.chart_text import LOCALE, SCHEMA, axis_labels, wrap

#: How each colour figure is written in a tooltip and the legend (d3 format).
FORMATS = {"notional_band_d": "$,.2f", "first_year_band_d": "$,.2f", "population": ",.0f", "share_65_plus": ".1%",
           "spending_per_head": "$,.0f", "council_tax_requirement": "$,.0f", "dwellings": ",.0f", "tax_base": ",.0f"}


def map_spec(document: dict, colour: str, width: int = 640) -> dict:
    """The new councils coloured by ``colour`` (a key of ``document["colours"]``) on a light scale
    so their names, written at a point inside each, stay legible; the shapes are the GeoJSON in the
    document (no file is fetched)."""
    title = document["colours"][colour]
    features = document["map"]["features"]
    values = [f["properties"].get(colour) for f in features]
    held = [v for v in values if v is not None]
    fmt = FORMATS.get(colour, ",.2f")
    colour_encoding = {"field": f"properties.{colour}", "type": "quantitative", "title": wrap(title, 30),
                       "scale": {"scheme": "lightgreyteal", **({"domain": [min(held), max(held)]} if len(held) > 1 else {})},
                       "legend": {"format": fmt}}
    data = {"values": document["map"], "format": {"type": "json", "property": "features"}}
    return {
        "$schema": SCHEMA, "title": wrap(f"{document['proposal']['name']}: {title}", 80), "width": width, "height": 460,
        "config": {"locale": LOCALE}, "projection": {"type": "mercator"},
        "layer": [
            {"data": data, "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 1},
             "encoding": {"color": colour_encoding if held else {"value": "#ccc"},
                          "tooltip": [{"field": "properties.group", "title": "council"},
                                      {"field": f"properties.{colour}", "title": title, "format": fmt}]}},
            {"data": data, "mark": {"type": "text", "fontSize": 12, "fontWeight": "bold", "color": "#111"},
             "encoding": {"longitude": {"field": "properties.label_lon", "type": "quantitative"},
                          "latitude": {"field": "properties.label_lat", "type": "quantitative"},
                          "text": {"field": "properties.group"}}},
        ],
    }


def harmonisation_spec(rows: list[dict], width: int = 560) -> dict:
    """Each predecessor area's Band D year by year, one panel per new council: solid lines under
    immediate harmonisation, dashed under the N-year plan."""
    return {
        "$schema": SCHEMA, "title": wrap("Council tax harmonisation: Band D of each predecessor area (the new "
                                         "council's part of the bill, cash)", 80),
        "config": {"locale": LOCALE}, "data": {"values": rows},
        "facet": {"row": {"field": "council", "type": "nominal", "title": None}},
        "resolve": {"scale": {"y": "independent", "color": "independent"}},
        "spec": {"width": width, "height": 180, "mark": {"type": "line", "point": True},
                 "encoding": {"x": {"field": "year_label", "type": "ordinal", "title": "financial year"},
                              "y": {"field": "band_d", "type": "quantitative", "title": "Band D, £",
                                    "scale": {"zero": False}, "axis": axis_labels(",.0f")},
                              "color": {"field": "area", "type": "nominal", "title": "predecessor area"},
                              "strokeDash": {"field": "plan", "type": "nominal", "title": "harmonisation"},
                              "tooltip": [{"field": "area"}, {"field": "plan"}, {"field": "year_label", "title": "year"},
                                          {"field": "band_d", "title": "Band D", "format": "$,.2f"},
                                          {"field": "change", "title": "change", "format": "+.2%"},
                                          {"field": "held_at_bound", "title": "held at its bound"}]}},
    }


def spending_spec(by_service: list[dict], comparators: list[dict], year: str, width: int = 560) -> dict:
    """Spending per resident by service for each new council (bars), with the median of the
    existing unitaries of similar population (black ticks)."""
    services = [r for r in by_service if r["service"] != "all services" and r.get("per_head") is not None]
    frame = pd.DataFrame(comparators)
    median = ([] if frame.empty else frame.groupby(["council", "service"], as_index=False)["per_head"].median()
              .dropna().to_dict(orient="records"))
    y = {"field": "service", "type": "nominal", "title": None, "sort": "-x", "axis": {"labelLimit": 200}}
    return {
        "$schema": SCHEMA, "title": wrap(f"Spending per resident by service, {year} (cash): each new council, and "
                                         f"the median of the five unitaries closest in population (tick)", 80),
        "config": {"locale": LOCALE}, "width": width, "height": {"step": 14},
        "layer": [
            {"data": {"values": services}, "mark": "bar",
             "encoding": {"y": y, "yOffset": {"field": "council"},
                          "x": {"field": "per_head", "type": "quantitative", "title": "£ per resident",
                                "axis": axis_labels(",.0f")},
                          "color": {"field": "council", "type": "nominal", "title": "new council"},
                          "tooltip": [{"field": "council"}, {"field": "service"},
                                      {"field": "per_head", "title": "£ per resident", "format": "$,.0f"},
                                      {"field": "driver", "title": "county's share by"}]}},
            {"data": {"values": median}, "mark": {"type": "tick", "color": "black", "thickness": 2},
             "encoding": {"y": y, "yOffset": {"field": "council"},
                          "x": {"field": "per_head", "type": "quantitative"},
                          "tooltip": [{"field": "council"}, {"field": "service"},
                                      {"field": "per_head", "title": "median of similar unitaries", "format": "$,.0f"}]}},
        ],
    }


def specs(document: dict, colour: str) -> dict[str, dict]:
    """Every chart of the page: ``map``, ``harmonisation``, ``spending``."""
    tables = document["tables"]
    spending_year = tables["spending"][0]["year_label"] if tables["spending"] else ""
    return {"map": map_spec(document, colour), "harmonisation": harmonisation_spec(tables["harmonisation"]),
            "spending": spending_spec(tables["spending"], tables["comparators"], spending_year)}


#: The tables the report shows, with their headings (the rest are in the JSON document).
SHOWN = {"councils": "The new councils", "people": "Population and age structure", "homes": "Dwellings by band and tax base",
         "predecessors": "Predecessor areas: council tax in the base year", "households": "Households whose bill rises or falls",
         "harmonisation": "Harmonisation year by year", "spending": "Spending by service",
         "apportionment": "The county's spending shared out by driver",
         "strategic_authority": "Strategic authority and devolution level", "transition": "Transition (inputs)"}


def write_html(document: dict, path: Path | str, colour: str) -> Path:
    """A self-contained page (Vega bundled in: it opens offline and from a file) with the charts,
    the tables and the notes, at ``path`` (``.html``, in a folder that exists). Errors:
    ``OutputError`` for a path that cannot be written (``files.output_path``)."""
    from devolution.report.standalone import PAGE_SUFFIXES, embed_scripts

    charts = specs(document, colour)
    proposal = document["proposal"]
    divs = "".join(f'<h2>{html.escape(t)}</h2><div id="chart{i}"></div>'
                   for i, t in enumerate(("Map", "Council tax harmonisation", "Spending per resident")))
    tables = "".join(f"<h2>{html.escape(title)}</h2>{_table(document['tables'][name])}"
                     for name, title in SHOWN.items() if document["tables"].get(name))
    banner = ('<p class="illustrative"><b>Illustrative:</b> an example of the method, not a proposal anyone has made.</p>'
              if proposal["kind"] == "illustrative" else "")
    notes = "".join(f"<li>{html.escape(n)}</li>" for n in document["notes"])
    sources = "".join(f'<li>{html.escape(s["title"])} ({html.escape(s["publisher"])}), {html.escape(s["url"])}</li>'
                      for s in proposal.get("sources") or [])
    body = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(proposal['name'])}: reorganisation</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}
table{{border-collapse:collapse;font-size:12px}}td,th{{border-bottom:1px solid #ddd;padding:3px 6px;text-align:right}}
td:first-child,th:first-child{{text-align:left}}.illustrative{{background:#fff3cd;padding:.5em}}</style></head>
<body><h1>{html.escape(proposal['name'])}</h1>{banner}<p>{html.escape(proposal.get('description') or '')}</p>
<p>Vesting day {html.escape(proposal['vesting'])}; predecessors' council tax of {html.escape(document['base_year'])}.
Built by <code>devolution</code> from official data (<code>devo reorganise</code>).</p>
{divs}{tables}<h2>Method and notes</h2><ul>{notes}</ul>
{'<h2>Sources of the proposal</h2><ul>' + sources + '</ul>' if sources else ''}
<p>Contains public sector information licensed under the Open Government Licence v3.0; boundaries contain OS data
© Crown copyright and database right 2024.</p>
{embed_scripts(list(charts.values()))}
</body></html>"""
    return write_output(output_path(path, PAGE_SUFFIXES), body)


def _table(rows: list[dict]) -> str:
    frame = pd.DataFrame(rows)
    return frame.to_html(index=False, na_rep="", border=0, escape=True, float_format=_number)


def _number(value: float) -> str:
    if not np.isfinite(value):
        return ""
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) < 1 and value != 0:
        return f"{value:.4f}"
    return f"{value:,.2f}"
