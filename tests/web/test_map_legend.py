"""The map's legend: its title says measure, unit, year and price base; its labels are pounds with a
£ and thousands separated, £m for totals, per cent for shares. The Vega-Lite spec is checked, and
its legend drawn by Vega (vl-convert, the bundle the pages use) to read the label text."""

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

    strip = {"$schema": charts.SCHEMA, "data": {"values": doc["values"]}, "mark": "rect",
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
    assert color(doc)["legend"]["format"] == "$,.0f"
    assert doc["spec"]["config"]["locale"]["number"]["currency"] == ["£", ""]
    labels = legend_text(doc)
    assert len(labels) == 6  # seven quantile classes, six thresholds
    assert all(re.fullmatch(r"£\d{1,3}(,\d{3})*", label) for label in labels), labels
    assert any("," in label for label in labels)  # unitaries spend over £1,000 a resident


def test_money_totals_are_labelled_in_millions(client):
    doc = client.get(f"/map.json?measure={NCE}&per=total").json()
    assert color(doc)["title"][1] == f"£m, {doc['label']}"
    labels = legend_text(doc)
    assert labels and all(re.fullmatch(r"£\d{1,3}(,\d{3})*m", label) for label in labels), labels


def test_counts_per_resident_and_shares_read_as_such(client):
    dwellings = client.get("/map.json?measure=dwellings_total&per=resident").json()
    assert color(dwellings)["title"][1] == f"dwellings per resident, {dwellings['label']}"
    assert len(color(dwellings)["title"]) == 2  # no price base for a count
    assert all(re.fullmatch(r"0\.\d{3}", label) for label in legend_text(dwellings))
    extent = client.get("/map.json?measure=imd2019_extent").json()
    assert color(extent)["title"][1].startswith("per cent, ")
    assert all(label.endswith("%") for label in legend_text(extent))


@pytest.mark.parametrize("unit, words", [("GBP per resident", "£ per resident"), ("GBP", "£"),
                                         ("per_10k_children", "per 10,000 children"),
                                         ("band_d_equivalents", "Band D equivalents"),
                                         ("persons per resident", "people per resident")])
def test_units_in_words(unit, words):
    assert charts.unit_label(unit) == words


def test_small_pound_figures_keep_their_pence():
    assert charts.legend_labels("GBP per resident", [0.5, 3.2, None]) == {"format": "$,.2f"}
    assert charts.legend_labels("GBP", [250.0, 2100.0]) == {"format": "$,.0f"}
