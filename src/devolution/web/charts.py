"""Vega-Lite specs for the pages (rendered in the browser by the vega bundle). Presentation only:
the values come in already computed."""

from __future__ import annotations

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"


def choropleth(rows: list[dict], title: str, value_title: str, geojson_url: str = "/api/boundaries.geojson") -> dict:
    """Places coloured by ``value``; places without a value drawn grey underneath."""
    shapes = {"url": geojson_url, "format": {"type": "json", "property": "features"}}
    lookup = {"lookup": "properties.code", "from": {"data": {"values": rows}, "key": "code",
                                                   "fields": ["name", "value", "display"]}}
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 620,
        "projection": {"type": "mercator"},
        "layer": [
            {"data": shapes, "mark": {"type": "geoshape", "fill": "#ddd", "stroke": "white", "strokeWidth": 0.3},
             "encoding": {"tooltip": [{"field": "properties.name", "title": "place"}]}},
            {"data": shapes, "transform": [lookup, {"filter": "isValid(datum.value)"}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3, "cursor": "pointer"},
             "encoding": {"color": {"field": "value", "type": "quantitative", "title": value_title,
                                    "scale": {"type": "quantile", "scheme": {"name": "viridis", "count": 7}},
                                    "legend": {"format": ",.4~r"}},
                          "tooltip": [{"field": "name", "title": "place"},
                                      {"field": "display", "title": value_title}]}},
        ],
    }


def trend(rows: list[dict], title: str, unit: str) -> dict:
    """A place's measure over the years, one line."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 180,
        "data": {"values": rows}, "mark": {"type": "line", "point": True},
        "encoding": {"x": {"field": "label", "type": "ordinal", "title": "financial year", "sort": None},
                     "y": {"field": "value", "type": "quantitative", "title": unit},
                     "tooltip": [{"field": "label", "title": "year"}, {"field": "value", "format": ",.2f"}]},
    }


def bars(rows: list[dict], title: str, x_title: str, highlight: str | None = None) -> dict:
    """Places compared on one value, the page's own place highlighted."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": {"step": 16},
        "data": {"values": rows}, "mark": "bar",
        "encoding": {"y": {"field": "name", "type": "nominal", "sort": "-x", "title": None},
                     "x": {"field": "value", "type": "quantitative", "title": x_title},
                     "color": {"condition": {"test": f"datum.code === {highlight!r}", "value": "#c0392b"},
                               "value": "#4a6fa5"},
                     "tooltip": [{"field": "name"}, {"field": "value", "format": ",.0f"}]},
    }
