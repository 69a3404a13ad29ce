"""The Jinja2 templates every page is rendered with (``web/templates/``): one environment that
the app (its error pages) and every router share."""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
