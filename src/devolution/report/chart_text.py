"""How charts and tables write numbers and titles, shared by the reports and the web pages' charts:
money in £m or £bn with its price base, counts without decimals, no "-0.0" (nor
"-0.000000000000360") on an axis or in a table, and titles wrapped to fit, never cut.
"""

from __future__ import annotations

import textwrap

import numpy as np


#: The Vega-Lite the pages and reports bundle (vl-convert's ``javascript_bundle``), and the major
#: version every spec names in ``$schema``: vega-embed warns in the console when they differ.
VEGA_LITE_VERSION = "6.4"
SCHEMA = f"https://vega.github.io/schema/vega-lite/v{VEGA_LITE_VERSION.split('.')[0]}.json"
#: Numbers in charts: thousands separated, pounds as the currency.
LOCALE = {"number": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["£", ""]}}

#: Characters per line of a chart title or subtitle (Vega draws one line per list item).
TITLE_WIDTH = 64

#: A Vega expression for an axis label: the tick value formatted with FORMAT, and exactly 0 for a
#: value that would print as "-0" (ticks computed in floating point can be -3.6e-13).
_LABEL = "abs(datum.value) < {tiny} ? '0' : format(datum.value, '{fmt}')"


def wrap(text: str, width: int = TITLE_WIDTH) -> list[str]:
    """A title as lines of at most ``width`` characters (whole words; a single longer word stays whole)."""
    return textwrap.wrap(" ".join(str(text).split()), width=width, break_long_words=False) or [""]


def money_scale(values, unit: str = "GBP") -> tuple[float, str]:
    """The divisor and the word for money values: £bn from £1bn, £m from £1m, else £ (``unit`` not
    GBP: no scaling, the unit's own word)."""
    if not unit.startswith("GBP"):
        return 1.0, unit
    held = np.abs(np.asarray([v for v in values if v is not None], dtype=np.float64))
    largest = float(np.nanmax(held)) if held.size and np.isfinite(held).any() else 0.0
    if largest >= 1e9:
        return 1e9, "£bn"
    if largest >= 1e6:
        return 1e6, "£m"
    return 1.0, "£"


def price_words(prices: str | None) -> str:
    """``None``/"cash" -> "cash (not adjusted for inflation)"; "2024-25" -> "2024-25 prices (GDP deflator)"."""
    return "cash (not adjusted for inflation)" if prices in (None, "cash") else f"{prices} prices (GDP deflator)"


def no_negative_zero(values, decimals: int) -> np.ndarray:
    """Values rounded to ``decimals`` with -0.0 made 0.0, so nothing prints as "-0.0"."""
    return np.round(np.asarray(values, dtype=np.float64), decimals) + 0.0


def axis_labels(fmt: str) -> dict:
    """A Vega-Lite axis that formats ticks with d3 ``fmt`` (e.g. ",.0f", ".1f") and never shows "-0"."""
    decimals = int(fmt.split(".")[-1][0]) if "." in fmt and fmt.split(".")[-1][:1].isdigit() else 0
    tiny = 0.5 * 10.0 ** -decimals
    return {"labelExpr": _LABEL.format(tiny=repr(tiny), fmt=fmt)}


def count_axis() -> dict:
    """An axis of counts: whole numbers only (no 0.5 of a council)."""
    return {"format": ",d", "tickMinStep": 1, **axis_labels(",.0f")}
