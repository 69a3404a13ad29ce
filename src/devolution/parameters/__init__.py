"""Policy parameters: YAML files by domain, each value dated by financial year, with its reference.

A file ``parameters/council_tax/referendum.yaml`` holding a key ``core_limit`` gives the parameter
``council_tax.referendum.core_limit``; a file whose top level is itself a parameter (it has
``values``) is named by its path alone. Each parameter has a description, a unit, values keyed by
financial year (``2023-24``) or date (``2023-04-01``, read as the financial year it falls in), and
references. A value stays in force until the next one; ``null`` means "not in force"; a year listed
under ``unverified`` has no checked value and asking for it is an error, as is asking for a year
before the first value.

A parameter with ``per_council: true`` holds exceptions for named councils: each year maps council
GSS codes to values (``{E09000008: 0.10}``), each code is named in ``councils`` (the official name as
printed) and each year's values apply to that year only, because such exceptions are granted one
year at a time: a year not listed (after the first) has none, ``{}``. See docs/exceptions.md.

    >>> from devolution import parameters
    >>> parameters.value("council_tax.referendum.core_limit", "2023-24")
    0.03
    >>> reform = parameters.with_overrides({"council_tax.referendum.core_limit": {"2025-26": 0.05}})
    >>> reform.value("council_tax.referendum.core_limit", 2027)
    0.05
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from devolution.errors import ParameterError
from devolution.years import financial_year_of, parse_year, year_label

#: What each unit accepts, said the way an error message says it.
UNITS = {
    "share": "a number from 0 to 1 (e.g. 0.03 for 3%)",
    "GBP": "an amount in pounds, 0 or more",
    "ratio": "a positive number or a fraction such as \"11/9\"",
    "ratio_per_band": "a list of 8 positive numbers or fractions (bands A to H)",
    "flag": "true or false (a rule that applies or not)",
    "years": "a whole number of years, 1 or more",
}
REQUIRED_KEYS = ("description", "unit", "values", "references")
REFERENCE_KEYS = ("title", "publisher", "url")


@dataclass(frozen=True)
class Reference:
    title: str
    publisher: str
    url: str
    supports: str = ""

    def __str__(self) -> str:
        return f"{self.title} ({self.publisher}) {self.url}"


@dataclass
class Parameter:
    """One parameter: its values by financial year (start-year ints), unit and references."""

    path: str
    description: str
    unit: str
    values: dict[int, Any]
    references: tuple[Reference, ...]
    status: str = "enacted"
    unverified: frozenset[int] = frozenset()
    overridden_from: int | None = None
    per_council: bool = False
    councils: Mapping[str, str] = field(default_factory=dict)  # GSS code -> official name (per_council)

    def value(self, year: int | str) -> Any:
        """The value in force in a financial year (``2023`` or ``"2023-24"``); for a per-council
        parameter, the ``{code: value}`` mapping of that very year (``{}`` if none was granted)."""
        try:
            start = parse_year(year)
        except Exception as exc:
            raise ParameterError(f"{self.path}: {exc}") from None
        years = sorted(self.values)
        if start in self.unverified:
            raise ParameterError(
                f"{self.path}: no verified value for {year_label(start)} (listed as unverified: not yet "
                f"checked against the official document, so nothing is computed from it)")
        if not years or start < years[0]:
            first = year_label(years[0]) if years else "none"
            raise ParameterError(f"{self.path}: no value for {year_label(start)}; the first value is for {first}")
        if self.per_council:
            return dict(self.values.get(start, {}))
        return self.values[years[bisect.bisect_right(years, start) - 1]]

    def first_year(self) -> int:
        return min(self.values)


@dataclass
class ParameterTree:
    """All parameters by dotted path; ``value(path, year)`` is what rules are given."""

    parameters: dict[str, Parameter] = field(default_factory=dict)

    def __contains__(self, path: str) -> bool:
        return path in self.parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def paths(self) -> list[str]:
        return sorted(self.parameters)

    def parameter(self, path: str) -> Parameter:
        if path not in self.parameters:
            near = [p for p in self.parameters if p.split(".")[0] == path.split(".")[0]] or self.paths()
            raise ParameterError(f"unknown parameter {path!r} (known: {', '.join(sorted(near)[:12])})")
        return self.parameters[path]

    def value(self, path: str, year: int | str) -> Any:
        return self.parameter(path).value(year)

    def with_overrides(self, overrides: Mapping[str, Mapping[str | int, Any]]) -> "ParameterTree":
        """A new tree with values changed from the given year onward.

        ``{"council_tax.referendum.core_limit": {"2025-26": 0.05}}`` sets the core limit to 5% in
        2025-26 and every later year: values of the base tree from that year on are dropped, so a
        reform never silently stops after its first year. Every path and value is checked before
        anything changes; the first problem is raised, naming the path and what was expected.
        """
        if not isinstance(overrides, Mapping):
            raise ParameterError(f"overrides must map parameter paths to {{year: value}}, not {type(overrides).__name__}")
        checked: dict[str, dict[int, Any]] = {}
        for path, by_year in overrides.items():
            parameter = self.parameter(path)
            if parameter.per_council:
                raise ParameterError(f"{path}: exceptions for named councils are granted one year at a time "
                                     f"by the year's referendum principles report and cannot be overridden; "
                                     f"override the general principle (e.g. council_tax.referendum.core_limit)")
            if not isinstance(by_year, Mapping) or not by_year:
                raise ParameterError(f"{path}: an override must be a mapping of year to value, e.g. {{\"2025-26\": 0.05}}")
            checked[path] = {_year_key(path, key): _checked_value(path, parameter.unit, value)
                             for key, value in by_year.items()}
        tree = ParameterTree(dict(self.parameters))
        for path, by_year in checked.items():
            base = tree.parameters[path]
            start = min(by_year)
            kept = {y: v for y, v in base.values.items() if y < start}
            tree.parameters[path] = Parameter(
                path=path, description=base.description, unit=base.unit, values={**kept, **by_year},
                references=base.references, status="override",
                unverified=frozenset(y for y in base.unverified if y < start), overridden_from=start)
        return tree


# ------------------------------------------------------------------------------------ loading

def _year_key(path: str, key: Any) -> int:
    """``2023-24``, ``2023`` or a date (``2023-04-01``: the financial year it falls in) -> 2023."""
    if isinstance(key, (dt.date, dt.datetime)):
        return financial_year_of(key)
    text = str(key).strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = dt.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            return financial_year_of(day)
    try:
        return parse_year(key)
    except Exception:
        raise ParameterError(f"{path}: {key!r} is not a financial year or date "
                             f"(expected e.g. 2023-24 or 2023-04-01)") from None


def _number(path: str, unit: str, value: Any) -> float:
    if isinstance(value, bool):
        raise ParameterError(f"{path}: {value!r} is not valid for unit {unit!r}: expected {UNITS[unit]}")
    if isinstance(value, str) and unit in ("ratio", "ratio_per_band"):
        try:
            value = float(Fraction(value.replace(" ", "")))
        except (ValueError, ZeroDivisionError):
            raise ParameterError(f"{path}: {value!r} is not valid for unit {unit!r}: expected {UNITS[unit]}") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(f"{path}: {value!r} is not valid for unit {unit!r}: expected {UNITS[unit]}")
    return float(value)


def _checked_value(path: str, unit: str, value: Any) -> Any:
    """The value converted for use, or a ParameterError saying what the unit expects."""
    if unit not in UNITS:
        raise ParameterError(f"{path}: unknown unit {unit!r} (expected one of {', '.join(UNITS)})")
    if value is None:
        return None
    bad = f"{path}: {value!r} is not valid for unit {unit!r}: expected {UNITS[unit]}"
    if unit == "flag":
        if not isinstance(value, bool):
            raise ParameterError(bad)
        return value
    if unit == "ratio_per_band":
        if not isinstance(value, (list, tuple)) or len(value) != 8:
            raise ParameterError(bad)
        numbers = tuple(_number(path, unit, item) for item in value)
        if any(n <= 0 for n in numbers):
            raise ParameterError(bad)
        return numbers
    number = _number(path, unit, value)
    if unit == "share" and not 0 <= number <= 1:
        raise ParameterError(bad)
    if unit == "GBP" and number < 0:
        raise ParameterError(bad)
    if unit == "ratio" and number <= 0:
        raise ParameterError(bad)
    if unit == "years":
        if number < 1 or number != int(number):
            raise ParameterError(bad)
        return int(number)
    return number


#: A GSS code of a council (unitary, shire district, metropolitan district, London borough, county).
_COUNCIL_PREFIXES = ("E06", "E07", "E08", "E09", "E10")


def _per_council_values(path: str, unit: str, where: str, spec: Mapping) -> tuple[dict[int, Any], dict[str, str]]:
    """Checked ``{year: {code: value}}`` and ``{code: official name}`` of a per-council parameter."""
    councils = spec.get("councils")
    if not isinstance(councils, Mapping) or not councils:
        raise ParameterError(f"{where}: a per_council parameter needs `councils`, each GSS code with its "
                             f"official name as printed in the report")
    names = {}
    for code, name in councils.items():
        code = str(code)
        if len(code) != 9 or not code.startswith(_COUNCIL_PREFIXES) or not str(name or "").strip():
            raise ParameterError(f"{where}: councils: {code!r} needs a council GSS code (E06, E07, E08, E09 "
                                 f"or E10 and 6 digits) and its official name")
        names[code] = str(name).strip()
    values: dict[int, Any] = {}
    for key, by_code in spec["values"].items():
        year = _year_key(path, key)
        if not isinstance(by_code, Mapping):
            raise ParameterError(f"{where}: {year_label(year)} must map council GSS codes to values "
                                 f"({{}} for a year with none)")
        unknown = sorted(str(c) for c in by_code if str(c) not in names)
        if unknown:
            raise ParameterError(f"{where}: {year_label(year)} names {', '.join(unknown)}, not listed under "
                                 f"`councils` with its official name")
        values[year] = {str(c): _checked_value(path, unit, v) for c, v in by_code.items()}
    return values, names


def parameter_from_spec(path: str, spec: Any, source: str) -> Parameter:
    """One parameter from its YAML mapping (as in the files here), checked; ``source`` names the file."""
    where = f"{path} (in {source})"
    if not isinstance(spec, Mapping):
        raise ParameterError(f"{where}: expected a mapping with {', '.join(REQUIRED_KEYS)}")
    missing = [key for key in REQUIRED_KEYS if not spec.get(key)]
    if missing:
        raise ParameterError(f"{where}: missing {', '.join(missing)} (every parameter needs "
                             f"{', '.join(REQUIRED_KEYS)})")
    references = []
    for position, ref in enumerate(spec["references"]):
        if not isinstance(ref, Mapping) or any(not ref.get(key) for key in REFERENCE_KEYS):
            raise ParameterError(f"{where}: reference {position + 1} needs {', '.join(REFERENCE_KEYS)}")
        references.append(Reference(str(ref["title"]), str(ref["publisher"]), str(ref["url"]),
                                    str(ref.get("supports", ""))))
    if not isinstance(spec["values"], Mapping):
        raise ParameterError(f"{where}: values must map financial years to values")
    unit = str(spec["unit"])
    per_council = bool(spec.get("per_council", False))
    councils: dict[str, str] = {}
    if per_council:
        values, councils = _per_council_values(path, unit, where, spec)
    else:
        values = {_year_key(path, key): _checked_value(path, unit, value) for key, value in spec["values"].items()}
    unverified = frozenset(_year_key(path, key) for key in spec.get("unverified") or [])
    clash = unverified & set(values)
    if clash:
        raise ParameterError(f"{where}: {year_label(min(clash))} is both given a value and listed as unverified")
    return Parameter(path=path, description=" ".join(str(spec["description"]).split()), unit=unit,
                     values=values, references=tuple(references), status=str(spec.get("status", "enacted")),
                     unverified=unverified, per_council=per_council, councils=councils)


def load(directory: Path | str | None = None) -> ParameterTree:
    """Read every ``*.yaml`` under ``directory`` (default: this package) into a checked tree."""
    root = Path(directory) if directory is not None else Path(str(resources.files("devolution.parameters")))
    tree = ParameterTree()
    for file in sorted(root.rglob("*.yaml")):
        stem = ".".join(file.relative_to(root).with_suffix("").parts)
        try:
            content = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ParameterError(f"{file.name}: not valid YAML ({exc})") from None
        if not isinstance(content, Mapping):
            raise ParameterError(f"{file.name}: expected a mapping of parameter names")
        if "values" in content:
            tree.parameters[stem] = parameter_from_spec(stem, content, file.name)
            continue
        for name, spec in content.items():
            tree.parameters[f"{stem}.{name}"] = parameter_from_spec(f"{stem}.{name}", spec, file.name)
    return tree


_DEFAULT: ParameterTree | None = None


def default() -> ParameterTree:
    """The package's own parameters, loaded once."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load()
    return _DEFAULT


def value(path: str, year: int | str) -> Any:
    """The value of a parameter in force in a financial year (see :meth:`Parameter.value`)."""
    return default().value(path, year)


def with_overrides(overrides: Mapping[str, Mapping[str | int, Any]]) -> ParameterTree:
    """The package's parameters with the given values from their years onward."""
    return default().with_overrides(overrides)


__all__ = ["Parameter", "ParameterTree", "Reference", "default", "load", "value", "with_overrides", "UNITS"]
