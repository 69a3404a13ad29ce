"""Charts (Altair / Vega-Lite) and HTML reports."""
