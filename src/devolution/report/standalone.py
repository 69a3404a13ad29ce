"""Self-contained HTML for charts: Vega, Vega-Lite and vega-embed bundled into the page by
vl-convert, so a report works offline and opened from a file (nothing loads from a CDN)."""

from __future__ import annotations

import html
from pathlib import Path

import altair as alt

from devolution.files import output_path, write_output

#: What a chart can be written as: a page that works offline, or its Vega-Lite spec.
CHART_SUFFIXES = (".html", ".json")
#: What a report (the overview, a scenario's page) can be written as.
PAGE_SUFFIXES = (".html",)


def embed_scripts(charts: list[alt.TopLevelMixin | dict]) -> str:
    """The script that draws the charts (Altair charts or Vega-Lite specs as dicts) into
    ``#chart0``, ``#chart1``...: Vega, Vega-Lite and Vega-Embed bundled into the page (by
    vl-convert) with the calls that draw them."""
    import json
    import re

    import vl_convert

    def spec(chart) -> str:
        return json.dumps(chart, separators=(",", ":")) if isinstance(chart, dict) else chart.to_json(indent=None)

    from devolution.report.chart_text import VEGA_LITE_VERSION

    calls = "\n".join(f'vegaEmbed("#chart{i}", {spec(c)}, {{"actions": false}});' for i, c in enumerate(charts))
    # A title or name holding "</script" would end the element early: the bundler undoes any escape
    # in the specs, so it is escaped in what it returns ("<\/" is "</" inside a JS string or regex).
    bundle = re.sub(r"</(script)", r"<\\/\1", vl_convert.javascript_bundle(calls, vl_version=VEGA_LITE_VERSION),
                    flags=re.IGNORECASE)
    return f'<script type="module">{bundle}</script>'


def write_chart(chart: alt.TopLevelMixin, path: Path | str, title: str = "Chart") -> Path:
    """Write one chart as a self-contained HTML page (``.html``; Vega bundled in) or as its
    Vega-Lite JSON spec (``.json``), into a folder that exists. Errors: ``OutputError`` for a
    path that cannot be written (``files.output_path``)."""
    path = output_path(path, CHART_SUFFIXES)
    if path.suffix.lower() == ".json":
        return write_output(path, chart.to_json())
    licence = "Contains public sector information licensed under the Open Government Licence v3.0."
    footer = "" if licence in chart.to_json() else f'<p style="font-size:12px;color:#555">{licence}</p>'
    return write_output(path, f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2em;color:#222}}</style></head>
<body><div id="chart0"></div>
{footer}
{embed_scripts([chart])}
</body></html>""")
