"""Vega-Lite specs for the pages (rendered in the browser by the vega bundle). Presentation only:
the values come in already computed.

What every chart here does (``devolution.report.chart_text`` holds the shared pieces): a missing
year is a gap in a line, never a straight join across it; money is in £, £m or £bn with its price
base on the axis; long titles wrap; counts have no decimals; no axis, legend or tooltip shows "-0".
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np

from devolution.report.chart_text import (LOCALE, SCHEMA, axis_labels, count_axis, money_scale, no_negative_zero, price_words,
                                          wrap)
from devolution.numbers import money
from devolution.years import parse_year, year_label



#: Plain words for the store's units on legends and axes.
UNIT_WORDS = {"GBP": "£", "persons": "people", "band_d_equivalents": "Band D equivalents",
              "per_10k_children": "per 10,000 children", "share": "per cent"}
#: Pounds shown by d3-format's currency symbol; thousands separated by commas.


def unit_label(unit: str) -> str:
    """``"GBP per resident"`` -> ``"£ per resident"``; ``"per_10k_children"`` -> ``"per 10,000 children"``."""
    base, _, per = unit.partition(" per ")
    word = UNIT_WORDS.get(base, base.replace("_", " "))
    return f"{word} per {per}" if per else word


def _in_millions(unit: str, values: list) -> bool:
    held = [abs(v) for v in values if v is not None]
    return unit.startswith("GBP") and bool(held) and max(held) >= 1e6


def legend_title(measure_title: str, unit: str, label: str, values: list, prices: str = "cash") -> list[str]:
    """The legend's lines: what is measured, its unit (£m when the labels are in millions) and
    year, and the price base of money (``prices``: "cash" or the year whose prices it is in)."""
    words = "£m" if _in_millions(unit, values) else unit_label(unit)
    lines = [measure_title, f"{words}, {label}"]
    if unit.startswith("GBP"):
        lines.append("cash prices (not adjusted for inflation)" if prices == "cash"
                     else f"{prices} prices (real terms, GDP deflator)")
    return lines


def number_text(unit: str, values: list) -> Callable[[float], str]:
    """How the legend writes a number: pounds with a £ and no pence once they pass £10, millions of
    pounds as £m, shares as per cent, counts per resident to three decimals, other numbers rounded
    with thousands separated."""
    held = [abs(v) for v in values if v is not None]
    largest = max(held) if held else 0.0
    if _in_millions(unit, values):
        return lambda x: money(x / 1e6, 0) + "m"
    if unit.startswith("GBP"):
        return (lambda x: money(x, 2)) if largest < 10 else (lambda x: money(x, 0))
    if unit == "share":
        return lambda x: f"{_zero(x * 100, 1):.1f}".rstrip("0").rstrip(".") + "%"
    return (lambda x: f"{_zero(x, 3):,.3f}") if largest < 10 else (lambda x: f"{_zero(x, 0):,.0f}")


def _zero(x: float, decimals: int) -> float:
    """``x`` rounded as it will be printed, with -0.0 made 0.0 (no "-0" in a legend)."""
    return float(no_negative_zero(x, decimals))


def quantile_classes(values: list, count: int = 7) -> tuple[np.ndarray, np.ndarray]:
    """Class breaks (``count - 1`` quantiles, numpy's linear method as d3's quantile scale) and the
    class of each value (-1 where there is none)."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    valid = np.isfinite(array)
    breaks = np.quantile(array[valid], np.arange(1, count) / count) if valid.any() else np.array([])
    return breaks, np.where(valid, np.searchsorted(breaks, array, side="right"), -1)


def class_labels(breaks: np.ndarray, unit: str, values: list) -> list[str]:
    """``under £1,400``, ``£1,400 to £1,600``, ..., ``£2,100 and over``."""
    text = number_text(unit, values)
    if not len(breaks):
        return ["all"]
    return ([f"under {text(breaks[0])}"] + [f"{text(a)} to {text(b)}" for a, b in zip(breaks, breaks[1:])]
            + [f"{text(breaks[-1])} and over"])


def choropleth(rows: list[dict], title: str, unit: str, legend: tuple[str, str] | None = None,
               geojson_url: str = "/api/boundaries.geojson", classes: int = 7, prices: str = "cash") -> dict:
    """Places coloured by ``value`` in seven quantile classes, the legend one swatch per class
    labelled with its range (so one outlier, such as the City of London per resident, cannot
    squeeze the others); places without a value drawn grey underneath. ``unit`` is the store's
    (``"GBP per resident"``); ``legend`` is the measure's title and the year's label, written as the
    legend's title with the unit and ``prices`` (``legend_title``)."""
    shapes = {"url": geojson_url, "format": {"type": "json", "property": "features"}}
    values = [r.get("value") for r in rows]
    breaks, klass = quantile_classes(values, classes)
    labels = class_labels(breaks, unit, values)
    coloured = [{**r, "class": int(k)} for r, k in zip(rows, klass) if k >= 0]
    lookup = {"lookup": "properties.code", "from": {"data": {"values": coloured}, "key": "code",
                                                   "fields": ["name", "value", "display", "class"]}}
    words = unit_label(unit)
    title_lines = legend_title(legend[0], unit, legend[1], values, prices) if legend else [words]
    return {
        "$schema": SCHEMA, "title": wrap(title, 90), "width": "container", "height": 620,
        "projection": {"type": "mercator"}, "config": {"locale": LOCALE},
        "layer": [
            {"data": shapes, "mark": {"type": "geoshape", "fill": "#ddd", "stroke": "white", "strokeWidth": 0.3},
             "encoding": {"tooltip": [{"field": "properties.name", "title": "place"}]}},
            {"data": shapes, "transform": [lookup, {"filter": "isValid(datum.class)"}],
             "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3, "cursor": "pointer"},
             "encoding": {"color": {"field": "class", "type": "ordinal", "title": title_lines,
                                    "scale": {"domain": list(range(len(labels))),
                                              "scheme": {"name": "viridis", "count": len(labels)}},
                                    "legend": {"labelExpr": f"{json.dumps(labels)}[datum.value]",
                                               "symbolType": "square", "titleLimit": 320, "labelLimit": 200}},
                          "tooltip": [{"field": "name", "title": "place"},
                                      {"field": "display", "title": words}]}},
        ],
    }


def trend(rows: list[dict], title: str, unit: str, prices: str = "cash") -> dict:
    """A place's measure over the years, one line. ``rows``: ``label`` (e.g. "2014-15") or ``year``,
    and ``value``. Years not held are gaps: the line is drawn in runs of consecutive years and the
    axis keeps every year between the first and the last, so 2017-18 is not joined to 2022-23.
    Money (``unit`` "GBP...") is shown in £, £m or £bn with ``prices`` ("cash" or a year's prices);
    counts (persons, dwellings...) without decimals."""
    points = []
    for row in rows:
        year = int(row["year"]) if "year" in row else parse_year(row["label"])
        if row.get("value") is not None and np.isfinite(row["value"]):
            points.append((year, float(row["value"])))
    points.sort()
    divisor, word = money_scale([v for _, v in points], unit)
    money = unit.startswith("GBP")
    largest = max((abs(v) / divisor for _, v in points), default=0.0)
    decimals = 0 if _is_count(unit) or (largest >= 100 and not (money and divisor > 1)) else 2
    run, previous, values = 0, None, []
    for year, value in points:
        run += previous is not None and year != previous + 1
        previous = year
        values.append({"year": year, "label": year_label(year), "run": run,
                       "value": float(no_negative_zero(value / divisor, decimals))})
    y_title = f"{word}{unit[3:]}, {price_words(prices)}" if money else unit_label(unit)
    axis_format = ",.0f" if largest >= 10 else ",.2f"
    y_axis = count_axis() if _is_count(unit) else axis_labels(axis_format)
    tip_format = ",.0f" if not decimals else (",.1f" if money and divisor > 1 else ",.2f")
    first, last = (points[0][0], points[-1][0]) if points else (0, 0)
    gaps = [year_label(y) for y in range(first, last + 1) if y not in {p[0] for p in points}]
    chart_title = {"text": wrap(title)}
    if gaps:
        chart_title["subtitle"] = wrap(f"No figures for {', '.join(gaps)}: shown as a gap, not a line across.")
    return {
        "$schema": SCHEMA, "title": chart_title, "width": "container", "height": 180, "config": {"locale": LOCALE},
        "data": {"values": values}, "mark": {"type": "line", "point": True},
        "encoding": {"x": {"field": "year", "type": "quantitative", "title": "financial year",
                           "scale": {"domain": [first, last], "nice": False, "zero": False},
                           "axis": {"tickMinStep": 1, "format": "d",
                                    "labelExpr": "datum.value + '-' + slice('0' + ((datum.value + 1) % 100), -2)"}},
                     "y": {"field": "value", "type": "quantitative", "title": wrap(y_title, 40), "axis": y_axis},
                     "detail": {"field": "run", "type": "nominal"},
                     "tooltip": [{"field": "label", "title": "year"},
                                 {"field": "value", "title": y_title, "format": tip_format}]},
    }


#: Units that are counts of people or things: shown without decimals.
COUNT_UNITS = {"persons", "dwellings", "children", "band_d_equivalents", "councils"}


def _is_count(unit: str) -> bool:
    return unit in COUNT_UNITS


def bars(rows: list[dict], title: str, x_title: str, highlight: str | None = None) -> dict:
    """Places compared on one value, the page's own place highlighted. ``x_title`` is the store's
    unit ("GBP per resident"), written in words ("£ per resident")."""
    return {
        "$schema": SCHEMA, "title": wrap(title), "width": "container", "height": {"step": 16},
        "data": {"values": rows}, "mark": "bar",
        "encoding": {"y": {"field": "name", "type": "nominal", "sort": "-x", "title": None,
                           "axis": {"labelLimit": 220}},
                     "x": {"field": "value", "type": "quantitative", "title": unit_label(x_title),
                           "axis": axis_labels(",.0f")},
                     "color": {"condition": {"test": f"datum.code === {json.dumps(highlight)}", "value": "#c0392b"},
                               "value": "#4a6fa5"},
                     "tooltip": [{"field": "name"}, {"field": "value", "format": ",.0f"}]},
    }


def fan(rows: list[dict], title: str, y_title: str) -> dict:
    """Percentile bands over the years (5-95 and 25-75) with the median and the central run.
    ``rows``: label, p5, p25, p50, p75, p95, central."""
    x = {"field": "label", "type": "ordinal", "title": "financial year", "sort": None}
    return {
        "$schema": SCHEMA, "title": wrap(title), "width": "container", "height": 260, "data": {"values": rows},
        "layer": [
            {"mark": {"type": "area", "opacity": 0.25, "color": "#4a6fa5"},
             "encoding": {"x": x, "y": {"field": "p5", "type": "quantitative", "title": y_title,
                                        "axis": axis_labels(",.0f")}, "y2": {"field": "p95"}}},
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
        "$schema": SCHEMA, "title": wrap(title), "width": "container", "height": 240, "data": {"values": rows},
        "mark": "bar",
        "encoding": {"x": {"field": "change_per_head", "type": "quantitative", "bin": {"maxbins": 40}, "title": x_title,
                           "axis": axis_labels(",.0f")},
                     "y": {"aggregate": "count", "type": "quantitative", "title": "councils", "axis": count_axis()},
                     "color": {"field": "type", "type": "nominal", "title": "type of council"},
                     "tooltip": [{"aggregate": "count", "type": "quantitative", "title": "councils"},
                                 {"field": "type", "title": "type"}]},
    }


def who_decides(rows: list[dict], title: str) -> dict:
    """A place budget by function, stacked by who decides (council / devolved / central), £m.
    ``rows``: function, decided_by, value."""
    return {
        "$schema": SCHEMA, "title": wrap(title), "width": "container", "height": {"step": 18},
        "data": {"values": rows}, "mark": "bar",
        "encoding": {"y": {"field": "function", "type": "nominal", "sort": "-x", "title": None,
                           "axis": {"labelLimit": 320}},
                     "x": {"aggregate": "sum", "field": "value", "type": "quantitative", "title": "£m",
                           "axis": axis_labels(",.0f")},
                     "color": {"field": "decided_by", "type": "nominal", "title": "who decides",
                               "scale": {"domain": ["council", "devolved", "central"],
                                         "range": ["#2e7d4f", "#e0a526", "#4a6fa5"]}},
                     "tooltip": [{"field": "function"}, {"field": "decided_by", "title": "who decides"},
                                 {"field": "value", "title": "£m", "format": ",.1f"}]},
    }
