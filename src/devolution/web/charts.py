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


def fan(rows: list[dict], title: str, y_title: str) -> dict:
    """Percentile bands over the years (5-95 and 25-75) with the median and the central run.
    ``rows``: label, p5, p25, p50, p75, p95, central."""
    x = {"field": "label", "type": "ordinal", "title": "financial year", "sort": None}
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 260, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.25, "color": "#4a6fa5"},
             "encoding": {"x": x, "y": {"field": "p5", "type": "quantitative", "title": y_title}, "y2": {"field": "p95"}}},
            {"mark": {"type": "area", "opacity": 0.45, "color": "#4a6fa5"},
             "encoding": {"x": x, "y": {"field": "p25", "type": "quantitative"}, "y2": {"field": "p75"}}},
            {"mark": {"type": "line", "color": "#1d2733"},
             "encoding": {"x": x, "y": {"field": "p50", "type": "quantitative"},
                          "tooltip": [{"field": "label", "title": "year"},
                                      *[{"field": f"p{p}", "title": f"p{p}", "format": ",.0f"} for p in (5, 25, 50, 75, 95)]]}},
            {"mark": {"type": "rule", "color": "#888", "strokeDash": [4, 3]}, "encoding": {"y": {"datum": 0}}},
        ],
    }


def histogram(rows: list[dict], title: str, x_title: str) -> dict:
    """How many councils fall in each bin of ``change_per_head``, coloured by type of council."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": 240, "data": {"values": rows},
        "mark": "bar",
        "encoding": {"x": {"field": "change_per_head", "type": "quantitative", "bin": {"maxbins": 40}, "title": x_title},
                     "y": {"aggregate": "count", "type": "quantitative", "title": "councils"},
                     "color": {"field": "type", "type": "nominal", "title": "type of council"},
                     "tooltip": [{"aggregate": "count", "type": "quantitative", "title": "councils"},
                                 {"field": "type", "title": "type"}]},
    }


def who_decides(rows: list[dict], title: str) -> dict:
    """A place budget by function, stacked by who decides (council / devolved / central), £m.
    ``rows``: function, decided_by, value."""
    return {
        "$schema": SCHEMA, "title": title, "width": "container", "height": {"step": 18},
        "data": {"values": rows}, "mark": "bar",
        "encoding": {"y": {"field": "function", "type": "nominal", "sort": "-x", "title": None,
                           "axis": {"labelLimit": 320}},
                     "x": {"aggregate": "sum", "field": "value", "type": "quantitative", "title": "£m"},
                     "color": {"field": "decided_by", "type": "nominal", "title": "who decides",
                               "scale": {"domain": ["council", "devolved", "central"],
                                         "range": ["#2e7d4f", "#e0a526", "#4a6fa5"]}},
                     "tooltip": [{"field": "function"}, {"field": "decided_by", "title": "who decides"},
                                 {"field": "value", "title": "£m", "format": ",.1f"}]},
    }
