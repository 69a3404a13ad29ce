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


#: Largest data file the loader reads, in MB, unless DEVOLUTION_MAX_FILE_MB says otherwise: over
#: ten times the largest official file it reads today (7.6 MB), far below what would exhaust memory.
MAX_FILE_MB = 100
#: Seconds a command waits for another process to release the store (DEVOLUTION_STORE_WAIT).
STORE_WAIT_SECONDS = 10


def max_file_bytes() -> int:
    """The size limit for one data file: ``DEVOLUTION_MAX_FILE_MB`` (megabytes), else ``MAX_FILE_MB``."""
    return int(_number("DEVOLUTION_MAX_FILE_MB", MAX_FILE_MB, "megabytes") * 1_000_000)


def store_wait_seconds() -> float:
    """How long to wait for a store another process holds: ``DEVOLUTION_STORE_WAIT``, else 10 s."""
    return _number("DEVOLUTION_STORE_WAIT", STORE_WAIT_SECONDS, "seconds", zero=True)


def _number(name: str, default: float, unit: str, zero: bool = False) -> float:
    """A positive finite number (or 0 if ``zero``) from the environment variable ``name``."""
    from devolution.errors import DevolutionError

    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = float("nan")
    if not (number > 0 or (zero and number == 0)) or number == float("inf"):
        raise DevolutionError(f"{name}={value!r} is not a {'' if zero else 'positive '}number of {unit}"
                              f"{' (0 or more)' if zero else ''}")
    return number
