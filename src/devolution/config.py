"""Settings: where the official data lives and where the store is kept.

``DEVOLUTION_DATA`` names the folder of official datasets; ``DEVOLUTION_STORE`` the DuckDB file.
"""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The folder of official datasets: ``DEVOLUTION_DATA``, else ``<user data dir>/data``."""
    value = os.environ.get("DEVOLUTION_DATA")
    return Path(value).expanduser() if value else _user_dir() / "data"


def store_path() -> Path:
    """The DuckDB store file: ``DEVOLUTION_STORE``, else ``<user data dir>/devolution.duckdb``."""
    value = os.environ.get("DEVOLUTION_STORE")
    return Path(value).expanduser() if value else _user_dir() / "devolution.duckdb"


def _user_dir() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("devolution", appauthor=False))
