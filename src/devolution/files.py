"""Files in and out: reading the project's own YAML inputs (scenarios, claims, reorganisation
proposals) and naming their format's problems by key path, and writing the files a user asks for
(``--out``), each with one clear error naming the path and the reason."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Iterable

import yaml
from pydantic import ValidationError

from devolution.errors import DevolutionError, OutputError

#: What each suffix a command can write holds, for the error naming the ones it can.
SUFFIXES = {".html": "a page that works offline", ".json": "JSON", ".csv": "CSV", ".parquet": "Parquet",
            ".yaml": "YAML", ".yml": "YAML"}


def read_yaml(path: Path | str, error: type[DevolutionError], what: str = "") -> Any:
    """The YAML content of ``path``, or ``error`` naming the file and why it could not be read."""
    label = f"{what} {path}".strip()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{label}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise error(f"{label}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at byte position {exc.start}); "
                    f"save it as UTF-8") from None
    return parse_yaml(text, label, error)


def parse_yaml(text: str, label: str, error: type[DevolutionError] = DevolutionError, deep: str = "") -> Any:
    """YAML text read safely, or ``error`` naming ``label`` and why: not valid YAML, a date that
    is no date (``2028-13-01``: PyYAML raises ValueError for it), or nested past the loader's
    recursion (``deep`` says how deep the format goes)."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise error(f"{label}: not valid YAML ({' '.join(str(exc).split())[:300]})") from None
    except ValueError as exc:
        raise error(f"{label}: a value that looks like a date is not one ({exc}); write dates as YYYY-MM-DD") from None
    except RecursionError:  # the loader recurses once per level
        raise error(f"{label}: the YAML is nested too deeply{deep}") from None


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


def output_path(path: Path | str, suffixes: Iterable[str], option: str = "--out") -> Path:
    """``path`` checked before any work is done: its suffix one of ``suffixes`` (e.g. ``(".html",
    ".json")``), not a folder, in a folder that exists (none is made) and may be written. An
    existing file there is replaced. Errors: :class:`OutputError` naming the option, the path and
    the reason (and the suffixes it can write)."""
    path = Path(path)
    allowed = tuple(suffixes)
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; give a file name ending {' or '.join(allowed)}")
    if path.suffix.lower() not in allowed:
        kinds = ", ".join(f"{s} ({SUFFIXES.get(s, s[1:])})" for s in allowed)
        got = f"cannot write a {path.suffix} file" if path.suffix else "no suffix says what to write"
        raise OutputError(f"{option} {path}: {got}; it writes {kinds}")
    parent = path.parent
    if not parent.is_dir():
        reason = "is a file, not a folder" if parent.exists() else "does not exist (no folder is made: create it first)"
        raise OutputError(f"{option} {path}: the folder {parent} {reason}")
    target = path if path.exists() else parent
    if not os.access(target, os.W_OK):
        raise OutputError(f"{option} {path}: permission denied (cannot write {'the file' if target is path else 'in ' + str(parent)})")
    return path


def output_folder(path: Path | str, option: str = "--out") -> Path:
    """``path`` checked as a folder to write files into: it exists (none is made) and may be
    written. Errors: :class:`OutputError` naming the option, the path and the reason."""
    path = Path(path)
    if not path.is_dir():
        reason = "is a file, not a folder" if path.exists() else "does not exist (no folder is made: create it first)"
        raise OutputError(f"{option} {path}: {reason}")
    if not os.access(path, os.W_OK):
        raise OutputError(f"{option} {path}: permission denied (cannot write in the folder)")
    return path


def write_output(path: Path | str, content: str | bytes, option: str = "--out") -> Path:
    """Write ``content`` (text as UTF-8) to ``path``; an operating system's refusal is one
    :class:`OutputError` naming the path and the reason, not a traceback."""
    path = Path(path)
    try:
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"{option} {path}: cannot write ({exc.strerror or exc})") from None
    return path
