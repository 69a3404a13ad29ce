"""Charts that do not mislead (issue #17): a missing year is a gap, money in £m or £bn with its
price base, titles wrapped to fit, counts without decimals, no "-0" anywhere. Specs are rendered
to SVG with vl-convert (the Vega the pages use) and the drawn text is read back."""

from __future__ import annotations

import re

import pandas as pd
import vl_convert

from devolution.report.change import change_chart
from devolution.numbers import number
from devolution.report.chart_text import axis_labels, money_scale, wrap
from devolution.web import charts

MINUS_ZERO = re.compile(r">\s*[-\u2212]0(\.0+)?\s*<")


def svg(spec: dict) -> str:
    return vl_convert.vegalite_to_svg({**spec, "width": 400})


def texts(drawn: str) -> list[str]:
    return re.findall(r"<text[^>]*>([^<]*)</text>", drawn)


def test_a_missing_year_is_a_gap_not_a_join():
    rows = [{"label": label, "value": v} for label, v in
            (("2015-16", 250e6), ("2016-17", 240e6), ("2017-18", 235e6), ("2022-23", 300e6), ("2023-24", 310e6))]
    spec = charts.trend(rows, "Net current expenditure: total service expenditure", "GBP")
    runs = {row["run"] for row in spec["data"]["values"]}
    assert runs == {0, 1}  # two runs of consecutive years, drawn as separate lines
    assert spec["encoding"]["detail"]["field"] == "run"
    assert spec["encoding"]["x"]["type"] == "quantitative"  # the years between keep their place
    assert "2018-19, 2019-20, 2020-21, 2021-22" in " ".join(spec["title"]["subtitle"])
    drawn = svg(spec)
    paths = re.findall(r'aria-roledescription="line mark" d="([^"]*)"', drawn)
    assert sorted(path.count("L") + 1 for path in paths) == [2, 3]  # 2015-16..2017-18 and 2022-23..2023-24
    assert "2017-18" in texts(drawn) and "2022-23" in texts(drawn)  # axis labels as financial years
    joined = svg({**spec, "encoding": {k: v for k, v in spec["encoding"].items() if k != "detail"}})
    assert len(re.findall(r'aria-roledescription="line mark" d="', joined)) == 1  # what the runs prevent


def test_money_in_millions_or_billions_with_the_price_base():
    assert money_scale([2.5e9, 1e8]) == (1e9, "£bn")
    assert money_scale([2.5e8]) == (1e6, "£m")
    assert money_scale([1500.0]) == (1.0, "£")
    spec = charts.trend([{"label": "2015-16", "value": 83.36e6}, {"label": "2016-17", "value": 81.29e6}],
                        "Core Spending Power", "GBP", prices="2024-25")
    assert spec["encoding"]["y"]["title"] == ["£m, 2024-25 prices (GDP deflator)"]
    assert [r["value"] for r in spec["data"]["values"]] == [83.36, 81.29]
    cash = charts.trend([{"label": "2015-16", "value": 1419.0}, {"label": "2016-17", "value": 1450.0}],
                        "Band D", "GBP")
    assert cash["encoding"]["y"]["title"] == ["£, cash (not adjusted for inflation)"]


def test_counts_have_no_decimals():
    spec = charts.trend([{"label": "2021-22", "value": 92088.0}, {"label": "2022-23", "value": 92300.0}],
                        "Usual residents", "persons")
    assert spec["encoding"]["y"]["axis"]["format"] == ",d"
    labels = texts(svg(spec))
    assert not any(re.fullmatch(r"[\d,]+\.\d+", t) for t in labels)  # no 92,100.5 people
    hist = charts.histogram([{"change_per_head": v, "type": "Unitary"} for v in (-10.0, -5.0, 3.0)], "t", "x")
    assert hist["encoding"]["y"]["axis"]["tickMinStep"] == 1


def test_no_minus_zero_on_axes_legends_or_tables():
    rows = [{"code": "A", "name": "A", "value": -3.6e-13}, {"code": "B", "name": "B", "value": 4.0},
            {"code": "C", "name": "C", "value": -2.0}]
    assert not MINUS_ZERO.search(svg(charts.bars(rows, "t", "GBP per resident")))
    assert number(-0.04) == "0.0" and number(-1234.56) == "-1,234.6"
    assert charts.number_text("GBP per resident", [0.001, -0.001])(-0.001) == "£0.00"
    assert "abs(datum.value) < 0.05" in axis_labels(".1f")["labelExpr"]
    table = pd.DataFrame({"group": ["A", "England"], "areas": [1, 2], "first": "2010-11", "value_first": [1.0, 2.0],
                          "last": "2017-18", "value_last": [1.0, 1.0], "change_pct": [-1e-12, -50.0]})
    table.attrs.update(title="Service spending, like for like", short="Service spending (like for like)",
                       unit="£, cash (nominal) per resident", by="region", boundaries=2023, publications=["x"])
    spec = change_chart(table).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert [v["change_pct"] for v in values] == [0.0, -50.0]
    assert str(values[0]["change_pct"]) == "0.0"


def test_long_titles_wrap_and_are_never_cut():
    title = ("Service spending, like for like (net current expenditure excluding education, public health, "
             "police and fire), per resident, 2010-11 to 2017-18")
    lines = wrap(title)
    assert all(len(line) <= 64 for line in lines) and " ".join(lines) == title
    spec = charts.bars([{"code": "A", "name": "A", "value": 1.0}], title, "GBP per resident")
    assert spec["title"] == lines
