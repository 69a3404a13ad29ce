"""The scenario file read and checked: merged with the base it builds on, validated against the
format (``scenarios.schema``), and every problem listed with its key path before anything runs
(:func:`load`, :func:`check`), never one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from devolution import parameters as parameters_module
from devolution.errors import DevolutionError, KeyPathProblems, ParameterError, ScenarioError
from devolution.files import key_path_problems, read_yaml
from devolution.scenarios.schema import MAX_YEARS, Scenario
from devolution.years import parse_year, parse_year_range, year_label

#: The parameters the projection reads, each council's referendum principles by year
#: (``runner.council_tax_limits``) ...
LIMITS = {"core_limit": "council_tax.referendum.core_limit", "asc_limit": "council_tax.referendum.asc_limit",
          "shire_district_cash_limit": "council_tax.referendum.shire_district_cash_limit"}
#: ... and the retention scheme's knobs, resolved for the base year and every projection year
#: (``runner.retention_policy``). A scenario may override these and no others.
RETENTION = {"local_share": "business_rates.local_share", "levy_rate_cap": "settlement.retention.levy_rate_cap",
             "safety_net_threshold": "settlement.retention.safety_net_threshold"}


class ScenarioProblems(KeyPathProblems, ScenarioError):
    """Every problem in a scenario file, each with its key path (``assumptions.inflation.sd``)."""

    KIND = "scenario"


# ------------------------------------------------------------------------------------ loading

def _merge(base: dict, child: dict) -> dict:
    """``child`` over ``base``, recursively for mappings (a scenario building on a named base)."""
    out = dict(base)
    for key, value in child.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _read(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    raw = read_yaml(path, ScenarioError, "scenario")
    if not isinstance(raw, dict):
        raise ScenarioError(f"scenario {path}: expected a mapping of keys (name, years, assumptions, ...)")
    base = raw.get("base")
    if not base:
        return raw
    candidates = [path.parent / base, path.parent / f"{base}.yaml"]
    found = next((c.resolve() for c in candidates if c.is_file()), None)
    if found is None:
        raise ScenarioProblems(str(path), [("base", f"no scenario named {base!r} next to this file "
                                                    f"(looked for {candidates[1].name})")])
    if found in seen or found == path.resolve():
        raise ScenarioProblems(str(path), [("base", f"{base!r} builds on itself (a loop of bases)")])
    parent = _read(found, seen + (path.resolve(),))
    parent.pop("name", None)
    parent.pop("description", None)
    return _merge(parent, raw)


#: The names pydantic gives the branches of the scenario format's unions, left out of key paths.
UNION_TAGS = ("number", "distribution", "by_place", "max")
UNKNOWN_KEY = "unknown key (not part of the scenario format; see `devo scenario new`)"


def projection_parameters() -> tuple[str, ...]:
    """The parameter paths the projection reads (``LIMITS`` and ``RETENTION``): a scenario may
    override these and no others, since any other would change nothing."""
    return (*LIMITS.values(), *RETENTION.values())


@dataclass(frozen=True)
class Known:
    """What a scenario's names are checked against: the register of places (for GSS codes and
    region names) and the catalogue's powers (``Known.of(store)``)."""

    places: Any
    powers: frozenset[str]

    @classmethod
    def of(cls, store) -> "Known":
        from devolution.powers.catalogue import powers

        return cls(places=store.places(), powers=frozenset(powers()))


def check(raw: dict, source: str = "<scenario>", tree: parameters_module.ParameterTree | None = None,
          data_years: tuple[int, int] | None = None, known: Known | None = None) -> Scenario:
    """A checked :class:`Scenario` from a mapping, or :class:`ScenarioProblems` listing every problem
    at once: the format, years, parameters (a path the projection does not read is a problem) and,
    with ``known``, unknown regions, places and powers.

    ``data_years``: the first and latest base years the store can start from (outturn years held);
    when given, a base year outside them is a problem.
    """
    tree = tree or parameters_module.default()
    problems: list[tuple[str, str]] = []
    try:
        scenario = Scenario.model_validate(raw)
    except ValidationError as exc:
        problems += key_path_problems(exc, UNKNOWN_KEY, skip=UNION_TAGS)
        scenario = None
    # checks pydantic cannot make alone: years, parameter paths and values against the tree
    years: list[int] = []
    try:
        years = parse_year_range(str(raw.get("years", "")))
    except DevolutionError as exc:
        problems.append(("years", f"{exc} (expected e.g. 2025-26..2034-35)"))
    try:
        base_year = parse_year(raw.get("base_year", 2024))
    except DevolutionError as exc:
        problems.append(("base_year", str(exc)))
        base_year = None
    if years and base_year is not None:
        if years[0] <= base_year:
            problems.append(("years", f"projection years must start after base_year {year_label(base_year)} "
                                      f"(they start {year_label(years[0])})"))
        if len(years) > MAX_YEARS:
            problems.append(("years", f"{len(years)} years is more than the {MAX_YEARS} a projection may run"))
        if data_years and not data_years[0] <= base_year <= data_years[1]:
            problems.append(("base_year", f"{year_label(base_year)} is outside the data: outturn is held for "
                                          f"{year_label(data_years[0])} to {year_label(data_years[1])}"))
    deals = raw.get("deals") if isinstance(raw.get("deals"), dict) else {}
    if deals.get("from") is not None:
        try:
            start = parse_year(deals["from"])
            if years and not years[0] <= start <= years[-1]:
                problems.append(("deals.from", f"{year_label(start)} is outside the projection years "
                                               f"{year_label(years[0])} to {year_label(years[-1])}"))
        except DevolutionError as exc:
            problems.append(("deals.from", str(exc)))
    overrides = raw.get("parameters") or {}
    if isinstance(overrides, dict):
        for path, by_year in overrides.items():
            try:
                tree.with_overrides({str(path): by_year})
            except ParameterError as exc:
                message = str(exc)
                if str(exc).startswith("unknown parameter"):
                    message = f"unknown parameter (see `devo explain` or parameters/); {exc}"
                problems.append((f"parameters.{path}", message))
                continue
            if str(path) not in projection_parameters():
                problems.append((f"parameters.{path}", "not read by the projection, so it would change nothing; "
                                 f"a scenario may set {', '.join(projection_parameters())}"))
    if known is not None:
        problems += _unknown_names(raw, known)
    problems = list(dict.fromkeys(problems))
    if problems:
        raise ScenarioProblems(source, problems)
    return scenario


def _unknown_names(raw: dict, known: Known) -> list[tuple[str, str]]:
    """Regions, place codes and powers the scenario names that the register or catalogue lacks
    (read from the raw mapping, so they are listed with every other problem)."""
    from devolution.places.names import PlaceIndex

    places = known.places
    regions = places.loc[places["tier"] == "region"]
    codes = set(places["code"])

    def unknown_code(given) -> str:  # the index is built only when a code is unknown
        try:
            found = PlaceIndex.of(places).find(str(given), exact=True)
        except DevolutionError:
            return "unknown place code (give a GSS code, e.g. E08000025)"
        return f"not a GSS code: {found['name']} is {found['code']}"

    def mapping(*keys):
        value = raw
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    problems = []
    growth = mapping("assumptions", "business_rates_growth")
    if isinstance(growth, dict) and "distribution" not in growth:
        for region in growth.get("regions") or {}:
            if region not in set(regions["name"]) | set(regions["code"]):
                problems.append((f"assumptions.business_rates_growth.regions.{region}",
                                 f"unknown region (expected one of {', '.join(sorted(regions['name']))})"))
        problems += [(f"assumptions.business_rates_growth.places.{c}", unknown_code(c))
                     for c in growth.get("places") or {} if c not in codes]
    places_named = mapping("deals", "places")
    if isinstance(places_named, list):
        problems += [(f"deals.places.{c}", unknown_code(c)) for c in places_named if c not in codes]
    pooled = mapping("deals", "pooled_budgets")
    if isinstance(pooled, list):
        problems += [(f"deals.pooled_budgets.{p}", f"unknown power (expected one of {', '.join(sorted(known.powers))})")
                     for p in pooled if p not in known.powers]
    return problems


def load(path: Path | str, tree: parameters_module.ParameterTree | None = None,
         data_years: tuple[int, int] | None = None, known: Known | None = None) -> Scenario:
    """Read, merge with its base, and check a scenario file (see :func:`check`)."""
    path = Path(path)
    return check(_read(path), str(path), tree, data_years, known)


def tree_for(scenario: Scenario, tree: parameters_module.ParameterTree | None = None) -> parameters_module.ParameterTree:
    """The parameter tree with the scenario's overrides applied from their years onward."""
    tree = tree or parameters_module.default()
    return tree.with_overrides(scenario.parameters) if scenario.parameters else tree
