"""Reading the project's own YAML inputs (scenarios, claims) with one clear error each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from devolution.errors import DevolutionError


def read_yaml(path: Path | str, error: type[DevolutionError], what: str = "") -> Any:
    """The YAML content of ``path``, or ``error`` naming the file and why it could not be read."""
    label = f"{what} {path}".strip()
    try:
        return yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{label}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise error(f"{label}: not valid YAML ({' '.join(str(exc).split())})") from None
