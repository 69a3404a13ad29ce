"""Reading the project's own YAML inputs (scenarios, claims, reorganisation proposals) with one
clear error each, and their format's problems named by key path."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

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


def key_path_problems(exc: ValidationError, unknown_key: str, skip: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """Every problem of a pydantic ``ValidationError`` as ``(key path, message)``, one per path:
    ``councils.0.members`` rather than pydantic's tuples; an extra key gets ``unknown_key``; the
    names of union branches (``skip``, and pydantic's ``literal[...]`` / ``float`` tags) are left
    out of the path, and where a union reported each branch it tried, the most specific message
    is kept."""
    problems = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"]
               if str(p) not in skip and not str(p).startswith(("literal[", "float", "constrained-float"))]
        message = unknown_key if error["type"] == "extra_forbidden" else error["msg"].removeprefix("Value error, ")
        problems.append((".".join(loc) or "(top)", message))
    seen, unique = set(), []
    for path, message in sorted(problems, key=lambda p: ("Input should be" in p[1], p[0])):
        if path not in seen:
            seen.add(path)
            unique.append((path, message))
    return unique
