"""The map's legend: its title says measure, unit, year and price base; one swatch per quantile
class labelled with its range, in pounds with a £ and thousands separated, £m for totals, per cent
for shares. The Vega-Lite spec is checked, and its legend drawn by Vega (vl-convert, the bundle the
pages use) to read the label text."""

from __future__ import annotations

import re

import pytest

from devolution.web import charts

NCE = "nce_total_service_expenditure"


def color(doc: dict) -> dict:
    return doc["spec"]["layer"][1]["encoding"]["color"]


def legend_text(doc: dict) -> list[str]:
    """The legend's labels as Vega draws them (a strip of the same colour encoding, no map)."""
    import vl_convert

    coloured = doc["spec"]["layer"][1]["transform"][0]["from"]["data"]["values"]
    strip = {"$schema": charts.SCHEMA, "data": {"values": coloured}, "mark": "rect",
             "encoding": {"x": {"field": "code", "type": "nominal", "axis": None}, "color": color(doc)},
             "config": doc["spec"]["config"]}
    svg = vl_convert.vegalite_to_svg(strip)
    return [t for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg) if t.strip()]


def test_per_resident_money_legend_says_pounds_per_resident_year_and_cash(client):
    doc = client.get(f"/map.json?measure={NCE}&per=resident").json()
    description = client.get("/api/measures?limit=5000").json()
    description = next(m["description"] for m in description["rows"] if m["measure"] == NCE)
    assert color(doc)["title"] == [description, f"£ per resident, {doc['label']}",
                                   "cash prices (not adjusted for inflation)"]
    assert doc["spec"]["config"]["locale"]["number"]["currency"] == ["£", ""]
    labels = legend_text(doc)
    pounds = r"£\d{1,3}(,\d{3})*"
    assert len(labels) == 7  # seven quantile classes, each with its range
    assert re.fullmatch(f"under {pounds}", labels[0]) and re.fullmatch(f"{pounds} and over", labels[-1]), labels
    assert all(re.fullmatch(f"{pounds} to {pounds}", label) for label in labels[1:-1]), labels
    assert any("," in label for label in labels)  # unitaries spend over £1,000 a resident


def test_money_totals_are_labelled_in_millions(client):
    doc = client.get(f"/map.json?measure={NCE}&per=total").json()
    assert color(doc)["title"][1] == f"£m, {doc['label']}"
    labels = legend_text(doc)
    millions = r"£\d{1,3}(,\d{3})*m"
    assert len(labels) == 7 and all(re.search(millions, label) for label in labels), labels


def test_counts_per_resident_and_shares_read_as_such(client):
    dwellings = client.get("/map.json?measure=dwellings_total&per=resident").json()
    assert color(dwellings)["title"][1] == f"dwellings per resident, {dwellings['label']}"
    assert len(color(dwellings)["title"]) == 2  # no price base for a count
    assert all(re.search(r"0\.\d{3}", label) for label in legend_text(dwellings))
    extent = client.get("/map.json?measure=imd2019_extent").json()
    assert color(extent)["title"][1].startswith("per cent, ")
    assert all(re.search(r"\d%", label) for label in legend_text(extent))


def test_classes_hold_equal_numbers_of_places_and_an_outlier_does_not_squeeze_the_legend():
    values = [float(v) for v in range(1, 71)] + [26000.0, None]
    breaks, classes = charts.quantile_classes(values)
    assert len(breaks) == 6 and classes[-1] == -1 and classes[-2] == 6
    counts = [int((classes == k).sum()) for k in range(7)]
    assert max(counts) - min(counts) <= 1  # seventy-one places in seven classes of ten or eleven
    labels = charts.class_labels(breaks, "GBP per resident", values)
    assert labels[0] == f"under £{breaks[0]:,.0f}" and labels[-1].endswith("and over") and len(labels) == 7


@pytest.mark.parametrize("unit, words", [("GBP per resident", "£ per resident"), ("GBP", "£"),
                                         ("per_10k_children", "per 10,000 children"),
                                         ("band_d_equivalents", "Band D equivalents"),
                                         ("persons per resident", "people per resident")])
def test_units_in_words(unit, words):
    assert charts.unit_label(unit) == words


def test_small_pound_figures_keep_their_pence():
    assert charts.number_text("GBP per resident", [0.5, 3.2, None])(3.2) == "£3.20"
    assert charts.number_text("GBP", [250.0, 2100.0])(2100.0) == "£2,100"
    assert charts.number_text("share", [0.1, 0.4])(0.125) == "12.5%"
